/* Shared between the files of lib/proxy; not part of its interface. */
#ifndef TERN_PROXY_INTERNAL_H
#define TERN_PROXY_INTERNAL_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "balance.h"
#include "core/timer_wheel.h"
#include "maglev.h"
#include "proxy.h"
#include "proxy_config.h"
#include "tcp/tcp.h"

#define PROXY_TICK_US 1000       /* the session timer wheel's tick */
#define PROXY_HDR_MAX 536        /* longest PROXY header accepted from a client */

enum { LEG_CLIENT = 0, LEG_SERVER = 1 };

enum sess_state {
	SESS_FREE = 0,
	SESS_NEW,           /* accepted; the server leg starts when the client's on_open comes */
	SESS_WAIT_HDR,      /* accept_proxy: waiting for the client's PROXY header */
	SESS_QUEUED,        /* the chosen server is at its maxconn */
	SESS_CONNECTING,    /* the server leg's handshake is under way */
	SESS_OPEN,          /* both legs connected: bytes flow */
	SESS_DONE,          /* one leg aborted or both closed: waiting for the last on_closed */
};

/* A proxied pair: the client's connection and ours to a server. */
struct proxy_sess {
	struct proxy_worker *pw;
	struct tern_conn_ref leg[2];   /* never a bare TCB pointer: resolved when needed */
	uint8_t alive[2];              /* the leg exists (its on_closed has not come) */
	uint8_t fin[2];                /* the leg sent its FIN (after its data) */
	uint8_t shut[2];               /* we sent ours on the leg */
	uint8_t state;                 /* enum sess_state */
	uint8_t busy;                  /* callbacks nested: free when it falls to 0 */
	uint8_t tries;                 /* connection attempts made */
	uint8_t hdr_sent;              /* send_proxy header written to the server leg */
	uint16_t fe, be;
	int32_t srv;                   /* server of the current attempt, -1: none */
	struct rte_mbuf *pending[2];   /* received on leg d, not yet taken by the other leg */
	uint64_t last[2];              /* tick of the last activity on each leg */
	uint64_t since;                /* tick the current state began */
	struct wheel_timer timer;
	struct proxy_sess *qnext;      /* a server's queue */
	rte_be32_t caddr, vaddr;       /* the client (from a PROXY header if any) and the VIP */
	rte_be16_t cport, vport;
	uint32_t next_free;
};

/* A server as one worker sees it. */
struct proxy_server {
	const struct proxy_server_cfg *cfg;
	rte_be32_t addr;
	rte_be16_t port;
	uint8_t state;                 /* enum proxy_srv_state, as the control side broadcast */
	uint32_t weight;               /* configured, or set from the control side */
	uint32_t maxconn, maxqueue;    /* this worker's share; maxconn 0: no limit */
	uint32_t conns;                /* connections to it, opening or open */
	uint32_t qlen;
	struct proxy_sess *qhead, *qtail;
	uint32_t fails;                /* consecutive failed connections or resets */
	struct proxy_stats st;
};

struct proxy_backend {
	const struct proxy_backend_cfg *cfg;
	struct proxy_server *srv;
	struct balance_server *bal_srv;
	struct balance bal;
	const struct maglev_table *maglev;  /* in use: the worker's first, then the control side's */
	struct maglev_table first;     /* built at start, owned by the worker */
	unsigned next_source;
	struct proxy_stats st;
};

struct proxy_frontend {
	const struct proxy_frontend_cfg *cfg;
	struct proxy_worker *pw;
	uint32_t maxconn;              /* this worker's share */
	uint32_t cur;
	struct proxy_stats st;
};

struct proxy_checks;

struct proxy_worker {
	struct tern_worker *w;
	struct tcp_worker *tw;
	const struct tern_config *cfg;
	uint64_t tsc_per_tick, tick;
	struct timer_wheel wheel;
	unsigned nfe, nbe;
	struct proxy_frontend fe[PROXY_MAX_FRONTENDS];
	struct proxy_backend be[PROXY_MAX_BACKENDS];
	struct proxy_sess *sess;
	uint32_t nsess, free_head, used;
	uint8_t refusing;              /* graceful stop: listeners closed */
	uint8_t stopping;              /* the worker is torn down: no new connections */
	struct proxy_checks *check;     /* worker 0: the health checks */
	proxy_notify_fn notify;
	struct proxy_counters *cnt;    /* in the worker struct (the composition root's layout) */
};

/* Sessions (proxy_session.c) */
struct proxy_sess *sess_alloc(struct proxy_worker *pw);
void sess_enter(struct proxy_sess *s);
void sess_leave(struct proxy_worker *pw, struct proxy_sess *s);
struct tcb *sess_leg(struct proxy_worker *pw, const struct proxy_sess *s, int leg);
void sess_abort(struct proxy_worker *pw, struct proxy_sess *s);
void sess_connect(struct proxy_worker *pw, struct proxy_sess *s);
/*
 * Server i of backend be went down or into maintenance: what waited in its
 * queue chooses again (another server, another queue, or a reset), as
 * HAProxy redistributes a server's pending connections.
 */
void sess_requeue(struct proxy_worker *pw, unsigned be, int i);
void sess_end_leg(struct proxy_worker *pw, struct proxy_sess *s, int leg,
		  enum tern_close_reason why);
void sess_server_done(struct proxy_worker *pw, struct proxy_sess *s);
int sess_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
extern const struct tern_conn_ops proxy_client_ops, proxy_server_ops;

/* Moving bytes (proxy_splice.c) */
void splice_take(struct proxy_worker *pw, struct proxy_sess *s, int leg, struct rte_mbuf *m);
void splice_forward(struct proxy_worker *pw, struct proxy_sess *s, int from);
int splice_proxy_header(struct proxy_worker *pw, struct proxy_sess *s);
void splice_send_header(struct proxy_worker *pw, struct proxy_sess *s);

/* A backend's Maglev table from per-server weights (0: out); 0 or -errno (proxy_maglev.c). */
int proxy_maglev_build(struct maglev_table *t, const struct proxy_backend_cfg *bc,
		       const uint32_t *weights);

/* Choosing a server (proxy_pick.c) */
int pick_server(struct proxy_worker *pw, struct proxy_sess *s, int exclude);
void server_refresh_weights(struct proxy_backend *b);
void queue_remove(struct proxy_server *srv, struct proxy_sess *s);

/* Timers (proxy_timer.c) */
void sess_timer_arm(struct proxy_worker *pw, struct proxy_sess *s);
void proxy_timer_expired(struct timer_wheel *wheel, struct wheel_timer *t, void *ctx);

/* Health checks, worker 0 (proxy_check.c); their timers carry tag CHECK_TAG */
#define CHECK_TAG 1
int check_start(struct proxy_worker *pw);
void check_stop(struct proxy_worker *pw);
void check_timer(struct proxy_worker *pw, struct wheel_timer *t);

static inline void
stats_open(struct proxy_stats *st)
{
	st->scur++;
	st->stot++;
	if (st->scur > st->smax)
		st->smax = st->scur;
}

#endif
