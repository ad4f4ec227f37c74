/* lib/tcp's configuration: [tcp] (the table is in tcp_config.c). */
#ifndef TERN_TCP_CONFIG_H
#define TERN_TCP_CONFIG_H

#include <stdint.h>

#include "core/config.h"

#define TCP_CC_NAME_LEN 16

/* [tcp] syncookies: when a SYN is answered with a cookie instead of a TCB (RFC 4987 §3.6). */
enum tcp_syncookies {
	TCP_SYNCOOKIES_NEVER = 0,
	TCP_SYNCOOKIES_AUTO,        /* once the listener's backlog is full (Linux's 1, its default) */
	TCP_SYNCOOKIES_ALWAYS,
};

/* [tcp] ecn: Explicit Congestion Notification (RFC 3168), as Linux's net.ipv4.tcp_ecn 0, 2, 1. */
enum tcp_ecn {
	TCP_ECN_OFF = 0,
	TCP_ECN_ACCEPT,             /* when the peer's SYN asks (Linux's 2, its default) */
	TCP_ECN_ON,                 /* also asked for on tern's own SYNs */
};

/* TCP tunables; defaults follow Linux where RFCs leave a choice. */
struct tcp_cfg {
	uint32_t max_connections;   /* TCBs per worker */
	uint32_t rcvbuf, sndbuf;    /* bytes per connection, at the start */
	uint32_t rcvbuf_max, sndbuf_max; /* autotuning's ceilings */
	uint32_t autotune_budget_mib; /* growth beyond rcvbuf/sndbuf per worker; 0: half the mbuf pool */
	uint32_t backlog;           /* SYN-RECEIVED per listener per worker */
	uint32_t syncookies;        /* enum tcp_syncookies */
	uint32_t ecn;               /* enum tcp_ecn */
	uint32_t msl_ms;            /* TIME-WAIT lasts 2*MSL */
	uint32_t fin_wait2_ms;
	uint32_t syn_retries, synack_retries, retries;
	uint32_t delack_ms;
	uint32_t initial_rto_ms, min_rto_ms, max_rto_ms;
	uint32_t keepalive_idle_ms, keepalive_interval_ms, keepalive_probes;
	int keepalive;
	int nagle;
	int timestamps, sack, window_scaling;
	int gro;                      /* merge a burst's in-order segments of a flow before TCP input */
	uint32_t ooo_mbufs;         /* out-of-order mbufs held per worker */
	uint32_t challenge_ack_limit; /* per second per worker (RFC 5961 §7), on average */
	uint32_t challenge_ack_conn_ms; /* between two challenge ACKs of one connection, 0: no limit */
	uint32_t listener_max_connections; /* per listener per worker, 0: no cap */
	uint32_t source_max_connections;   /* per source address per worker (passive opens), 0: no cap */
	uint32_t idle_timeout_ms;   /* no data either way this long: reset, 0: never */
	uint32_t orphan_probes;     /* zero-window probes a closed connection sends before it is reset */
	char cc[TCP_CC_NAME_LEN];
};

extern const struct cfg_section tcp_section;
/* The congestion controls a config may name (for other modules' cc keys). */
extern const char *const tcp_cc_names[];

static inline struct tcp_cfg *
tcp_config(const struct tern_config *cfg)
{
	return tern_config_obj(cfg, &tcp_section, 0);
}

#endif
