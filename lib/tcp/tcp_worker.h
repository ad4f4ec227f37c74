/*
 * Everything TCP keeps per worker: the TCB pool, the flow table, the
 * listeners, the timer wheel and the tunables in the units the stack uses.
 * No state is shared between workers.
 */
#ifndef TERN_TCP_WORKER_H
#define TERN_TCP_WORKER_H

#include <stdint.h>

#include <rte_hash.h>

#include "core/config.h"
#include "tcp_config.h"
#include "tcp_flowtab.h"
#include "net/net.h"
#include "tcb.h"
#include "tcp_counters.h"
#include "tcp_cc.h"
#include "core/timer_wheel.h"

#define TCP_MAX_LISTENERS 64 /* at most 64: a slot mask is one uint64_t */
#define TCP_TICK_US 1000          /* timer wheel and timestamp clock: 1 ms */

struct tcp_listener {
	uint8_t used;                 /* the slot holds a listener (no port value means "free") */
	rte_be32_t addr;              /* one local address, or 0: every address of every port */
	uint16_t port;                /* host order */
	uint32_t syn_recv;            /* connections in SYN-RECEIVED (backlog) */
	uint32_t nconns;              /* connections it made, until freed ([tcp] listener_max_connections) */
	uint64_t cookie_tick;         /* when it last answered a SYN with a cookie, plus 1; 0: never */
	tern_accept_fn accept;
	void *ctx;
	const struct tcp_cc_ops *cc;  /* NULL: the worker's default */
};

/* The out-of-order store: segments held per worker, bounded by [tcp] ooo_mbufs. */
struct tcp_ooo_seg {
	struct rte_mbuf *m;           /* payload only */
	tcp_seq_t seq;
	uint32_t len;
	uint32_t next;                /* next (higher) segment of the same TCB, or UINT32_MAX */
};

#define TCP_BATCH_MAX 64 /* connections held per input burst (more go out at once) */

struct tcp_worker {
	struct net_worker *net;
	struct tern_worker *w;
	const struct tcp_cfg *cfg;
	const struct tcp_cc_ops *cc;
	struct tcp_rtt_limits rtt_lim;
	uint64_t tsc_per_tick;
	uint64_t tick;                /* now, in ticks */
	uint8_t rcv_wscale;           /* our window scale offer */
	uint64_t autotune_budget;     /* bytes autotuning may add to buffers ([tcp] autotune_budget_mib);
				       * what it has added is the gauge TcpExtTCPAutotuneBytes */
	/* connections */
	struct tcb *tcbs;
	uint32_t ntcbs, used, free_head;
	uint32_t tw_head, tw_tail;    /* TIME-WAIT connections, oldest first (tcp_limits.c) */
	struct rte_hash *src_conns;   /* source address -> position in src_count ([tcp] source_max_connections) */
	uint32_t *src_count;
	struct flowtab flows;         /* 4-tuple -> TCB (tcp_flow.c) */
	uint64_t flow_gen;            /* bumped by every add and delete: bulk lookups go stale */
	struct tcp_listener listeners[TCP_MAX_LISTENERS];
	/* Slots of the listeners on each port's low byte: a SYN looks at those, not at all 64. */
	uint64_t listeners_by_port[256];
	/* out-of-order store */
	struct tcp_ooo_seg *ooo;
	uint32_t ooo_free, ooo_used;
	/* RFC 6528 key, SYN cookie key, RFC 5961 §7 rate limit, ephemeral ports */
	uint64_t isn_key[2];
	uint64_t cookie_key[2];       /* this worker's own: a flow's SYN and ACK reach the same worker */
	uint64_t challenge_window_tick;
	uint32_t challenge_acks;
	uint32_t ephemeral_next;       /* where the next source port search starts */
	struct timer_wheel wheel;
	/* Connections an API call touched during a burst of input, held for one output after it. */
	int batching;
	unsigned nbatched;
	struct tcb *batched[TCP_BATCH_MAX];
	/* Connections in each state, kept by tcp_set_state ([TCPS_CLOSED] means nothing). */
	uint32_t nstate[TCPS_NSTATES];
	struct tcp_counters cnt;
};

int tcp_worker_init(struct tcp_worker *tw, struct net_worker *net,
		    const struct tcp_cfg *cfg);
/* Aborts every connection (on_closed ABORTED), frees everything. */
void tcp_worker_fini(struct tcp_worker *tw);

/* Time: call once per loop (and before input in tests). Fires due timers. */
void tcp_worker_tick(struct tcp_worker *tw);
/*
 * The clock alone, from the loop's time (tern_worker.now); input calls it.
 * Input runs before the loop's tick, and after a stall (a preempted
 * worker) the previous loop's time would arm timers in the past: an ACK
 * that arrived during the stall would re-arm the tail-loss probe only to
 * see it fire at once (spurious probes on a lossless link).
 */
void tcp_worker_clock(struct tcp_worker *tw);

/* A validated segment (l2/l3/l4 lengths set) for this worker. Takes m. */
void tcp_input(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m);
/* A validated segment another worker steered here (see tcp_input.c). Takes m. */
void tcp_input_steered(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m);
/*
 * The same for n validated segments of one port (n <= TCP_INPUT_BURST):
 * one bulk flow lookup with the control blocks prefetched, then each in
 * order, as n calls of tcp_input would.
 */
#define TCP_INPUT_BURST 64 /* segments looked up together (tcp_flow_lookup_segs) */
void tcp_input_burst(struct tcp_worker *tw, uint16_t port, struct rte_mbuf **m, unsigned n);

/* Pool */
struct tcb *tcb_alloc(struct tcp_worker *tw);
void tcb_free(struct tcp_worker *tw, struct tcb *c);
/* Flow table */
struct tcb *tcp_flow_lookup(struct tcp_worker *tw, rte_be32_t raddr, rte_be16_t rport,
			    rte_be32_t laddr, rte_be16_t lport);
int tcp_flow_add(struct tcp_worker *tw, struct tcb *c);
void tcp_flow_del(struct tcp_worker *tw, struct tcb *c);
/* The listener for a segment to addr:port: one bound to addr first, then one on every address. */
struct tcp_listener *tcp_listener_find(struct tcp_worker *tw, rte_be32_t addr, uint16_t port);

/*
 * Sets c->iss (RFC 6528) and c->ts_offset from one keyed hash of the
 * 4-tuple: its low half is the ISN's F(), its high half the offset.
 */
void tcp_isn_and_ts_offset(struct tcp_worker *tw, struct tcb *c);
/* That keyed hash (SipHash of the 4-tuple under isn_key): F() in the low half, the offset in the high. */
uint64_t tcp_isn_hash(const struct tcp_worker *tw, rte_be32_t raddr, rte_be16_t rport,
		      rte_be32_t laddr, rte_be16_t lport);

static inline struct tcp_counters *
tcp_cnt(struct tcp_worker *tw)
{
	return &tw->cnt;
}

#endif
