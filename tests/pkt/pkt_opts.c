#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_opts.h"

/*
 * The profile. Where RFCs leave a choice, these are the values published
 * Linux scripts assume (google/packetdrill gtests/net/common/defaults.sh
 * and Linux's compiled-in defaults):
 *   MTU 1500 -> MSS 1460; receive buffer 15 MiB (defaults.sh tcp_rmem max),
 *   which makes tern offer wscale 8 as Linux does with that sysctl (use
 *   --rcvbuf=6291456 for scripts written against stock Linux, wscale 7);
 *   send buffer 256 KiB (tcp_wmem default). IW10, SACK, timestamps, window
 *   scaling on, ECN when the peer asks (--ecn), delayed ACK 40 ms, initial RTO 1 s, minimum RTO
 *   200 ms come from tern's own defaults (core/config.c), which already
 *   follow Linux.
 */
void
pkt_opts_defaults(struct pkt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tolerance_usecs = 4000;
	o->tolerance_percent = 12.5;
	o->ts_ecr_check = 1;
	o->strict_end = 1;
	o->mtu = 1500;
	o->rcvbuf = 15 * 1024 * 1024;
	o->sndbuf = 256 * 1024;
	o->bind_port = 8080;
	o->connect_port = 8080;
}

/* packetdrill options about its own environment: accepted, no effect here. */
static const char *const ignored[] = {
	"ip_version", "local_ip", "remote_ip", "gateway_ip", "netmask_ip", "speed",
	"init_scripts", "wire_client", "wire_server", "wire_server_ip", "wire_server_at",
	"wire_server_port", "wire_client_dev", "wire_server_dev", "so_filename", "so_flags",
	"code_command", "code_format", "code_sockopt", "tcp_ts_ecr_scaled", "strict_segments",
	"non_fatal", "dry_run", "is_anyip", "send_omit_free", "debug",
};

static int
parse_uint(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (v == NULL || *v == '\0' || *v == '-')
		return -1;
	x = strtoull(v, &end, 0);
	if (*end != '\0' || x > max)
		return -1;
	*out = x;
	return 0;
}

static int
add_define(struct pkt_opts *o, const char *v, char *err, size_t errlen)
{
	const char *eq = v ? strchr(v, '=') : NULL;
	struct pkt_define *d;

	if (v == NULL || o->ndefs == PKT_MAX_DEFINES) {
		snprintf(err, errlen, "--define: expected NAME=VALUE (at most %d)", PKT_MAX_DEFINES);
		return -1;
	}
	d = &o->defs[o->ndefs++];
	snprintf(d->name, sizeof(d->name), "%.*s", eq ? (int)(eq - v) : (int)strlen(v), v);
	snprintf(d->value, sizeof(d->value), "%s", eq ? eq + 1 : "1");
	return 0;
}

static int
set_flag(struct pkt_opts *o, const char *name)
{
	if (strcmp(name, "relax_psh") == 0)
		o->relax_psh = 1;
	else if (strcmp(name, "no_ts_ecr_check") == 0)
		o->ts_ecr_check = 0;
	else if (strcmp(name, "allow_unexpected_at_end") == 0)
		o->strict_end = 0;
	else if (strcmp(name, "verbose") == 0)
		o->verbose = 1;
	else
		return -1;
	return 0;
}

static int
set_number(struct pkt_opts *o, const char *name, uint64_t x)
{
	if (strcmp(name, "tolerance_usecs") == 0)
		o->tolerance_usecs = (int64_t)x;
	else if (strcmp(name, "poll_interval_us") == 0 && x >= 1000)
		o->poll_interval_us = (int64_t)x;
	else if (strcmp(name, "tcp_ts_tick_usecs") == 0)
		o->tcp_ts_tick_usecs = (uint32_t)x;
	else if (strcmp(name, "mss") == 0 && x >= 64 && x <= 9000)
		o->mtu = (uint32_t)x + 40;
	else if (strcmp(name, "mtu") == 0 && x >= 576 && x <= 9040)
		o->mtu = (uint32_t)x;
	else if (strcmp(name, "rcvbuf") == 0 && x >= 1024)
		o->rcvbuf = (uint32_t)x;
	else if (strcmp(name, "sndbuf") == 0 && x >= 1024)
		o->sndbuf = (uint32_t)x;
	else if (strcmp(name, "bind_port") == 0 && x >= 1 && x <= 65535)
		o->bind_port = (uint16_t)x;
	else if (strcmp(name, "connect_port") == 0 && x >= 1 && x <= 65535)
		o->connect_port = (uint16_t)x;
	else if (strcmp(name, "backlog") == 0 && x >= 1 && x <= (1u << 24))
		o->backlog = (uint32_t)x;
	else if (strcmp(name, "source_max_connections") == 0 && x <= (1u << 24))
		o->source_max = (uint32_t)x;
	else
		return -1;
	return 0;
}

int
pkt_opts_set(struct pkt_opts *o, const char *name, const char *value, char *err, size_t errlen)
{
	uint64_t x;

	for (unsigned i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (strcmp(name, ignored[i]) == 0)
			return 1;
	if (strcmp(name, "define") == 0)
		return add_define(o, value, err, errlen);
	if (strcmp(name, "tolerance_percent") == 0 && value != NULL) {
		o->tolerance_percent = atof(value);
		return 0;
	}
	if (value == NULL && set_flag(o, name) == 0)
		return 0;
	if (strcmp(name, "cc") == 0 && value != NULL &&
	    (strcmp(value, "cubic") == 0 || strcmp(value, "newreno") == 0)) {
		snprintf(o->cc, sizeof(o->cc), "%s", value);
		return 0;
	}
	if (strcmp(name, "syncookies") == 0 && value != NULL &&
	    (strcmp(value, "never") == 0 || strcmp(value, "auto") == 0 ||
	     strcmp(value, "always") == 0)) {
		snprintf(o->syncookies, sizeof(o->syncookies), "%s", value);
		return 0;
	}
	if (strcmp(name, "tso") == 0 && value != NULL &&
	    (strcmp(value, "on") == 0 || strcmp(value, "off") == 0)) {
		o->no_tso = strcmp(value, "off") == 0;
		return 0;
	}
	if (strcmp(name, "lro") == 0 && value != NULL &&
	    (strcmp(value, "on") == 0 || strcmp(value, "off") == 0)) {
		o->lro = strcmp(value, "on") == 0;
		return 0;
	}
	if (strcmp(name, "ecn") == 0 && value != NULL &&
	    (strcmp(value, "off") == 0 || strcmp(value, "accept") == 0 || strcmp(value, "on") == 0)) {
		snprintf(o->ecn, sizeof(o->ecn), "%s", value);
		return 0;
	}
	if (value != NULL && parse_uint(value, UINT32_MAX, &x) == 0 && set_number(o, name, x) == 0)
		return 0;
	snprintf(err, errlen, "unknown option or bad value: --%s%s%s", name, value ? "=" : "",
		 value ? value : "");
	return -1;
}

/* "--name=value", "--name value" for options that take one, "-D N=V", "-v". */
static int
one_arg(struct pkt_opts *o, int argc, char **argv, int *i, char *err, size_t errlen)
{
	char name[64];
	const char *a = argv[*i], *eq, *value = NULL;

	if (strcmp(a, "-v") == 0)
		return pkt_opts_set(o, "verbose", NULL, err, errlen);
	if (strncmp(a, "-D", 2) == 0)
		return add_define(o, a[2] ? a + 2 : (++*i < argc ? argv[*i] : NULL), err, errlen);
	eq = strchr(a + 2, '=');
	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2), a + 2);
	if (eq != NULL)
		value = eq + 1;
	else if (set_flag(&(struct pkt_opts){ 0 }, name) != 0 && *i + 1 < argc &&
		 argv[*i + 1][0] != '-')
		value = argv[++*i];
	return pkt_opts_set(o, name, value, err, errlen) < 0 ? -1 : 0;
}

int
pkt_opts_from_argv(struct pkt_opts *o, int argc, char **argv, const char ***paths, int *npaths,
		   char *err, size_t errlen)
{
	*paths = calloc((size_t)argc + 1, sizeof(**paths));
	*npaths = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-') {
			(*paths)[(*npaths)++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			snprintf(err, errlen, "help");
			return -1;
		}
		if (one_arg(o, argc, argv, &i, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void
pkt_opts_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [options] script.pkt...\n"
		"  --tolerance_usecs=N      outbound timing tolerance (default 4000)\n"
		"  --poll_interval_us=N     tern's worker polls only every N us (>= 1000), as a busy\n"
		"                           or preempted one: inbound frames wait for the next poll\n"
		"  --tolerance_percent=P    or P%% of the gap to the previous event (default 12.5)\n"
		"  --tcp_ts_tick_usecs=N    check outbound TS val at this tick (default 0: off)\n"
		"  --mss=N | --mtu=N        tern's MSS offer (default 1460)\n"
		"  --rcvbuf=N --sndbuf=N    buffer sizes (default 15728640: wscale 8; 262144)\n"
		"  --bind_port=N --connect_port=N   (default 8080)\n"
		"  --cc=cubic|newreno       congestion control (default: tern's, cubic)\n"
		"  --syncookies=never|auto|always  [tcp] syncookies (default: tern's, auto)\n"
		"  --backlog=N              [tcp] backlog: SYN-RECEIVED per listener (default: tern's)\n"
		"  --ecn=off|accept|on      [tcp] ecn (default: tern's, accept)\n"
		"  --tso=on|off             the port segments TCP frames of up to 64 KiB, cut into\n"
		"                           segments before matching as a NIC would (default on)\n"
		"  --lro=on|off             inbound TCP frames above the MTU arrive as the NIC's\n"
		"                           coalesced frames, RTE_MBUF_F_RX_LRO (default off: dropped)\n"
		"  --source_max_connections=N  [tcp] source_max_connections (default 0: no cap)\n"
		"  --relax_psh              do not compare the PSH flag strictly\n"
		"  --no_ts_ecr_check        do not compare outbound TS ecr\n"
		"  --allow_unexpected_at_end  segments nobody expected after the last line pass\n"
		"  -D NAME=VALUE            substitute VALUE for the word NAME in scripts\n"
		"  -v                       print every segment and call\n", prog);
}
