/*
 * Run options: packetdrill's command-line options that published scripts
 * use (also accepted as "--name=value" script header lines), and the
 * profile that makes tern's defaults what those scripts assume.
 */
#ifndef PKT_OPTS_H
#define PKT_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "lexer.h"

#define PKT_MAX_DEFINES 32

struct pkt_opts {
	/* timing (packetdrill's defaults: 4 ms, 12.5% of the gap to the previous event) */
	int64_t tolerance_usecs;
	int64_t poll_interval_us;    /* 0: tern polls at every event; N: only every N us (a busy worker) */
	double tolerance_percent;
	uint32_t tcp_ts_tick_usecs;  /* 0: outbound TS val is learned, not checked */
	/* segment matching */
	int relax_psh;               /* PSH compared loosely */
	int ts_ecr_check;            /* outbound TS ecr compared (default on) */
	int strict_end;              /* segments left unmatched at the end fail (default on) */
	/* the profile */
	uint32_t mtu;                /* tern's MSS offer is mtu - 40 (--mss sets mtu = mss + 40) */
	uint32_t rcvbuf, sndbuf;     /* per connection; rcvbuf decides the wscale offered */
	uint16_t bind_port, connect_port;
	char cc[16];                 /* congestion control ("cubic", "newreno"); "": tern's default */
	char syncookies[8];          /* [tcp] syncookies ("never", "auto", "always"); "": tern's default */
	uint32_t backlog;            /* [tcp] backlog; 0: tern's default */
	uint32_t source_max;         /* [tcp] source_max_connections; 0: no cap */
	char ecn[8];                 /* [tcp] ecn ("off", "accept", "on"); "": tern's default */
	int no_tso;                  /* the port does not segment: tern sends MSS-sized frames */
	int lro;                     /* inbound TCP frames above the MTU come marked as coalesced (LRO) */
	int verbose;
	struct pkt_define defs[PKT_MAX_DEFINES];
	int ndefs;
};

void pkt_opts_defaults(struct pkt_opts *o);

/*
 * Applies one option by name (without dashes). Returns 1 when it was a
 * packetdrill option that has no meaning here (ignored), 0 when applied,
 * -1 with a message in err when unknown or malformed.
 */
int pkt_opts_set(struct pkt_opts *o, const char *name, const char *value, char *err, size_t errlen);

/* Parses argv; script paths are left in paths. Returns -1 with a message. */
int pkt_opts_from_argv(struct pkt_opts *o, int argc, char **argv, const char ***paths, int *npaths,
		       char *err, size_t errlen);

void pkt_opts_usage(const char *prog);

#endif
