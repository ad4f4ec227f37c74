/*
 * The TCP load-terminating proxy, as the composition root sees it.
 *
 * A frontend listens on virtual IPs; each connection a client completes
 * there gets a server of the frontend's backend (round-robin, leastconn or
 * Maglev), a connection of ours to it from one of the backend's source
 * addresses (with a source port whose replies come to this same worker, so
 * both legs live on one worker and nothing is shared), and from then on the
 * mbuf chains one leg delivers are the chains the other sends: no copy.
 * Bytes are consumed on the receiving leg only once the other leg took
 * them, so a slow side holds the fast one back by TCP's own window.
 *
 * Each worker has its own copy of the servers' state; health and weights
 * are decided on the control side (proxy_main.h) and broadcast.
 */
#ifndef TERN_PROXY_PROXY_H
#define TERN_PROXY_PROXY_H

#include <stdint.h>

#include "core/config.h"
#include "core/worker.h"
#include "net/net.h"
#include "proxy_counters.h"
#include "tcp/tcp.h"

struct proxy_worker;

/* HAProxy's server states. */
enum proxy_srv_state {
	PROXY_SRV_UP = 0,
	PROXY_SRV_DOWN,     /* failed its checks (or connections): takes nothing */
	PROXY_SRV_DRAIN,    /* no new connections, open ones finish */
	PROXY_SRV_MAINT,    /* administratively out: as drain, and checks ignored */
};

/* One frontend's, backend's or server's counts in HAProxy's vocabulary (per worker). */
struct proxy_stats {
	uint64_t scur, smax, stot;     /* sessions: current, most at once, total */
	uint64_t bin, bout;            /* bytes from the client, to the client */
	uint64_t qcur, qmax;           /* waiting for a server */
	uint64_t dcon;                 /* connections refused (maxconn, queue full, no server) */
	uint64_t ereq;                 /* bad PROXY headers from clients */
	uint64_t econ;                 /* failed connections to servers */
	uint64_t eresp;                /* servers that reset or timed out after connecting */
	uint64_t wretr, wredis;        /* retries, redispatches to another server */
	uint64_t lbtot;                /* times chosen */
	uint64_t cli_abrt, srv_abrt;   /* sessions ended by a client's or a server's reset */
	uint64_t timeouts;             /* sessions ended by a timeout */
};

/* Whether the configuration has any frontend (no proxy state otherwise). */
int proxy_configured(const struct tern_config *cfg);

/*
 * Adds every virtual IP and source address to the worker's ports, listens on
 * the frontends, and on worker 0 starts the health checks. 0 or -errno.
 */
int proxy_start(struct proxy_worker **out, struct tern_worker *w, struct net_worker *nw,
		struct tcp_worker *tw, const struct tern_config *cfg, struct proxy_counters *cnt);
/* Before the worker's TCP is torn down: its callbacks must open nothing new. */
void proxy_quiesce(struct proxy_worker *pw);
void proxy_stop(struct proxy_worker *pw);
/* Every worker loop: session timers and health checks. */
void proxy_tick(struct proxy_worker *pw);

/* ---- from the control side ----------------------------------------------------- */

enum proxy_event_kind {
	PROXY_EV_SERVER = 1,   /* a server's state and weight */
	PROXY_EV_MAGLEV,       /* a backend's new Maglev table */
	PROXY_EV_REFUSE,       /* graceful stop: close the listeners */
	PROXY_EV_ABORT_ALL,    /* the grace time is over: reset every session */
};

struct proxy_event {
	uint16_t kind;
	uint16_t backend, server;
	uint8_t state;                 /* PROXY_EV_SERVER */
	uint32_t weight;
	const void *table;             /* PROXY_EV_MAGLEV: const struct maglev_table * */
};

void proxy_event(struct proxy_worker *pw, const struct proxy_event *ev);

/* Sessions open on this worker (graceful stop waits for 0). */
uint32_t proxy_sessions(const struct proxy_worker *pw);

/*
 * One worker's counts: frontends (backend = PROXY_STATS_FRONTENDS) or one
 * backend followed by its servers. Copies at most max entries into out and
 * returns how many there are.
 */
#define PROXY_STATS_FRONTENDS UINT32_MAX
unsigned proxy_stats_copy(const struct proxy_worker *pw, uint32_t backend,
			  struct proxy_stats *out, unsigned max);

/* ---- to the control side (worker 0's health checks, every worker's failures) ---- */

enum proxy_note_kind {
	PROXY_NOTE_CHECK = 1,          /* a check's result */
	PROXY_NOTE_FAILURES,           /* a worker saw `fall` failed connections in a row */
};

struct proxy_note {
	uint16_t kind;
	uint16_t backend, server;
	uint8_t ok;                    /* PROXY_NOTE_CHECK */
	char what[40];                 /* L4OK, L4CON, L4TOUT, L7OK, L7STS 503, L7RSP ... */
};

/*
 * How the proxy reaches the control side: the composition root gives a
 * function that queues a note for it (the worker's notification ring).
 */
typedef void (*proxy_notify_fn)(struct tern_worker *w, const struct proxy_note *n);
void proxy_set_notify(struct proxy_worker *pw, proxy_notify_fn fn);

#endif
