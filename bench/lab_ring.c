/*
 * The lab on two lcores (tern-bench proxy --layout two-cores): every
 * segment of exactly two members becomes a pair of rings behind net_ring
 * ports (bench_wire_port), which the nodes' workers poll with
 * rte_eth_rx_burst and rte_eth_tx_burst as they would a NIC; one node runs
 * on its own lcore, the others on the caller's.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "lab_ring.h"
#include "pair.h"

/* As deep as the one-core lab's rings: a full ring is the exception in both. */
#define LAB_RING_SIZE 65536

static void
member_port(struct lab_ring *lr, const struct lab_member *mb, struct rte_ring *rx,
	    struct rte_ring *tx, char *err, size_t errlen)
{
	static unsigned serial;
	struct lab_node *x = mb->node;
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned id = (unsigned)(x - lr->l->node);

	snprintf(name, sizeof(name), "net_ring_l%u_%u_%u", id, mb->port, ++serial);
	lr->port[id][mb->port] = bench_wire_port(name, rx, tx, x->pool, lr->l->tso_lro,
						 &x->ports[mb->port], err, errlen);
}

int
lab_ring_attach(struct lab_ring *lr, struct lab *l, char *err, size_t errlen)
{
	static unsigned serial;

	memset(lr, 0, sizeof(*lr));
	lr->l = l;
	memset(lr->port, -1, sizeof(lr->port));
	for (unsigned s = 0; s < LAB_SEGMENTS; s++) {
		const struct lab_segment *sg = &l->seg[s];
		char name[RTE_RING_NAMESIZE];

		if (sg->n == 0)
			continue;
		if (sg->n != 2) {
			snprintf(err, errlen, "segment %u has %u members; rings join two", s, sg->n);
			return -1;
		}
		serial++;
		for (int d = 0; d < 2; d++) {
			/* One producer lcore and one consumer lcore per ring: SP/SC is exact. */
			snprintf(name, sizeof(name), "lab_wire_%u_%d_%u", s, d, serial);
			lr->ring[s][d] = rte_ring_create(name, LAB_RING_SIZE, SOCKET_ID_ANY,
							 RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (lr->ring[s][d] == NULL) {
				snprintf(err, errlen, "ring %s: out of memory", name);
				return -1;
			}
		}
		/* ring[s][0] carries member 0's frames to member 1, ring[s][1] the reverse. */
		member_port(lr, &sg->m[0], lr->ring[s][1], lr->ring[s][0], err, errlen);
		member_port(lr, &sg->m[1], lr->ring[s][0], lr->ring[s][1], err, errlen);
		if (lr->port[sg->m[0].node - l->node][sg->m[0].port] < 0 ||
		    lr->port[sg->m[1].node - l->node][sg->m[1].port] < 0)
			return -1;
	}
	/* A node polls its ports with rte_eth_rx_burst only when it has no hooks: all or none. */
	for (unsigned i = 0; i < l->n; i++)
		for (unsigned p = 0; p < l->node[i].cfg.nports; p++)
			if (lr->port[i][p] < 0) {
				snprintf(err, errlen, "%s: port %u is on no segment", l->node[i].name, p);
				return -1;
			}
	for (unsigned i = 0; i < l->n; i++)
		l->node[i].sw->w.rx_hook = NULL, l->node[i].sw->w.tx_hook = NULL;
	return 0;
}

/*
 * One loop of x; busy_cycles counts the loops that received or sent
 * packets (an lcore of its own spins: its empty loops are not work).
 */
static void
poll_node(struct lab_node *x)
{
	struct tern_worker *w = &x->sw->w;
	uint64_t busy = w->busy_loops, sent = w->cnt.PortTxPackets, t0 = rte_rdtsc();

	tern_worker_poll(w, t0);
	if (w->busy_loops != busy || w->cnt.PortTxPackets != sent)
		x->busy_cycles += rte_rdtsc() - t0;
}

static int
away_loop(void *arg)
{
	struct lab_ring *lr = arg;
	struct tern_worker *w = &lr->away->sw->w;

	__atomic_store_n(&w->lcore_id, rte_lcore_id(), __ATOMIC_RELAXED);
	while (!__atomic_load_n(&lr->stop, __ATOMIC_ACQUIRE))
		poll_node(lr->away);
	/* The run is over: the control side tears the stack down (TERN_ASSERT_OWNER). */
	__atomic_store_n(&w->lcore_id, LCORE_ID_ANY, __ATOMIC_RELAXED);
	return 0;
}

int
lab_ring_run(struct lab_ring *lr, struct lab_node *away, unsigned lcore,
	     int (*done)(void *ctx), void *ctx, double max_s)
{
	struct lab *l = lr->l;
	uint64_t until = rte_rdtsc() + (uint64_t)(max_s * (double)rte_get_tsc_hz());

	lr->away = away;
	lr->stop = 0;
	if (rte_eal_remote_launch(away_loop, lr, lcore) != 0)
		return -1;
	for (unsigned i = 0; i < l->n; i++) /* the others are this lcore's (TERN_ASSERT_OWNER) */
		if (&l->node[i] != away)
			l->node[i].sw->w.lcore_id = rte_lcore_id();
	while (!done(ctx) && rte_rdtsc() < until)
		for (unsigned i = 0; i < l->n; i++)
			if (&l->node[i] != away)
				poll_node(&l->node[i]);
	__atomic_store_n(&lr->stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	for (unsigned i = 0; i < l->n; i++)
		if (&l->node[i] != away)
			l->node[i].sw->w.lcore_id = LCORE_ID_ANY;
	return done(ctx) ? 0 : -1;
}

void
lab_ring_detach(struct lab_ring *lr)
{
	struct lab *l = lr->l;

	if (l == NULL)
		return;
	/*
	 * Every lcore is back. lab_destroy puts a discarding hook in before the
	 * stacks send anything more, so the ports can go; what a full ring left
	 * in a TX backlog would still be offered to its closed port: it goes now.
	 */
	for (unsigned i = 0; i < l->n; i++) {
		bench_backlog_free(&l->node[i].sw->w, (uint16_t)l->node[i].cfg.nports);
		for (unsigned p = 0; p < TERN_MAX_PORTS; p++) {
			bench_wire_port_close(lr->port[i][p]);
			lr->port[i][p] = -1;
		}
	}
	/* Frames still in flight belong to the pools lab_destroy checks. */
	for (unsigned s = 0; s < LAB_SEGMENTS; s++)
		for (int d = 0; d < 2; d++)
			bench_ring_free(&lr->ring[s][d]);
	lr->l = NULL;
}
