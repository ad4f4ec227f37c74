#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_log.h>

#include "config.h"

enum key_type { K_UINT, K_BOOL, K_STR, K_IPV4, K_CIDR, K_PPM, K_MS_US, K_LOGLEVEL, K_CC, K_SVCTYPE,
		K_CLIMODE };

struct key_spec {
	const char *key;
	enum key_type type;
	size_t off;        /* into the struct the section fills */
	uint64_t min, max; /* K_UINT, K_MS_US (in ms) */
	int required;
};

struct parse_ctx {
	const char *path;
	const char *section;
	char *err;
	size_t errlen;
};

static int
fail(struct parse_ctx *p, const char *key, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (key != NULL)
		snprintf(p->err, p->errlen, "%s: [%s] %s: %s", p->path, p->section, key, what);
	else
		snprintf(p->err, p->errlen, "%s: [%s]: %s", p->path, p->section, what);
	return -1;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* "A.B.C.D/N" */
static int
parse_cidr(const char *s, uint32_t *addr, uint32_t *prefix)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (parse_ipv4(buf, addr) != 0 || parse_u64(slash + 1, &n) != 0 ||
	    n < 1 || n > 32)
		return -1;
	*prefix = n;
	return 0;
}

/* A percentage with up to four decimals, stored as parts per million. */
static int
parse_ppm(const char *s, uint32_t *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 100.0))
		return -1;
	*out = (uint32_t)(v * 10000.0 + 0.5);
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (unsigned i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
parse_loglevel(const char *s, uint32_t *out)
{
	static const char *const names[] = {
		[RTE_LOG_ERR] = "error", [RTE_LOG_WARNING] = "warning",
		[RTE_LOG_NOTICE] = "notice", [RTE_LOG_INFO] = "info",
		[RTE_LOG_DEBUG] = "debug",
	};

	for (unsigned i = 0; i < RTE_DIM(names); i++)
		if (names[i] != NULL && strcasecmp(s, names[i]) == 0)
			return *out = i, 0;
	return -1;
}

static int
parse_value(struct parse_ctx *p, const struct key_spec *k, const char *v, void *base)
{
	char *field = (char *)base + k->off;
	uint64_t n;

	switch (k->type) {
	case K_UINT:
		if (parse_u64(v, &n) != 0 || n < k->min || n > k->max)
			return fail(p, k->key, "expected an integer from %" PRIu64
				    " to %" PRIu64 ", got '%s'", k->min, k->max, v);
		*(uint32_t *)field = n;
		return 0;
	case K_MS_US:
		if (parse_u64(v, &n) != 0 || n < k->min || n > k->max)
			return fail(p, k->key, "expected milliseconds from %" PRIu64
				    " to %" PRIu64 ", got '%s'", k->min, k->max, v);
		*(uint32_t *)field = n * 1000;
		return 0;
	case K_BOOL:
		if (parse_bool(v, (int *)field) != 0)
			return fail(p, k->key, "expected yes or no, got '%s'", v);
		return 0;
	case K_STR:
		if (*v == '\0' || strlen(v) >= TERN_DEVARGS_LEN)
			return fail(p, k->key, "expected a non-empty string under %d characters",
				    TERN_DEVARGS_LEN);
		strcpy(field, v);
		return 0;
	case K_IPV4:
		if (parse_ipv4(v, (uint32_t *)field) != 0)
			return fail(p, k->key, "expected an IPv4 address like 198.18.0.1, got '%s'", v);
		return 0;
	case K_CIDR:
		if (parse_cidr(v, (uint32_t *)field, (uint32_t *)(field + sizeof(uint32_t))) != 0)
			return fail(p, k->key, "expected address/prefix like 198.18.0.1/24, got '%s'", v);
		return 0;
	case K_PPM:
		if (parse_ppm(v, (uint32_t *)field) != 0)
			return fail(p, k->key, "expected a percentage from 0 to 100, got '%s'", v);
		return 0;
	case K_CC:
		if (strcmp(v, "newreno") != 0 && strcmp(v, "cubic") != 0)
			return fail(p, k->key, "expected cubic or newreno, got '%s'", v);
		snprintf(field, 16, "%s", v);
		return 0;
	case K_SVCTYPE:
		if (strcmp(v, "echo") == 0)
			*(uint32_t *)field = TERN_SVC_ECHO;
		else if (strcmp(v, "discard") == 0)
			*(uint32_t *)field = TERN_SVC_DISCARD;
		else if (strcmp(v, "http") == 0)
			*(uint32_t *)field = TERN_SVC_HTTP;
		else if (strcmp(v, "client") == 0)
			*(uint32_t *)field = TERN_SVC_CLIENT;
		else
			return fail(p, k->key, "expected echo, discard, http or client, got '%s'", v);
		return 0;
	case K_CLIMODE:
		if (strcmp(v, "rps") == 0)
			*(uint32_t *)field = TERN_CLIENT_RPS;
		else if (strcmp(v, "cps") == 0)
			*(uint32_t *)field = TERN_CLIENT_CPS;
		else
			return fail(p, k->key, "expected rps (keep-alive) or cps (a connection per "
				    "request), got '%s'", v);
		return 0;
	case K_LOGLEVEL:
		if (parse_loglevel(v, (uint32_t *)field) != 0)
			return fail(p, k->key, "expected error, warning, notice, info or debug, got '%s'", v);
		return 0;
	}
	return fail(p, k->key, "internal: unknown key type");
}

/* Applies every entry of a section through its key table; unknown or repeated keys fail. */
static int
parse_section(struct parse_ctx *p, struct rte_cfgfile *file, const char *section,
	      const struct key_spec *keys, unsigned nkeys, void *base)
{
	int n = rte_cfgfile_section_num_entries(file, section);
	struct rte_cfgfile_entry *entries;
	uint64_t seen = 0;
	int rc = 0;

	p->section = section;
	if (n < 0)
		return fail(p, NULL, "cannot read section");
	entries = calloc(n ? n : 1, sizeof(*entries));
	if (entries == NULL)
		return fail(p, NULL, "out of memory");
	rte_cfgfile_section_entries(file, section, entries, n);
	for (int i = 0; i < n && rc == 0; i++) {
		unsigned k;

		for (k = 0; k < nkeys; k++)
			if (strcmp(entries[i].name, keys[k].key) == 0)
				break;
		if (k == nkeys)
			rc = fail(p, entries[i].name, "unknown key (see README.md, Configuration)");
		else if (seen & (1ULL << k))
			rc = fail(p, entries[i].name, "given twice");
		else {
			seen |= 1ULL << k;
			rc = parse_value(p, &keys[k], entries[i].value, base);
		}
	}
	for (unsigned k = 0; k < nkeys && rc == 0; k++)
		if (keys[k].required && !(seen & (1ULL << k)))
			rc = fail(p, keys[k].key, "required key is missing");
	free(entries);
	return rc;
}

#define TK(name, type, field, lo, hi) { name, type, offsetof(struct tern_config, field), lo, hi, 0 }
static const struct key_spec tern_keys[] = {
	TK("workers", K_UINT, workers, 1, TERN_MAX_WORKERS),
	TK("mbufs", K_UINT, mbufs, 1024, 16u << 20),
	TK("log_level", K_LOGLEVEL, log_level, 0, 0),
};

#define PK(name, type, field, lo, hi, req) \
	{ name, type, offsetof(struct tern_port_cfg, field), lo, hi, req }
static const struct key_spec port_keys[] = {
	PK("device", K_STR, devargs, 0, 0, 1),
	PK("address", K_CIDR, addr, 0, 0, 0),
	PK("gateway", K_IPV4, gateway, 0, 0, 0),
	PK("mtu", K_UINT, mtu, 576, 9000, 0),
	PK("rx_desc", K_UINT, rx_desc, 64, 4096, 0),
	PK("tx_desc", K_UINT, tx_desc, 64, 4096, 0),
	PK("offloads", K_BOOL, offloads, 0, 0, 0),
	PK("promiscuous", K_BOOL, promiscuous, 0, 0, 0),
};

#define IK(name, type, field, lo, hi) \
	{ name, type, offsetof(struct tern_impair_cfg, field), lo, hi, 0 }
#define IDIR(d) \
	IK(#d "_loss", K_PPM, d.loss_ppm, 0, 0), \
	IK(#d "_duplicate", K_PPM, d.duplicate_ppm, 0, 0), \
	IK(#d "_corrupt", K_PPM, d.corrupt_ppm, 0, 0), \
	IK(#d "_reorder", K_PPM, d.reorder_ppm, 0, 0), \
	IK(#d "_delay_ms", K_MS_US, d.delay_us, 0, 10000), \
	IK(#d "_jitter_ms", K_MS_US, d.jitter_us, 0, 10000), \
	IK(#d "_reorder_gap_ms", K_MS_US, d.reorder_gap_us, 1, 10000)
static const struct key_spec impair_keys[] = {
	{ "seed", K_UINT, offsetof(struct tern_impair_cfg, seed), 0, UINT32_MAX, 0 },
	IK("queue", K_UINT, queue_len, 256, 1u << 20),
	IDIR(rx), IDIR(tx),
};

#define AK(name, type, field, lo, hi) \
	{ name, type, offsetof(struct tern_arp_cfg, field), lo, hi, 0 }
static const struct key_spec arp_keys[] = {
	AK("entries", K_UINT, entries, 16, 1u << 20),
	AK("timeout_ms", K_UINT, timeout_ms, 1000, 3600000),
	AK("retry_ms", K_UINT, retry_ms, 10, 60000),
	AK("retries", K_UINT, retries, 1, 100),
	AK("queue", K_UINT, queue, 1, 1024),
};

#define CK(name, type, field, lo, hi) \
	{ name, type, offsetof(struct tern_icmp_cfg, field), lo, hi, 0 }
static const struct key_spec icmp_keys[] = {
	CK("error_rate", K_UINT, error_rate, 0, 1000000),
	CK("error_burst", K_UINT, error_burst, 1, 1000000),
};

#define TCPK(name, type, field, lo, hi) \
	{ name, type, offsetof(struct tern_tcp_cfg, field), lo, hi, 0 }
static const struct key_spec tcp_keys[] = {
	TCPK("max_connections", K_UINT, max_connections, 16, 1u << 24),
	TCPK("rcvbuf", K_UINT, rcvbuf, 4096, 1u << 30),
	TCPK("sndbuf", K_UINT, sndbuf, 4096, 1u << 30),
	TCPK("backlog", K_UINT, backlog, 1, 1u << 24),
	TCPK("msl_ms", K_UINT, msl_ms, 1, 600000),
	TCPK("fin_wait2_ms", K_UINT, fin_wait2_ms, 1, 3600000),
	TCPK("syn_retries", K_UINT, syn_retries, 1, 127),
	TCPK("synack_retries", K_UINT, synack_retries, 1, 127),
	TCPK("retries", K_UINT, retries, 1, 127),
	TCPK("delack_ms", K_UINT, delack_ms, 1, 500),
	TCPK("initial_rto_ms", K_UINT, initial_rto_ms, 1, 60000),
	TCPK("min_rto_ms", K_UINT, min_rto_ms, 1, 60000),
	TCPK("max_rto_ms", K_UINT, max_rto_ms, 1000, 600000),
	TCPK("keepalive", K_BOOL, keepalive, 0, 0),
	TCPK("keepalive_idle_ms", K_UINT, keepalive_idle_ms, 1, 1u << 31),
	TCPK("keepalive_interval_ms", K_UINT, keepalive_interval_ms, 1, 1u << 31),
	TCPK("keepalive_probes", K_UINT, keepalive_probes, 1, 127),
	TCPK("nagle", K_BOOL, nagle, 0, 0),
	TCPK("timestamps", K_BOOL, timestamps, 0, 0),
	TCPK("sack", K_BOOL, sack, 0, 0),
	TCPK("window_scaling", K_BOOL, window_scaling, 0, 0),
	TCPK("ooo_mbufs", K_UINT, ooo_mbufs, 0, 1u << 24),
	TCPK("challenge_ack_limit", K_UINT, challenge_ack_limit, 1, 1u << 24),
	TCPK("cc", K_CC, cc, 0, 0),
};

#define SK(name, type, field, lo, hi, req) \
	{ name, type, offsetof(struct tern_service_cfg, field), lo, hi, req }
static const struct key_spec service_keys[] = {
	SK("type", K_SVCTYPE, type, 0, 0, 1),
	SK("port", K_UINT, port, 1, 65535, 1),
	SK("cc", K_CC, cc, 0, 0, 0),
	SK("target", K_IPV4, target, 0, 0, 0),
	SK("mode", K_CLIMODE, mode, 0, 0, 0),
	SK("concurrency", K_UINT, concurrency, 1, 1u << 20, 0),
	SK("path", K_STR, path, 0, 0, 0),
	SK("duration_ms", K_UINT, duration_ms, 0, 86400000, 0),
	SK("requests", K_UINT, requests, 0, UINT32_MAX, 0),
	SK("start_ms", K_UINT, start_ms, 0, 600000, 0),
	SK("exit_when_done", K_BOOL, exit_when_done, 0, 0, 0),
};

/* The client keys mean something only for type = client, and target is required there. */
static int
check_service(struct parse_ctx *p, struct rte_cfgfile *file, const struct tern_service_cfg *s)
{
	static const char *const client_only[] = { "target", "mode", "concurrency", "path",
		"duration_ms", "requests", "start_ms", "exit_when_done" };

	if (s->type == TERN_SVC_CLIENT) {
		if (s->target == 0)
			return fail(p, "target", "required for type = client (the server's IPv4 address)");
		if (s->path[0] != '/')
			return fail(p, "path", "expected an absolute path starting with '/', got '%s'",
				    s->path);
		if (strpbrk(s->path, " \r\n") != NULL)
			return fail(p, "path", "expected no spaces or line breaks");
		return 0;
	}
	for (unsigned i = 0; i < RTE_DIM(client_only); i++)
		if (rte_cfgfile_has_entry(file, p->section, client_only[i]))
			return fail(p, client_only[i], "only for type = client");
	return 0;
}

void
tern_config_defaults(struct tern_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = 1;
	cfg->mbufs = 16384;
	cfg->log_level = RTE_LOG_NOTICE;
	cfg->arp = (struct tern_arp_cfg){ .entries = 1024, .timeout_ms = 60000,
		.retry_ms = 1000, .retries = 3, .queue = 8 };
	cfg->icmp = (struct tern_icmp_cfg){ .error_rate = 1000, .error_burst = 50 };
	cfg->tcp = (struct tern_tcp_cfg){
		.max_connections = 65536, .rcvbuf = 262144, .sndbuf = 262144, .backlog = 1024,
		.msl_ms = 30000, .fin_wait2_ms = 60000,
		.syn_retries = 6, .synack_retries = 5, .retries = 15, .delack_ms = 40,
		.initial_rto_ms = 1000, .min_rto_ms = 200, .max_rto_ms = 120000,
		.keepalive_idle_ms = 7200000, .keepalive_interval_ms = 75000, .keepalive_probes = 9,
		.keepalive = 0, .nagle = 1, .timestamps = 1, .sack = 1, .window_scaling = 1,
		.ooo_mbufs = 4096, .challenge_ack_limit = 1000, .cc = "cubic",
	};
}

static void
port_defaults(struct tern_port_cfg *pc, const char *section)
{
	memset(pc, 0, sizeof(*pc));
	snprintf(pc->section, sizeof(pc->section), "%s", section);
	pc->mtu = 1500;
	pc->rx_desc = 1024;
	pc->tx_desc = 1024;
	pc->offloads = 1;
	pc->impair.queue_len = 65536;
	pc->impair.seed = 1;
	pc->impair.rx.reorder_gap_us = 5000;
	pc->impair.tx.reorder_gap_us = 5000;
}

static int
check_port(struct parse_ctx *p, struct tern_port_cfg *pc)
{
	uint32_t mask = pc->prefix_len == 32 ? ~0u : ~(~0u >> pc->prefix_len);

	p->section = pc->section;
	if ((pc->rx_desc & (pc->rx_desc - 1)) || (pc->tx_desc & (pc->tx_desc - 1)))
		return fail(p, (pc->rx_desc & (pc->rx_desc - 1)) ? "rx_desc" : "tx_desc",
			    "expected a power of two");
	if (pc->prefix_len == 0) {
		if (pc->gateway != 0)
			return fail(p, "gateway", "needs an address key in the same section");
		return 0;
	}
	if (pc->prefix_len > 30)
		return fail(p, "address", "expected a prefix of /30 or shorter, got /%u",
			    pc->prefix_len);
	if ((pc->addr & ~mask) == 0 || (pc->addr & ~mask) == ~mask)
		return fail(p, "address", "is the network or broadcast address of its prefix");
	if (pc->gateway != 0 && (pc->gateway & mask) != (pc->addr & mask))
		return fail(p, "gateway", "expected an address inside the port's prefix /%u",
			    pc->prefix_len);
	if (pc->gateway != 0 && (pc->gateway == pc->addr || (pc->gateway & ~mask) == 0 ||
				 (pc->gateway & ~mask) == ~mask))
		return fail(p, "gateway", "expected another host's address, not the port's own, "
			    "network or broadcast address");
	return 0;
}

static int
parse_service(struct parse_ctx *p, struct rte_cfgfile *file, const char *section,
	      struct tern_config *cfg)
{
	struct tern_service_cfg *s;

	p->section = section;
	if (section[8] == '\0' || strlen(section + 8) >= sizeof(s->name))
		return fail(p, NULL, "expected a name after 'service.' (under %zu characters)",
			    sizeof(s->name));
	if (cfg->nservices == TERN_MAX_SERVICES)
		return fail(p, NULL, "at most %d services", TERN_MAX_SERVICES);
	s = &cfg->services[cfg->nservices];
	*s = (struct tern_service_cfg){ .mode = TERN_CLIENT_RPS, .concurrency = 64,
		.path = "/bytes/64", .duration_ms = 10000, .start_ms = 200, .exit_when_done = 1 };
	snprintf(s->name, sizeof(s->name), "%s", section + 8);
	if (parse_section(p, file, section, service_keys, RTE_DIM(service_keys), s) != 0)
		return -1;
	if (check_service(p, file, s) != 0)
		return -1;
	for (uint32_t i = 0; i < cfg->nservices && s->type != TERN_SVC_CLIENT; i++)
		if (cfg->services[i].type != TERN_SVC_CLIENT && cfg->services[i].port == s->port)
			return fail(p, "port", "%u is already used by [service.%s]", s->port,
				    cfg->services[i].name);
	cfg->nservices++;
	return 0;
}

/* [portN] sections first: [impair.portN] sections refer to them. */
static int
parse_ports(struct parse_ctx *p, struct rte_cfgfile *file, char **names, int nsec,
	    struct tern_config *cfg)
{
	int rc = 0;

	for (int i = 0; i < nsec && rc == 0; i++) {
		unsigned idx;
		char extra;

		if (sscanf(names[i], "port%u%c", &idx, &extra) != 1)
			continue;
		p->section = names[i];
		if (idx >= TERN_MAX_PORTS)
			rc = fail(p, NULL, "expected port0 to port%d", TERN_MAX_PORTS - 1);
		else if (cfg->ports[idx].section[0] != '\0') /* [port1] and [port01] */
			rc = fail(p, NULL, "names the same port as [%s]", cfg->ports[idx].section);
		else {
			port_defaults(&cfg->ports[idx], names[i]);
			rc = parse_section(p, file, names[i], port_keys, RTE_DIM(port_keys),
					   &cfg->ports[idx]);
		}
	}
	return rc;
}

static int
parse_impair(struct parse_ctx *p, struct rte_cfgfile *file, const char *name, unsigned idx,
	     struct tern_config *cfg)
{
	if (idx >= TERN_MAX_PORTS || cfg->ports[idx].section[0] == '\0')
		return fail(p, NULL, "names a port with no [port%u] section", idx);
	cfg->ports[idx].impair.enabled = 1;
	return parse_section(p, file, name, impair_keys, RTE_DIM(impair_keys),
			     &cfg->ports[idx].impair);
}

/* Every section but the ports, by name. */
static int
parse_other(struct parse_ctx *p, struct rte_cfgfile *file, const char *name,
	    struct tern_config *cfg)
{
	unsigned idx;
	char extra;

	p->section = name;
	if (strcmp(name, "tern") == 0)
		return parse_section(p, file, name, tern_keys, RTE_DIM(tern_keys), cfg);
	if (strcmp(name, "arp") == 0)
		return parse_section(p, file, name, arp_keys, RTE_DIM(arp_keys), &cfg->arp);
	if (strcmp(name, "icmp") == 0)
		return parse_section(p, file, name, icmp_keys, RTE_DIM(icmp_keys), &cfg->icmp);
	if (strcmp(name, "tcp") == 0)
		return parse_section(p, file, name, tcp_keys, RTE_DIM(tcp_keys), &cfg->tcp);
	if (strncmp(name, "service.", 8) == 0)
		return parse_service(p, file, name, cfg);
	if (sscanf(name, "port%u%c", &idx, &extra) == 1)
		return 0;
	if (sscanf(name, "impair.port%u%c", &idx, &extra) == 1)
		return parse_impair(p, file, name, idx, cfg);
	return fail(p, NULL, "unknown section (expected tern, arp, icmp, tcp, "
		    "service.NAME, portN or impair.portN)");
}

/* Checks across sections, once everything is read. */
static int
check_whole(struct parse_ctx *p, struct tern_config *cfg)
{
	int rc = 0;

	for (unsigned i = 0; i < TERN_MAX_PORTS && rc == 0; i++) {
		if (cfg->ports[i].section[0] == '\0')
			continue;
		if (i != cfg->nports) {
			p->section = cfg->ports[i].section;
			rc = fail(p, NULL, "ports must be numbered from port0 without gaps");
		} else {
			rc = check_port(p, &cfg->ports[i]);
			cfg->nports++;
		}
	}
	if (rc == 0 && (cfg->tcp.min_rto_ms > cfg->tcp.max_rto_ms ||
			cfg->tcp.initial_rto_ms < cfg->tcp.min_rto_ms ||
			cfg->tcp.initial_rto_ms > cfg->tcp.max_rto_ms)) {
		p->section = "tcp";
		rc = fail(p, "initial_rto_ms", "expected min_rto_ms <= initial_rto_ms <= max_rto_ms");
	}
	if (rc == 0 && cfg->nports == 0) {
		p->section = "port0";
		rc = fail(p, NULL, "at least one port section is required");
	}
	return rc;
}

static struct rte_cfgfile *
open_file(const char *path, char *err, size_t errlen)
{
	struct rte_cfgfile *file = rte_cfgfile_load(path, 0);
	FILE *f;

	if (file != NULL)
		return file;
	f = fopen(path, "r");
	if (f == NULL)
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	else {
		fclose(f);
		snprintf(err, errlen, "%s: not a valid INI file (sections in [brackets], "
			 "'key = value' lines, ';' comments)", path);
	}
	return NULL;
}

/* Section names in file order; NULL when out of memory. rte_cfgfile keeps repeats apart. */
static char **
section_names(struct rte_cfgfile *file, int *nsec)
{
	char **names;

	*nsec = rte_cfgfile_num_sections(file, NULL, 0);
	names = calloc(*nsec ? *nsec : 1, sizeof(char *));
	for (int i = 0; names != NULL && i < *nsec; i++)
		if ((names[i] = malloc(CFG_NAME_LEN)) == NULL) {
			for (int j = 0; j < i; j++)
				free(names[j]);
			free(names);
			return NULL;
		}
	if (names != NULL)
		rte_cfgfile_sections(file, names, *nsec);
	return names;
}

int
tern_config_load(const char *path, struct tern_config *cfg, char *err, size_t errlen)
{
	struct parse_ctx p = { .path = path, .section = "", .err = err, .errlen = errlen };
	struct rte_cfgfile *file;
	char **names;
	int nsec, rc = 0;

	tern_config_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if ((file = open_file(path, err, errlen)) == NULL)
		return -1;
	if ((names = section_names(file, &nsec)) == NULL) {
		rte_cfgfile_close(file);
		return fail(&p, NULL, "out of memory");
	}
	for (int i = 0; i < nsec && rc == 0; i++)
		for (int j = 0; j < i && rc == 0; j++)
			if (strcmp(names[i], names[j]) == 0) {
				p.section = names[i];
				rc = fail(&p, NULL, "section given twice");
			}
	if (rc == 0)
		rc = parse_ports(&p, file, names, nsec, cfg);
	for (int i = 0; i < nsec && rc == 0; i++)
		rc = parse_other(&p, file, names[i], cfg);
	if (rc == 0)
		rc = check_whole(&p, cfg);
	for (int i = 0; i < nsec; i++)
		free(names[i]);
	free(names);
	rte_cfgfile_close(file);
	return rc;
}

int
tern_config_require_addresses(const struct tern_config *cfg, char *err, size_t errlen)
{
	for (unsigned i = 0; i < cfg->nports; i++)
		if (cfg->ports[i].prefix_len == 0) {
			snprintf(err, errlen, "%s: [%s] address: required key is missing "
				 "(expected address/prefix like 198.18.0.1/24)",
				 cfg->path, cfg->ports[i].section);
			return -1;
		}
	return 0;
}
