/*
 * tern's TCP, as applications see it: per-worker, event driven, no locks.
 * A connection lives on the worker its flow hashes to; every call below is
 * made on that worker, from a callback or from the worker's own loop.
 * Callbacks run after the stack has finished the state change that caused
 * them, so a callback may send, close or abort.
 */
#ifndef TERN_TCP_TCP_H
#define TERN_TCP_TCP_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

struct tcb;
struct tcp_worker;

enum tern_close_reason {
	TERN_CLOSE_NORMAL = 0,   /* both sides closed; orderly */
	TERN_CLOSE_RESET,        /* the peer reset the connection */
	TERN_CLOSE_REFUSED,      /* active open answered by RST */
	TERN_CLOSE_TIMEOUT,      /* retransmissions (or SYNs, or keepalives) given up */
	TERN_CLOSE_ABORTED,      /* tern_abort(), or shut down with the worker */
};

const char *tern_close_reason_name(enum tern_close_reason r);

struct tern_conn_ops {
	/* The connection is established. */
	void (*on_open)(struct tcb *c, void *ctx);
	/*
	 * In-order payload (m's data is payload only; may be a chain). The app
	 * owns m. Received bytes keep occupying the receive window until the app
	 * calls tern_consumed().
	 */
	void (*on_data)(struct tcb *c, void *ctx, struct rte_mbuf *m);
	/* Send space has opened after tern_send() took less than offered. */
	void (*on_writable)(struct tcb *c, void *ctx);
	/* The peer will send no more (its FIN arrived, after all its data). */
	void (*on_peer_fin)(struct tcb *c, void *ctx);
	/* The connection is gone; c is invalid once this returns. */
	void (*on_closed)(struct tcb *c, void *ctx, enum tern_close_reason reason);
};

/*
 * Called for each connection a listener completes. Returns 0 and sets
 * the ops and ctx outputs to take it, or non-zero to refuse it (it is reset).
 */
typedef int (*tern_accept_fn)(struct tcb *c, void *listen_ctx,
			      const struct tern_conn_ops **ops, void **ctx);

/* Listens on local port (host order) of every address of the worker's ports. */
int tern_listen(struct tcp_worker *tw, uint16_t port, tern_accept_fn accept, void *listen_ctx);
/*
 * Listens on port of one local address (network order; a virtual IP added
 * with net_add_address, say). For that address it takes precedence over a
 * listener on every address.
 */
int tern_listen_on(struct tcp_worker *tw, rte_be32_t addr, uint16_t port, tern_accept_fn accept,
		   void *listen_ctx);
/*
 * Stops listening on addr:port (addr 0: the listener on every address):
 * later SYNs get a RST; connections still in SYN-RECEIVED from this
 * listener are reset (a walk over the TCB table: not for the data path).
 * Returns 0, or -ENOENT.
 */
int tern_unlisten_on(struct tcp_worker *tw, rte_be32_t addr, uint16_t port);
int tern_unlisten(struct tcp_worker *tw, uint16_t port);

/* Congestion control ("cubic", "newreno") for the listener's connections. */
int tern_listen_set_cc(struct tcp_worker *tw, uint16_t port, const char *cc);

/*
 * Opens a connection to dst:port (network/host order) from the port that
 * routes to dst, with a source port whose replies hash to this worker.
 * Returns NULL (with rte_errno) when no TCB or port is free.
 */
struct tcb *tern_connect(struct tcp_worker *tw, rte_be32_t dst, uint16_t port,
			 const struct tern_conn_ops *ops, void *ctx);

/* Where an active open leaves from. */
struct tern_connect_opts {
	rte_be32_t src;              /* one of the port's addresses; 0: the port's own */
	uint16_t sport_lo, sport_hi; /* source ports (host order); 0, 0: 32768-60999 */
};

/*
 * tern_connect from o's address and port range. Fails with rte_errno
 * ENETUNREACH (no route), EADDRNOTAVAIL (src is not ours, or no free port
 * whose replies come to this worker: counted as TcpExtConnectNoPort),
 * ENOBUFS (no TCB).
 */
struct tcb *tern_connect_ex(struct tcp_worker *tw, rte_be32_t dst, uint16_t port,
			    const struct tern_connect_opts *o, const struct tern_conn_ops *ops,
			    void *ctx);

/*
 * Queues the chain m for sending, all or nothing: returns its length when
 * taken (the stack owns m), 0 when it does not fit in the send space (the
 * caller keeps m; on_writable follows when space opens). A chain larger
 * than the whole buffer is taken when nothing else is queued.
 */
uint32_t tern_send(struct tcb *c, struct rte_mbuf *m);
/* Copies len bytes into the send queue; returns the bytes taken. */
uint32_t tern_send_bytes(struct tcb *c, const void *data, uint32_t len);
/* Bytes tern_send would take now. */
uint32_t tern_send_space(const struct tcb *c);
/* Asks for on_writable once send space opens (tern_send does this itself when it is short). */
void tern_notify_writable(struct tcb *c);

/* The app is done with n received bytes: the window reopens. */
void tern_consumed(struct tcb *c, uint32_t n);

/* Sends FIN after queued data; receiving goes on (half-close). */
void tern_shutdown(struct tcb *c);
/* Shutdown, and no more data will be read: later data is answered with RST. */
void tern_close(struct tcb *c);
/*
 * Close, but data that still arrives is acknowledged and dropped instead of
 * reset (RFC 9112 §9.6 "lingering close": a RST could destroy the response
 * the peer has not read yet). FIN-WAIT-2 still ends after [tcp] fin_wait2_ms.
 */
void tern_close_lingering(struct tcb *c);
/* Resets the connection now; on_closed(TERN_CLOSE_ABORTED) follows. */
void tern_abort(struct tcb *c);

/* Per-connection option: Nagle off when nodelay != 0 (on by default). */
void tern_set_nodelay(struct tcb *c, int nodelay);

/* The app's per-connection pointer (initially the ctx the listener gave). */
void tern_set_ctx(struct tcb *c, void *ctx);
/* The worker's clock: the TSC its loop read last (a virtual one in memory tests). */
uint64_t tern_now(const struct tcp_worker *tw);

/* A number unique among the worker's live connections, below [tcp] max_connections. */
uint32_t tern_conn_id(const struct tcb *c);
/* Bytes received and not yet consumed by the app. */
uint32_t tern_unconsumed(const struct tcb *c);

/* A connection's state as `ss -ti` would show it. */
struct tern_tcp_info {
	uint8_t state;               /* enum tcp_state of tcb.h */
	uint8_t in_recovery;
	uint16_t mss;
	uint32_t cwnd, ssthresh;     /* bytes */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint32_t snd_wnd, rcv_wnd;   /* bytes */
	uint32_t flight;             /* bytes sent and not acknowledged */
	uint32_t sacked, lost;       /* bytes, from the SACK scoreboard */
	uint32_t retransmits;        /* segments over the connection's life */
	uint32_t unsent, unconsumed;
	uint8_t snd_wscale, rcv_wscale; /* 0xff: no window scaling */
	uint32_t bytes_acked;        /* of ours the peer acknowledged (mod 2^32) */
	uint32_t bytes_received;     /* in order from the peer (mod 2^32) */
	const char *cc;
};

/* A state (tern_tcp_info.state) as Linux's ss prints it: ESTAB, SYN-RECV, TIME-WAIT ... */
const char *tern_tcp_state_ss(uint8_t state);
/* The values of tern_tcp_info.state: CLOSED (0) to TIME-WAIT (10). */
#define TERN_TCP_NSTATES 11

/*
 * How many of the worker's connections are in each state, indexed like
 * tern_tcp_info.state (LISTEN: its listeners; CLOSED: 0). Kept as states
 * change, so it costs the same for ten connections or a million.
 */
void tern_tcp_states(const struct tcp_worker *tw, uint32_t out[TERN_TCP_NSTATES]);

void tern_conn_info(const struct tcb *c, struct tern_tcp_info *info);

/* Addresses (network order) of a connection. */
void tern_conn_addrs(const struct tcb *c, rte_be32_t *laddr, rte_be16_t *lport,
		     rte_be32_t *raddr, rte_be16_t *rport);

/*
 * A reference to a connection that survives its reuse: whoever refers to
 * a connection it does not own (the other leg of a proxied pair, a control
 * request) keeps one of these, never a bare struct tcb *, and resolves it
 * when it needs the connection. A TCB slot that was freed and taken again
 * has a new generation, so an old reference resolves to NULL.
 */
struct tern_conn_ref {
	uint32_t idx;
	uint32_t gen;                /* 0 is never a live connection's */
};

struct tern_conn_ref tern_conn_ref(const struct tcb *c);
/* The connection ref names, or NULL when it has closed (or ref is null). */
struct tcb *tern_conn_deref(struct tcp_worker *tw, struct tern_conn_ref ref);

/* One connection as the control plane lists it (ss). */
struct tern_conn_row {
	struct tern_conn_ref ref;
	rte_be32_t laddr, raddr;
	rte_be16_t lport, rport;
	struct tern_tcp_info info;
};

/* At most this many TCB slots are looked at per page: a page costs a bounded time. */
#define TERN_CONN_PAGE_SCAN 2048

/*
 * Up to max rows of the worker's connections from slot cursor on, looking
 * at no more than TERN_CONN_PAGE_SCAN slots (so a page may hold fewer rows
 * than max without being the last). Returns the cursor of the next page,
 * or UINT32_MAX after the last slot.
 */
uint32_t tern_conn_page(struct tcp_worker *tw, uint32_t cursor, struct tern_conn_row *rows,
			uint32_t max, uint32_t *nrows);

/*
 * The worker's listeners as rows (state LISTEN, the local address 0 when it
 * takes every address; info.unconsumed: connections in SYN-RECEIVED,
 * info.unsent: the backlog): up to max, how many.
 */
uint32_t tern_listen_rows(struct tcp_worker *tw, struct tern_conn_row *rows, uint32_t max);

#endif
