/*
 * The per-lcore worker: a poll-mode run-to-completion loop over one RX and
 * one TX queue of every port. rx_burst -> (impairment) -> the layers above
 * (ops->rx) -> steered packets -> ops->tick -> control requests -> batched
 * tx_burst, with the TSC read once per loop.
 *
 * A worker runs in memory when its environment gives an rx_hook and a
 * tx_hook: frames then come from and go to the hooks instead of the ports,
 * and the caller of tern_worker_poll sets the time (scenario tests,
 * benchmarks). Nothing else differs.
 */
#ifndef TERN_CORE_WORKER_H
#define TERN_CORE_WORKER_H

#include <stdint.h>
#include <string.h>

#include <rte_debug.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "chan.h"
#include "core_counters.h"
#include "impair.h"
#include "port.h"

#define TERN_RX_BURST 32
#define TERN_TX_BATCH 64
#define TERN_STEER_RING 4096
#define TERN_TX_BACKLOG 1024          /* frames a busy port may owe per worker */
#define TERN_TX_REFUSALS 100000       /* polls without progress before the head frame is dropped */

struct tern_worker;
struct tern_capture;

/* What the layers above do; each called once per loop or burst, not per packet. */
struct tern_worker_ops {
	/* Frames received on port (index into the port table). */
	void (*rx)(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n);
	/* Packets other workers steered to this one (m->port is the port index). */
	void (*steered)(struct tern_worker *w, struct rte_mbuf **pkts, uint16_t n);
	/* Housekeeping once per loop, after RX and before TX flush. */
	void (*tick)(struct tern_worker *w);
	/* A control request (chan.h): fills the reply in m and sets m->status. */
	void (*msg)(struct tern_worker *w, struct tern_msg *m);
};

/* In-memory worker: up to max frames "received" on port (0 when none). */
typedef uint16_t (*tern_rx_hook_fn)(struct tern_worker *w, uint16_t port,
				    struct rte_mbuf **pkts, uint16_t max);
/* In-memory worker: takes ownership of all n frames "sent" on port. */
typedef void (*tern_tx_hook_fn)(struct tern_worker *w, uint16_t port,
				struct rte_mbuf **pkts, uint16_t n);

/*
 * For rx hooks: moves up to max frames from the front of a list of n into
 * pkts (the rest move up); returns how many.
 */
static inline uint16_t
tern_rx_take(struct rte_mbuf **list, uint16_t *n, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t k = *n < max ? *n : max;

	memcpy(pkts, list, k * sizeof(pkts[0]));
	memmove(list, list + k, (*n - k) * sizeof(list[0]));
	*n -= k;
	return k;
}

/* Everything a worker is built from; the runtime fills it, or a test or benchmark. */
struct tern_worker_env {
	uint16_t index;               /* 0 .. nworkers-1, also the queue id */
	uint16_t nworkers;
	struct tern_port *ports;      /* shared, read-only after start */
	uint16_t nports;
	struct rte_mempool *pool;     /* this worker's mbufs */
	int socket;                   /* NUMA node of the lcore that will run it */
	struct tern_worker **peers;   /* every worker, by index (filled as they are built) */
	uint64_t now;                 /* TSC at build; 0: rte_rdtsc() (virtual clocks set it) */
	tern_rx_hook_fn rx_hook;      /* NULL: the ports */
	tern_tx_hook_fn tx_hook;      /* NULL: the ports */
	void *hook_ctx;
};

struct tern_txq {
	uint16_t n;
	struct rte_mbuf *pkts[TERN_TX_BATCH];
};

/* Frames the port refused (its queue was full), sent first on the next flush. */
struct tern_tx_backlog {
	uint16_t n;
	uint32_t refused;   /* drains in a row that sent nothing */
	struct rte_mbuf *pkts[TERN_TX_BACKLOG];
};

struct tern_worker {
	uint64_t now;                 /* TSC, read once per loop */
	uint16_t index;
	uint16_t nworkers;
	uint16_t nports;
	int socket;
	unsigned lcore_id;            /* LCORE_ID_ANY unless tern_worker_main runs it */
	struct tern_port *ports;
	const struct tern_worker_ops *ops;
	struct rte_mempool *pool;
	/* Set only by the worker itself, on the control side's TERN_MSG_CAPTURE: NULL, no capture. */
	struct tern_capture *capture;
	tern_impair_finalize_fn finalize; /* fills offloaded checksums in software (may be NULL) */
	struct rte_ring *steer_ring;  /* packets from other workers; single consumer */
	struct tern_worker **peers;
	struct tern_chan chan;
	struct tern_impair *impair_rx[TERN_MAX_PORTS];
	struct tern_impair *impair_tx[TERN_MAX_PORTS];
	struct tern_txq txq[TERN_MAX_PORTS];
	struct tern_tx_backlog backlog[TERN_MAX_PORTS];
	uint8_t live_clock;           /* re-read the TSC for impairment stamps (not on virtual time) */
	tern_rx_hook_fn rx_hook;
	tern_tx_hook_fn tx_hook;
	void *hook_ctx;
	uint64_t loops, busy_loops;   /* loops, and loops that found packets */
	const struct tern_counter_layout *counters; /* of the whole worker struct (the program's) */
	struct core_counters cnt;
} __rte_cache_aligned;

/*
 * Sets the worker up from env: rings, impairment stages. finalize fills the
 * checksums an outgoing frame's offload flags leave to the NIC (for the TX
 * impairment stage and captures; may be NULL). Returns 0 or -errno.
 */
int tern_worker_init(struct tern_worker *w, const struct tern_worker_env *env,
		     const struct tern_worker_ops *ops, tern_impair_finalize_fn finalize);

/* Runs until tern_worker_stop becomes non-zero (lcore entry: arg is the worker). */
int tern_worker_main(void *arg);
extern volatile int tern_worker_stop;

/* One loop iteration at time now (TSC): what tern_worker_main repeats. */
void tern_worker_poll(struct tern_worker *w, uint64_t now);

/* Sends every queued frame now (end of each loop). */
void tern_worker_flush(struct tern_worker *w);

/* Frees everything the worker holds (queued TX, impairment, rings). */
void tern_worker_fini(struct tern_worker *w);

/* Queues m for transmission on port; takes ownership. */
static inline void
tern_tx(struct tern_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct tern_txq *q = &w->txq[port];

	q->pkts[q->n++] = m;
	if (q->n == TERN_TX_BATCH)
		tern_worker_flush(w);
}

/*
 * Hands m to worker dst (another lcore). Takes ownership; counts and frees
 * on a full ring.
 */
void tern_steer_to(struct tern_worker *w, uint16_t dst, struct rte_mbuf *m);

/*
 * Debug and sanitizer builds check that a worker's state is touched only
 * by the lcore running it (while tern_worker_main runs it; before and
 * after, the control side builds and tears it down).
 */
#ifndef NDEBUG
#define TERN_ASSERT_OWNER(w)                                                          \
	do {                                                                          \
		unsigned owner_ = __atomic_load_n(&(w)->lcore_id, __ATOMIC_RELAXED);   \
		if (owner_ != LCORE_ID_ANY && owner_ != rte_lcore_id())               \
			rte_panic("worker %u touched from lcore %u (owner %u)\n",     \
				  (w)->index, rte_lcore_id(), owner_);                \
	} while (0)
#else
#define TERN_ASSERT_OWNER(w) do { } while (0)
#endif

#endif
