#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "capture.h"
#include "log.h"
#include "worker.h"

volatile int tern_worker_stop;


/* Several stacks in one process (tern-bench conn) need distinct ring names. */
static unsigned steer_serial;

/* The impairment stages the ports' configurations ask for. */
static int
impair_init(struct tern_worker *w, tern_impair_finalize_fn finalize)
{
	for (uint16_t p = 0; p < w->nports; p++) {
		const struct tern_impair_cfg *ic = &w->ports[p].cfg->impair;
		uint32_t seed = ic->seed * 7919u + w->index * 104729u + p;

		if (tern_impair_active(ic, TERN_IMPAIR_RX))
			w->impair_rx[p] = tern_impair_create(&ic->rx, ic->queue_len, seed,
				TERN_IMPAIR_RX, w->socket, w->pool, &w->cnt, NULL);
		if (tern_impair_active(ic, TERN_IMPAIR_TX))
			w->impair_tx[p] = tern_impair_create(&ic->tx, ic->queue_len, seed ^ 0x5bd1e995,
				TERN_IMPAIR_TX, w->socket, w->pool, &w->cnt, finalize);
		if ((tern_impair_active(ic, TERN_IMPAIR_RX) && w->impair_rx[p] == NULL) ||
		    (tern_impair_active(ic, TERN_IMPAIR_TX) && w->impair_tx[p] == NULL))
			return -ENOMEM;
	}
	return 0;
}

int
tern_worker_init(struct tern_worker *w, const struct tern_worker_env *env,
		 const struct tern_worker_ops *ops, tern_impair_finalize_fn finalize)
{
	char name[RTE_RING_NAMESIZE];
	int rc;

	memset(w, 0, sizeof(*w));
	w->now = env->now != 0 ? env->now : rte_rdtsc();
	w->index = env->index;
	w->nworkers = env->nworkers;
	w->ports = env->ports;
	w->nports = env->nports;
	w->pool = env->pool;
	w->socket = env->socket;
	w->peers = env->peers;
	w->lcore_id = LCORE_ID_ANY;
	w->ops = ops;
	w->finalize = finalize;
	w->rx_hook = env->rx_hook;
	w->tx_hook = env->tx_hook;
	w->hook_ctx = env->hook_ctx;
	snprintf(name, sizeof(name), "tern_steer_%u_%u", w->index,
		 __atomic_fetch_add(&steer_serial, 1, __ATOMIC_RELAXED));
	/* Any worker may hand packets to this one; only this one dequeues. */
	w->steer_ring = rte_ring_create(name, TERN_STEER_RING, w->socket, RING_F_SC_DEQ);
	if (w->steer_ring == NULL)
		return -rte_errno;
	if ((rc = tern_chan_init(&w->chan, w->index, w->socket)) != 0)
		return rc;
	return impair_init(w, finalize);
}

/* Sends what the port owes from earlier loops; returns 1 when nothing is left owed. */
static int
backlog_drain(struct tern_worker *w, uint16_t p)
{
	struct tern_tx_backlog *b = &w->backlog[p];
	uint16_t sent;

	if (b->n == 0)
		return 1;
	sent = rte_eth_tx_burst(w->ports[p].port_id, w->index, b->pkts, b->n);
	CNT_ADD(&w->cnt, PortTxPackets, sent);
	/*
	 * A driver may refuse one frame for good (net_tap stops at an oversized
	 * one) while reporting a full queue: after a long refusal the head goes,
	 * so a single frame can never wedge the port.
	 */
	b->refused = sent ? 0 : b->refused + 1;
	if (b->refused > TERN_TX_REFUSALS) {
		CNT_INC(&w->cnt, PortTxDropRefused);
		rte_pktmbuf_free(b->pkts[0]);
		sent = 1;
		b->refused = 0;
	}
	b->n -= sent;
	memmove(b->pkts, b->pkts + sent, b->n * sizeof(b->pkts[0]));
	return b->n == 0;
}

/*
 * Hands frames to the port in order. What a full queue refuses waits in the
 * backlog for the next loop instead of being lost; only a backlog overflow
 * drops (counted): TCP would recover, but a drop of our own making is waste.
 */
static void
tx_burst_all(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t n)
{
	struct tern_tx_backlog *b = &w->backlog[p];
	uint16_t sent = 0, keep;

	/* Copied before the port has them: a sent frame may be freed by the driver at once. */
	if (unlikely(w->capture != NULL))
		tern_capture_burst(w, w->capture, p, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
	if (w->tx_hook != NULL) {
		CNT_ADD(&w->cnt, PortTxPackets, n);
		w->tx_hook(w, p, pkts, n);
		return;
	}
	if (backlog_drain(w, p))
		sent = rte_eth_tx_burst(w->ports[p].port_id, w->index, pkts, n);
	CNT_ADD(&w->cnt, PortTxPackets, sent);
	keep = RTE_MIN((uint16_t)(n - sent), (uint16_t)(TERN_TX_BACKLOG - b->n));
	memcpy(b->pkts + b->n, pkts + sent, keep * sizeof(pkts[0]));
	b->n += keep;
	if (sent + keep < n) {
		CNT_ADD(&w->cnt, PortTxDropFull, n - sent - keep);
		rte_pktmbuf_free_bulk(pkts + sent + keep, n - sent - keep);
	}
}

/* Frames the TX impairment stage releases now, whether or not anything new was queued. */
static void
tx_impaired(struct tern_worker *w, uint16_t p)
{
	struct rte_mbuf *out[TERN_TX_BATCH];
	uint16_t n;

	while ((n = tern_impair_pull(w->impair_tx[p], w->now, out, TERN_TX_BATCH)) > 0)
		tx_burst_all(w, p, out, n);
}

void
tern_worker_flush(struct tern_worker *w)
{
	for (uint16_t p = 0; p < w->nports; p++) {
		struct tern_txq *q = &w->txq[p];

		if (w->impair_tx[p] != NULL) {
			if (q->n > 0)
				tern_impair_push(w->impair_tx[p], w->live_clock ? rte_rdtsc() : w->now,
						 q->pkts, q->n);
			q->n = 0;
			tx_impaired(w, p);
		} else if (q->n > 0) {
			tx_burst_all(w, p, q->pkts, q->n);
			q->n = 0;
		} else if (w->backlog[p].n > 0)
			backlog_drain(w, p);
	}
}

/* Frames of port p: its RX queue (or the in-memory hook), through the RX impairment. */
static void
rx_port(struct tern_worker *w, uint16_t p)
{
	struct rte_mbuf *pkts[TERN_RX_BURST];
	uint16_t n = w->rx_hook != NULL ? w->rx_hook(w, p, pkts, TERN_RX_BURST) :
		     rte_eth_rx_burst(w->ports[p].port_id, w->index, pkts, TERN_RX_BURST);

	for (uint16_t i = 0; i < n; i++)
		pkts[i]->port = p;
	CNT_ADD(&w->cnt, PortRxPackets, n);
	if (unlikely(w->capture != NULL) && n > 0)
		tern_capture_burst(w, w->capture, p, pkts, n, RTE_PCAPNG_DIRECTION_IN);
	if (w->impair_rx[p] != NULL) {
		/* Stamp with the arrival time, not the loop's start: a preempted loop must not shorten delays. */
		if (n > 0)
			tern_impair_push(w->impair_rx[p], w->live_clock ? rte_rdtsc() : w->now, pkts, n);
		while ((n = tern_impair_pull(w->impair_rx[p], w->now, pkts, TERN_RX_BURST)) > 0)
			w->ops->rx(w, p, pkts, n);
		return;
	}
	if (n > 0)
		w->ops->rx(w, p, pkts, n);
}

void
tern_steer_to(struct tern_worker *w, uint16_t dst, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(w->peers[dst]->steer_ring, m) != 0) {
		CNT_INC(&w->cnt, SteerDropFull);
		rte_pktmbuf_free(m);
		return;
	}
	CNT_INC(&w->cnt, SteerOut);
}

static void
rx_steered(struct tern_worker *w)
{
	struct rte_mbuf *pkts[TERN_RX_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(w->steer_ring, (void **)pkts, TERN_RX_BURST, NULL);

	if (n == 0)
		return;
	CNT_ADD(&w->cnt, SteerIn, n);
	w->ops->steered(w, pkts, n);
}

void
tern_worker_poll(struct tern_worker *w, uint64_t now)
{
	uint64_t rx_before = w->cnt.PortRxPackets + w->cnt.SteerIn;

	w->now = now;
	w->loops++;
	for (uint16_t p = 0; p < w->nports; p++)
		rx_port(w, p);
	rx_steered(w);
	w->busy_loops += w->cnt.PortRxPackets + w->cnt.SteerIn != rx_before;
	if (w->ops->tick != NULL)
		w->ops->tick(w);
	/* One load of the ring's tails when idle: the control side is rarely there. */
	if (unlikely(!rte_ring_empty(w->chan.req)))
		tern_chan_serve(w);
	tern_worker_flush(w);
}

int
tern_worker_main(void *arg)
{
	struct tern_worker *w = arg;

	__atomic_store_n(&w->lcore_id, rte_lcore_id(), __ATOMIC_RELAXED);
	w->live_clock = 1;
	TLOG(INFO, "worker %u running on lcore %u (socket %d)", w->index, rte_lcore_id(), w->socket);
	while (!__atomic_load_n(&tern_worker_stop, __ATOMIC_RELAXED))
		tern_worker_poll(w, rte_rdtsc());
	__atomic_store_n(&w->lcore_id, LCORE_ID_ANY, __ATOMIC_RELAXED);
	return 0;
}

void
tern_worker_fini(struct tern_worker *w)
{
	struct rte_mbuf *m;

	for (uint16_t p = 0; p < w->nports; p++) {
		rte_pktmbuf_free_bulk(w->txq[p].pkts, w->txq[p].n);
		w->txq[p].n = 0;
		rte_pktmbuf_free_bulk(w->backlog[p].pkts, w->backlog[p].n);
		w->backlog[p].n = 0;
		if (w->impair_rx[p] != NULL)
			tern_impair_free(w->impair_rx[p]);
		if (w->impair_tx[p] != NULL)
			tern_impair_free(w->impair_tx[p]);
		w->impair_rx[p] = w->impair_tx[p] = NULL;
	}
	if (w->steer_ring != NULL) {
		while (rte_ring_sc_dequeue(w->steer_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->steer_ring);
		w->steer_ring = NULL;
	}
	tern_chan_fini(&w->chan);
}
