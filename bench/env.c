/*
 * One worker under test, built in memory by the composition root as the
 * runtime builds it (stack_build), with a port whose frames come from and
 * go to hooks, and the client side of its connections.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_tcp.h>
#ifdef TERN_BENCH_RING
#include <rte_eth_ring.h>
#endif

#include "svc/svc.h"
#include "stack/stack.h"
#include "bench.h"
#include "core/counters.h"
#include "net/arp_cache.h"
#include "tcp/tcp.h"
#include "tcp/tcp_worker.h"

const char *const bench_scenario_names[SC_MAX] = {
	[SC_ACK] = "ack", [SC_DATA64] = "data64", [SC_DATA1448] = "data1448",
	[SC_SYN] = "syn", [SC_OOO] = "ooo",
};

#define OUR_IP RTE_BE32(0xc6120001)     /* 198.18.0.1 */
#define GW_IP RTE_BE32(0xc61200fe)      /* 198.18.0.254: the clients are behind it */
#define SYN_TUPLES 65536

static const struct rte_ether_addr our_mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr gw_mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0xfe } };

static unsigned env_serial;

/* ---- the ACK scenario's application: keeps the send queue full, one MSS per mbuf ---- */

static uint8_t zeros[BENCH_MSS];

static void
source_fill(struct tcb *c, void *ctx)
{
	(void)ctx;
	while (tern_send_space(c) >= BENCH_MSS)
		if (tern_send_bytes(c, zeros, BENCH_MSS) != BENCH_MSS)
			break;
	tern_notify_writable(c);
}

static void
source_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	(void)ctx;
	rte_pktmbuf_free(m);
	tern_consumed(c, len);
}

static const struct tern_conn_ops source_ops = {
	.on_open = source_fill,
	.on_writable = source_fill,
	.on_data = source_data,
};

static int
source_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	(void)c;
	(void)listen_ctx;
	*ops = &source_ops;
	*ctx = NULL;
	return 0;
}

/* ---- transmit side ---- */

/* Learns ISS and TSval of a SYN,ACK to one of the client's flows. */
static void
capture_synack(struct bench_env *e, struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const void *)(p + OFF_IP);
	const struct rte_tcp_hdr *th;
	unsigned ihl, thl;
	uint32_t idx, tsval = 0;

	if (rte_pktmbuf_data_len(m) < OFF_OPT || ip->next_proto_id != IPPROTO_TCP)
		return;
	ihl = (ip->version_ihl & 0xf) * 4;
	th = (const void *)(p + OFF_IP + ihl);
	if (th->tcp_flags != (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) ||
	    flow_of(rte_be_to_cpu_32(ip->dst_addr), rte_be_to_cpu_16(th->dst_port), &idx) != 0 ||
	    idx >= e->nflows)
		return;
	thl = (th->data_off >> 4) * 4;
	for (unsigned i = sizeof(*th); i < thl;) {
		const uint8_t *o = (const uint8_t *)th + i;

		if (o[0] == 0)
			break;
		if (o[0] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= thl || o[1] < 2)
			break;
		if (o[0] == 8 && o[1] == 10) {
			memcpy(&tsval, o + 2, 4);
			tsval = rte_be_to_cpu_32(tsval);
		}
		i += o[1];
	}
	e->peer[idx].ack = rte_be_to_cpu_32(th->sent_seq) + 1;
	e->peer[idx].ecr = tsval;
	/* tern stamped it with the tick of the loop's input, before the loop's tick() moved it. */
	e->peer[idx].tsoff = tsval - e->tick_at_rx;
	e->captured++;
}

/* TERN_BENCH_TRACE=N: the first N frames tern sends after set-up, one line each. */
static void
trace_frame(struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const void *)(p + OFF_IP);
	const struct rte_tcp_hdr *th = (const void *)(p + OFF_TCP);

	if (ip->next_proto_id != IPPROTO_TCP) {
		fprintf(stderr, "trace: non-TCP frame, %u bytes\n", rte_pktmbuf_pkt_len(m));
		return;
	}
	fprintf(stderr, "trace: -> %u.%u.%u.%u:%u flags %02x seq %u ack %u win %u len %u\n",
		p[OFF_IP + 16], p[OFF_IP + 17], p[OFF_IP + 18], p[OFF_IP + 19],
		rte_be_to_cpu_16(th->dst_port), th->tcp_flags, rte_be_to_cpu_32(th->sent_seq),
		rte_be_to_cpu_32(th->recv_ack), rte_be_to_cpu_16(th->rx_win),
		rte_be_to_cpu_16(ip->total_length) - 20 - (th->data_off >> 4) * 4);
}

static void
bench_tx_hook(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct bench_env *e = w->hook_ctx;

	(void)port;
	e->tx_frames += n;
	if (e->trace > 0)
		for (uint16_t i = 0; i < n && e->trace > 0; i++, e->trace--)
			trace_frame(pkts[i]);
	if (e->capture)
		for (uint16_t i = 0; i < n; i++)
			capture_synack(e, pkts[i]);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* ---- feeding the worker ---- */

/* The worker's rx hook: the burst bench_loop handed over (what a PMD's rx_burst returns). */
static uint16_t
bench_rx_hook(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t max)
{
	struct bench_env *e = w->hook_ctx;
	uint16_t n = RTE_MIN(e->nfeed, max);

	(void)port;
	memcpy(pkts, e->feed, n * sizeof(pkts[0])); /* the generator's burst, no copy of the list */
	e->feed += n;
	e->nfeed -= n;
	return n;
}

void
bench_loop(struct bench_env *e, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	e->feed = pkts;
	e->nfeed = n;
	e->tick_at_rx = (uint32_t)e->sw->tcp.tick;
	tern_worker_poll(&e->sw->w, now);
}

/* Worker loops over frames, a burst each. */
static void
feed(struct bench_env *e, struct rte_mbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i += BENCH_BURST)
		bench_loop(e, pkts + i, (uint16_t)RTE_MIN(n - i, (unsigned)BENCH_BURST), rte_rdtsc());
}

void
bench_poll_tail(struct bench_env *e)
{
	bench_loop(e, NULL, 0, rte_rdtsc());
}

uint64_t
bench_drop_count(const struct bench_env *e)
{
	const struct tern_counter_layout *l = stack_counters();
	uint64_t v[l->total], n = 0;

	tern_counters_read(l, e->sw, v);
	for (unsigned i = 0; i < l->total; i++)
		if (tern_counter_at(l, i)->kind == 'D')
			n += v[i];
	return n;
}

int
bench_establish(struct bench_env *e, char *err, size_t errlen)
{
	enum { BATCH = 512 }; /* below the listener's backlog */
	struct rte_mbuf *pkts[BATCH];
	uint64_t estab0 = CNT_GET(&e->sw->tcp.cnt, TcpCurrEstab);

	for (uint32_t first = 0; first < e->nflows; first += BATCH) {
		unsigned n = (unsigned)RTE_MIN((uint32_t)BATCH, e->nflows - first);

		e->capture = 1;
		e->captured = 0;
		e->sw->w.now = rte_rdtsc();
		if (gen_handshake(e, pkts, first, n, 0) != n) {
			snprintf(err, errlen, "out of mbufs for SYNs");
			return -1;
		}
		feed(e, pkts, n);
		e->capture = 0;
		if (e->captured != n) {
			snprintf(err, errlen, "flows %u..%u: %u SYN,ACKs for %u SYNs", first,
				 first + n - 1, e->captured, n);
			return -1;
		}
		e->sw->w.now = rte_rdtsc();
		if (gen_handshake(e, pkts, first, n, 1) != n) {
			snprintf(err, errlen, "out of mbufs for ACKs");
			return -1;
		}
		feed(e, pkts, n);
	}
	if (CNT_GET(&e->sw->tcp.cnt, TcpCurrEstab) - estab0 != e->nflows) {
		snprintf(err, errlen, "%lu of %u connections established",
			 (unsigned long)(CNT_GET(&e->sw->tcp.cnt, TcpCurrEstab) - estab0), e->nflows);
		return -1;
	}
	return 0;
}

/* ---- the net_ring port for DPDK's own rx->tx ---- */

int
bench_ring_port(struct rte_ring **rxr, struct rte_ring **txr)
{
#ifdef TERN_BENCH_RING
	static int port = -2;
	static struct rte_ring *r_rx, *r_tx;

	if (port == -2) {
		struct rte_eth_conf conf = { 0 };
		struct rte_mempool *mp;
		int socket = (int)rte_socket_id();

		port = -1;
		r_rx = rte_ring_create("bench_ring_rx", 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		r_tx = rte_ring_create("bench_ring_tx", 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		mp = rte_pktmbuf_pool_create("bench_ring_mp", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     socket);
		if (r_rx == NULL || r_tx == NULL || mp == NULL)
			return -1;
		int p = rte_eth_from_rings("net_ring_bench", &r_rx, 1, &r_tx, 1, (unsigned)socket);
		if (p < 0 || rte_eth_dev_configure((uint16_t)p, 1, 1, &conf) != 0 ||
		    rte_eth_rx_queue_setup((uint16_t)p, 0, 1024, (unsigned)socket, NULL, mp) != 0 ||
		    rte_eth_tx_queue_setup((uint16_t)p, 0, 1024, (unsigned)socket, NULL) != 0 ||
		    rte_eth_dev_start((uint16_t)p) != 0)
			return -1;
		port = p;
	}
	*rxr = r_rx;
	*txr = r_tx;
	return port;
#else
	(void)rxr;
	(void)txr;
	return -1;
#endif
}

/* ---- set-up and tear-down ---- */


static uint32_t
pool_size(enum bench_scenario sc, uint32_t nflows)
{
	/* The ACK scenario keeps two one-MSS mbufs queued per connection. */
	return 16384 + (sc == SC_ACK ? 2 * nflows + nflows / 8 : 0);
}

uint64_t
bench_env_bytes(enum bench_scenario sc, uint32_t nflows)
{
	uint64_t conns = (uint64_t)nflows + 1024;

	return conns * (sizeof(struct tcb) + 96) + (uint64_t)pool_size(sc, nflows) * 2560 +
	       (96ull << 20);
}

struct bench_env *
bench_env_create_ex(const struct bench_opts *o, enum bench_scenario sc, uint32_t nflows,
		    uint32_t max_conns, char *err, size_t errlen)
{
	struct bench_env *e = calloc(1, sizeof(*e));
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mbuf *out[8];
	struct tern_worker_env env = { .index = 0, .nworkers = 1, .nports = 1,
		.socket = (int)rte_socket_id(), .rx_hook = bench_rx_hook, .tx_hook = bench_tx_hook,
		.hook_ctx = e };
	struct tcp_cfg *tcp;
	int rc;

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->sc = sc;
	e->nflows = nflows;
	e->o = o;
	e->tsc_hz = rte_get_tsc_hz();
	e->tsc_per_ms = e->tsc_hz / 1000;
	e->ring_port = -1;
	if (tern_config_init(&e->cfg, &stack_schema) != 0) {
		snprintf(err, errlen, "out of memory");
		free(e);
		return NULL;
	}
	tcp = tcp_config(&e->cfg);
	e->cfg.nports = 1;
	e->cfg.ports[0].mtu = 1500;
	tcp->max_connections = max_conns ? max_conns : nflows + 1024;
	/* Per-packet cost at fixed buffers: autotuning would change what the app queues (ack's 2 MSS). */
	tcp->rcvbuf_max = tcp->rcvbuf;
	if (sc == SC_ACK) {
		tcp->sndbuf = 2 * BENCH_MSS;
		tcp->sndbuf_max = tcp->sndbuf;
		/*
		 * The client acknowledges each flow once per pass over all of them
		 * (seconds apart with a million flows): with a 200 ms RTO tern would
		 * retransmit between its ACKs, which is not the path being measured.
		 */
		tcp->initial_rto_ms = tcp->min_rto_ms = 60000;
	}
	net_arp_cfg(&e->cfg)->timeout_ms = 24u * 3600 * 1000; /* the gateway stays known */
	e->cfg.log_level = RTE_LOG_ERR;

	e->port.index = 0;
	e->port.nb_queues = 1;
	e->port.mtu = 1500;
	e->port.mac = our_mac;
	e->port.addr = OUR_IP;
	e->port.netmask = RTE_BE32(0xffffff00);
	e->port.gateway = GW_IP;
	e->port.reta_size = 1;
	e->port.cfg = &e->cfg.ports[0];
	env.ports = &e->port;
	if (!o->sw_cksum) {
		/* An X710-class port: checksums verified and filled by the NIC. */
		e->port.rx_ip_cksum = e->port.rx_l4_cksum = 1;
		e->port.tx_ip_cksum = e->port.tx_tcp_cksum = 1;
		e->port.tx_cksum_chained = 1;
	}

	snprintf(name, sizeof(name), "bench_pool_%u", env_serial++);
	e->pool = bench_pool_create(name, pool_size(sc, nflows));
	e->sw = rte_zmalloc("bench_worker", sizeof(*e->sw), RTE_CACHE_LINE_SIZE);
	if (e->pool == NULL || e->sw == NULL) {
		snprintf(err, errlen, "cannot allocate the mbuf pool (%u mbufs) or worker: %s",
			 pool_size(sc, nflows), rte_strerror(rte_errno));
		goto fail;
	}
	env.pool = e->pool;
	e->heap_before = bench_heap_bytes();
	e->rss_before = bench_rss_bytes();
	rc = stack_build(e->sw, &e->cfg, &env, 0);
	if (rc != 0) {
		rte_free(e->sw);
		e->sw = NULL;
		snprintf(err, errlen, "stack_build (max_connections %u): %s",
			 tcp->max_connections, rte_strerror(-rc));
		goto fail;
	}
	e->heap_after_init = bench_heap_bytes();
	e->rss_after_init = bench_rss_bytes();
	rc = sc == SC_ACK ? tern_listen(&e->sw->tcp, BENCH_LISTEN_PORT, source_accept, NULL)
			  : tern_listen(&e->sw->tcp, BENCH_LISTEN_PORT, discard_accept, e->sw->svc);
	if (rc != 0) {
		snprintf(err, errlen, "tern_listen: %s", rte_strerror(-rc));
		goto fail;
	}
	arp_cache_learn(e->sw->net.arp, 0, GW_IP, &gw_mac, e->sw->w.now, 1, out, RTE_DIM(out));
	bench_poll_tail(e); /* the first loop announces our address */

	/* Client side. */
	e->peer = calloc(RTE_MAX(nflows, 1u), sizeof(*e->peer));
	e->order = calloc(RTE_MAX(nflows, 1u), sizeof(*e->order));
	if (e->peer == NULL || e->order == NULL) {
		snprintf(err, errlen, "out of memory for %u client flows", nflows);
		goto fail;
	}
	for (uint32_t i = 0; i < nflows; i++)
		e->peer[i].seq = i * 2654435761u + 0x1000 + 1; /* ISN + 1 */
	gen_shuffle(e->order, nflows, 0x9e3779b97f4a7c15ull ^ nflows);
	if (sc == SC_SYN) {
		e->nsyn = SYN_TUPLES;
		e->synp = calloc(e->nsyn, sizeof(*e->synp));
		e->syn_order = calloc(e->nsyn, sizeof(*e->syn_order));
		if (e->synp == NULL || e->syn_order == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (uint32_t i = 0; i < e->nsyn; i++)
			e->synp[i].seq = i * 40503u + 77;
		gen_shuffle(e->syn_order, e->nsyn, 12345);
	}
	e->payload = sc == SC_DATA64 ? 64 : (sc == SC_DATA1448 || sc == SC_OOO) ? BENCH_MSS : 0;
	tmpl_build(&e->t_syn, e, RTE_TCP_SYN_FLAG, 0, 1, 1);
	tmpl_build(&e->t_ack, e, RTE_TCP_ACK_FLAG, 0, 0, 1);
	tmpl_build(&e->t_rst, e, RTE_TCP_RST_FLAG, 0, 0, 0);
	if (e->payload > 0)
		tmpl_build(&e->t_main, e, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, e->payload, 0, 1);
	else
		e->t_main = e->t_ack;
	e->ring_port = bench_ring_port(&e->rxr, &e->txr);
	return e;
fail:
	bench_env_destroy(e);
	return NULL;
}

struct bench_env *
bench_env_create(const struct bench_opts *o, enum bench_scenario sc, uint32_t nflows,
		 char *err, size_t errlen)
{
	return bench_env_create_ex(o, sc, nflows, 0, err, errlen);
}

void
bench_env_destroy(struct bench_env *e)
{
	if (e == NULL)
		return;
	if (e->sw != NULL) {
		stack_teardown(e->sw);
		rte_free(e->sw);
	}
	tern_config_free(&e->cfg);
	if (e->pool != NULL) {
		unsigned used = rte_mempool_in_use_count(e->pool);

		if (used != 0)
			fprintf(stderr, "tern-bench: warning: %u mbufs not returned to the pool "
				"after %s with %u flows\n", used, bench_scenario_names[e->sc], e->nflows);
		else
			rte_mempool_free(e->pool);
	}
	free(e->peer);
	free(e->order);
	free(e->synp);
	free(e->syn_order);
	free(e);
}
