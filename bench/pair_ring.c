/*
 * The two-lcore layout of tern-bench conn: the two stacks of a pair, each
 * polled by its own EAL lcore with tern_worker_poll, as the runtime's
 * worker loop does, over a real net_ring PMD pair (rte_eth_from_rings:
 * each side's TX ring is the other's RX ring). Frames go through
 * rte_eth_tx_burst and rte_eth_rx_burst instead of the pair's tx_hook.
 * Built into tern-bench only (needs the net_ring PMD, TERN_BENCH_RING).
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#ifdef TERN_BENCH_RING
#include <rte_eth_ring.h>
#endif

#include "core/mbuf.h"
#include "pair.h"

/* As deep as the one-core layout's rings: a full ring is the exception in both. */
#define WIRE_RING 65536
#define WIRE_DESC 1024

#ifdef TERN_BENCH_RING

/*
 * The receiving NIC of a checksum-offloading pair has verified both
 * checksums; net_ring sets no flags, and what arrives still carries the
 * sender's TX offload requests (the checksum fields are not filled). With
 * TSO and LRO a frame of several segments passes whole, as the one-core
 * wire passes it: coalesced again by the receiving NIC.
 */
static uint16_t
wire_rx_cksum_good(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
		   uint16_t max, void *ctx)
{
	(void)port;
	(void)queue;
	(void)max;
	(void)ctx;
	for (uint16_t i = 0; i < n; i++) {
		uint64_t lro = (pkts[i]->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_RX_LRO)) ?
				       RTE_MBUF_F_RX_LRO : 0;

		tern_mbuf_set_flags(pkts[i],
				    RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD | lro);
	}
	return n;
}

/* Each port's callback: closing a port keeps it, and a later port of the same id would run both. */
static const struct rte_eth_rxtx_callback *wire_rx_cb[RTE_MAX_ETHPORTS];

int
bench_wire_port(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		struct rte_mempool *pool, int tso_lro, struct tern_port *tp, char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
	unsigned socket = rte_socket_id();
	int port = rte_eth_from_rings(name, &rx, 1, &tx, 1, socket);

	if (port < 0) {
		snprintf(err, errlen, "%s: rte_eth_from_rings: %s", name, rte_strerror(rte_errno));
		return -1;
	}
	if (rte_eth_dev_configure((uint16_t)port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup((uint16_t)port, 0, WIRE_DESC, socket, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup((uint16_t)port, 0, WIRE_DESC, socket, NULL) != 0 ||
	    (wire_rx_cb[port] = rte_eth_add_rx_callback((uint16_t)port, 0, wire_rx_cksum_good,
							  NULL)) == NULL ||
	    rte_eth_dev_start((uint16_t)port) != 0) {
		snprintf(err, errlen, "%s: cannot set the net_ring port up", name);
		bench_wire_port_close(port);
		return -1;
	}
	tp->port_id = (uint16_t)port;
	tp->tx_tso = (uint8_t)(tso_lro != 0); /* net_ring passes what it gets: no TSO of its own */
	return port;
}

void
bench_wire_port_close(int port)
{
	if (port < 0)
		return;
	/* No lcore polls the port any more: the callback's memory is the caller's to free. */
	if (wire_rx_cb[port] != NULL) {
		if (rte_eth_remove_rx_callback((uint16_t)port, 0, wire_rx_cb[port]) == 0)
			rte_free((void *)(uintptr_t)wire_rx_cb[port]);
		else /* it stays: a later port of this id would run it too */
			fprintf(stderr, "tern-bench: port %d: cannot remove its rx callback\n", port);
	}
	wire_rx_cb[port] = NULL;
	rte_eth_dev_stop((uint16_t)port);
	rte_eth_dev_close((uint16_t)port);
}

/* One end of the pair: its port on the rings instead of the hooks. */
static int
wire_port(struct pair_side *s, const char *name, struct rte_ring *rx, struct rte_ring *tx,
	  char *err, size_t errlen)
{
	int port = bench_wire_port(name, rx, tx, s->pool, s->wire == PAIR_WIRE_TSO_LRO, &s->port,
				   err, errlen);

	if (port < 0)
		return -1;
	/* The worker loop now calls rte_eth_rx_burst and rte_eth_tx_burst. */
	s->sw->w.rx_hook = NULL;
	s->sw->w.tx_hook = NULL;
	return port;
}

int
pair_wire_attach(struct pair_wire *wi, struct pair *p, char *err, size_t errlen)
{
	static unsigned serial;
	char name[RTE_RING_NAMESIZE];
	unsigned socket = rte_socket_id();

	memset(wi, 0, sizeof(*wi));
	wi->p = p;
	wi->port[0] = wi->port[1] = -1;
	serial++;
	/* One producer lcore and one consumer lcore per ring: SP/SC is exact. */
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "wire_%s_%u", i ? "s2c" : "c2s", serial);
		wi->ring[i] = rte_ring_create(name, WIRE_RING, (int)socket,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (wi->ring[i] == NULL) {
			snprintf(err, errlen, "ring %s: %s", name, rte_strerror(rte_errno));
			return -1;
		}
	}
	snprintf(name, sizeof(name), "net_ring_client_%u", serial);
	wi->port[0] = wire_port(&p->client, name, wi->ring[1], wi->ring[0], err, errlen);
	if (wi->port[0] < 0)
		return -1;
	snprintf(name, sizeof(name), "net_ring_server_%u", serial);
	wi->port[1] = wire_port(&p->server, name, wi->ring[0], wi->ring[1], err, errlen);
	return wi->port[1] < 0 ? -1 : 0;
}

/* The server's lcore: the worker loop until the client's lcore says stop. */
static int
server_loop(void *arg)
{
	struct pair_wire *wi = arg;
	struct tern_worker *w = &wi->p->server.sw->w;

	__atomic_store_n(&w->lcore_id, rte_lcore_id(), __ATOMIC_RELAXED);
	while (!__atomic_load_n(&wi->stop, __ATOMIC_ACQUIRE))
		tern_worker_poll(w, rte_rdtsc());
	/* The run is over: the control side tears the stack down (TERN_ASSERT_OWNER). */
	__atomic_store_n(&w->lcore_id, LCORE_ID_ANY, __ATOMIC_RELAXED);
	return 0;
}

int
pair_wire_run(struct pair_wire *wi, unsigned server_lcore, double max_s)
{
	struct client_worker *cw = pair_client(wi->p);
	struct tern_worker *w = &wi->p->client.sw->w;
	uint64_t until;

	wi->stop = 0;
	if (rte_eal_remote_launch(server_loop, wi, server_lcore) != 0)
		return -1;
	w->lcore_id = rte_lcore_id();
	until = rte_rdtsc() + (uint64_t)(max_s * (double)rte_get_tsc_hz());
	while (!client_done(cw) && rte_rdtsc() < until)
		tern_worker_poll(w, rte_rdtsc());
	__atomic_store_n(&wi->stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(server_lcore);
	w->lcore_id = LCORE_ID_ANY;
	return client_done(cw) ? 0 : -1;
}

void
pair_wire_detach(struct pair_wire *wi)
{
	/*
	 * Both lcores are back. pair_destroy's side_stop puts a discarding
	 * hook in before the stacks send anything more, so the ports can go;
	 * but what a full ring left in a TX backlog would still be offered to
	 * its (closed) port by tern_worker_flush: it goes now.
	 */
	if (wi->p != NULL) {
		bench_backlog_free(&wi->p->client.sw->w, 1);
		bench_backlog_free(&wi->p->server.sw->w, 1);
	}
	/* Frames still in flight belong to the pools pair_destroy checks. */
	for (int i = 0; i < 2; i++) {
		bench_wire_port_close(wi->port[i]);
		wi->port[i] = -1;
		bench_ring_free(&wi->ring[i]);
	}
}

#else /* no net_ring PMD */

void
bench_wire_port_close(int port)
{
	(void)port;
}

int
bench_wire_port(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		struct rte_mempool *pool, int tso_lro, struct tern_port *tp, char *err, size_t errlen)
{
	(void)tso_lro;
	(void)rx;
	(void)tx;
	(void)pool;
	(void)tp;
	snprintf(err, errlen, "%s: the two-cores layout needs DPDK's net_ring PMD (rte_eth_ring.h)",
		 name);
	return -1;
}

int
pair_wire_attach(struct pair_wire *wi, struct pair *p, char *err, size_t errlen)
{
	memset(wi, 0, sizeof(*wi));
	wi->p = p;
	snprintf(err, errlen, "the two-cores layout needs DPDK's net_ring PMD (rte_eth_ring.h)");
	return -1;
}

int
pair_wire_run(struct pair_wire *wi, unsigned server_lcore, double max_s)
{
	(void)wi;
	(void)server_lcore;
	(void)max_s;
	return -1;
}

void
pair_wire_detach(struct pair_wire *wi)
{
	(void)wi;
}

#endif
