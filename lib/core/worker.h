/*
 * The per-lcore worker: a poll-mode run-to-completion loop over one RX and
 * one TX queue of every port. rx_burst -> (impairment) -> stack -> batched
 * tx_burst, with the TSC read once per loop.
 */
#ifndef TERN_CORE_WORKER_H
#define TERN_CORE_WORKER_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "counters.h"
#include "impair.h"
#include "port.h"

#define TERN_RX_BURST 32
#define TERN_TX_BATCH 64
#define TERN_STEER_RING 4096
#define TERN_TX_BACKLOG 1024          /* frames a busy port may owe per worker */
#define TERN_TX_REFUSALS 100000       /* polls without progress before the head frame is dropped */

struct tern_worker;

/* What the layers above do with packets; called once per burst, not per packet. */
struct tern_worker_ops {
	/* Frames received on port (index into the port table). */
	void (*rx)(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n);
	/* Packets other workers steered to this one (m->port is the port index). */
	void (*steered)(struct tern_worker *w, struct rte_mbuf **pkts, uint16_t n);
	/* Housekeeping once per loop, after RX and before TX flush. */
	void (*tick)(struct tern_worker *w);
};

/*
 * Where frames go instead of a port, for in-memory runs (scenario tests,
 * benchmarks): takes ownership of all n frames.
 */
typedef void (*tern_tx_hook_fn)(struct tern_worker *w, uint16_t port,
				struct rte_mbuf **pkts, uint16_t n);

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
	uint16_t index;               /* 0 .. nworkers-1, also the queue id */
	uint16_t nworkers;
	uint16_t nports;
	unsigned lcore_id;
	struct tern_port *ports;      /* shared, read-only after start */
	const struct tern_worker_ops *ops;
	struct rte_mempool *pool;     /* this worker's mbufs */
	struct rte_ring *steer_ring;  /* packets from other workers; single consumer */
	struct tern_worker **peers;   /* every worker, by index */
	struct tern_impair *impair_rx[TERN_MAX_PORTS];
	struct tern_impair *impair_tx[TERN_MAX_PORTS];
	struct tern_txq txq[TERN_MAX_PORTS];
	struct tern_tx_backlog backlog[TERN_MAX_PORTS];
	uint8_t live_clock;           /* re-read the TSC for impairment stamps (not on virtual time) */
	tern_tx_hook_fn tx_hook;      /* NULL: the ports */
	void *tx_hook_ctx;
	struct tern_counters cnt;
} __rte_cache_aligned;

/* Sets the worker up: ring, impairment stages. Returns 0 or -errno. */
int tern_worker_init(struct tern_worker *w, uint16_t index, uint16_t nworkers,
		     struct tern_port *ports, uint16_t nports,
		     struct rte_mempool *pool, const struct tern_worker_ops *ops,
		     tern_impair_finalize_fn finalize);

/* Runs until *stop becomes non-zero (lcore entry: arg is the worker). */
int tern_worker_main(void *arg);
extern volatile int tern_worker_stop;

/* One loop iteration: exposed so tests and benchmarks can drive a worker. */
void tern_worker_poll(struct tern_worker *w, uint64_t now);

/* Sends every queued frame now (end of each loop). */
void tern_worker_flush(struct tern_worker *w);

/* Frees everything the worker holds (queued TX, impairment, ring). */
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

#endif
