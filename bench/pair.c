#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf_pool_ops.h>

#include "svc/svc.h"
#include "svc/svc_config.h"
#include "core/counters.h"
#include "core/mbuf.h"
#include "net/arp_cache.h"
#include "net/cksum.h"
#include "net/net.h"
#include "pair.h"

#define PAIR_RING 65536
#define PAIR_POLL_BURSTS 8 /* per turn: a side takes what a burst of the other sent */
#define PAIR_TSO_SEGS 1024 /* segments one TSO frame may be cut into (64 KiB of a 64-byte MSS) */

/*
 * rte_pktmbuf_pool_create, except that on 4 KiB pages (--no-huge) objects
 * may straddle pages: nothing here is DMAed, and otherwise each 2.3 KiB
 * mbuf takes a page of its own.
 */
struct rte_mempool *
bench_pool_create(const char *name, unsigned n)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE, .mbuf_priv_size = 0,
	};
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE,
				      512, sizeof(priv), (int)rte_socket_id(),
				      bench_huge ? 0 : RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL) != 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_pktmbuf_pool_init(mp, &priv);
	if (rte_mempool_populate_default(mp) < 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

/*
 * Drops that a wire modelling a NIC never causes: a frame above the MTU
 * without the LRO mark, a checksum the offload flags should have vouched
 * for, a truncated frame, a full transmit backlog.
 */
static const char *const wire_fault_names[] = {
	"EthInRunts", "EthInOversize", "IpInTruncated", "IpInCsumErrors", "TcpInCsumErrors",
	"PortTxDropFull", "PortTxDropRefused",
};

int
bench_wire_check(const struct stack_worker *sw, const char *who, uint64_t lost, char *err,
		 size_t errlen)
{
	for (unsigned i = 0; i < RTE_DIM(wire_fault_names); i++) {
		uint64_t n = stack_counter(sw, wire_fault_names[i]);

		if (n != 0) {
			snprintf(err, errlen, "%s dropped %" PRIu64 " frames the wire should have "
				 "delivered (%s): a broken wire, no figure", who, n, wire_fault_names[i]);
			return -1;
		}
	}
	if (lost != 0) {
		snprintf(err, errlen, "the wire lost %" PRIu64 " frames %s sent: no figure", lost, who);
		return -1;
	}
	return 0;
}

void
bench_ring_free(struct rte_ring **r)
{
	struct rte_mbuf *m;

	while (*r != NULL && rte_ring_dequeue(*r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(*r);
	*r = NULL;
}

void
bench_backlog_free(struct tern_worker *w, uint16_t nports)
{
	for (uint16_t p = 0; p < nports; p++) {
		rte_pktmbuf_free_bulk(w->backlog[p].pkts, w->backlog[p].n);
		w->backlog[p].n = 0;
	}
}

/* Frames on their way to the peer's ring. */
struct wire_batch {
	struct rte_mbuf *pkts[TERN_TX_BATCH + PAIR_TSO_SEGS];
	unsigned n;
};

static void
wire_flush(struct pair_side *s, struct wire_batch *b)
{
	unsigned k = rte_ring_enqueue_burst(s->peer->rx, (void **)b->pkts, b->n, NULL);

	s->frames_out += k;
	if (k < b->n) {
		s->ring_full += b->n - k;
		rte_pktmbuf_free_bulk(b->pkts + k, b->n - k);
	}
	b->n = 0;
}

/* One frame on the wire: the tamper hook may drop it; received as a checksum-offloading NIC would. */
static void
wire_one(struct pair_side *s, struct wire_batch *b, struct rte_mbuf *m)
{
	struct pair *p = s->pair;
	uint64_t lro = (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) ? RTE_MBUF_F_RX_LRO : 0;

	if (p->tamper != NULL && p->tamper(p->tamper_ctx, s->is_server, m)) {
		s->tampered++;
		rte_pktmbuf_free(m);
		return;
	}
	tern_mbuf_set_flags(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD | lro);
	m->port = 0;
	b->pkts[b->n++] = m;
	if (b->n >= TERN_TX_BATCH)
		wire_flush(s, b);
}

/* The wire: frames go to the peer's ring as a NIC pair would hand them over (see enum pair_wire_kind). */
static void
side_tx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct pair_side *s = w->hook_ctx;
	struct rte_mbuf *segs[PAIR_TSO_SEGS];
	struct wire_batch b = { .n = 0 };

	(void)port;
	for (uint16_t i = 0; i < n; i++) {
		int nseg;

		if (!(pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG) || s->wire == PAIR_WIRE_TSO_LRO) {
			s->tso_frames += !!(pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
			wire_one(s, &b, pkts[i]);
			continue;
		}
		s->tso_frames++;
		nseg = net_tso_segment(pkts[i], s->pool, segs, RTE_DIM(segs));
		if (nseg < 0) {
			s->ring_full++; /* out of mbufs: the wire loses the frame */
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		for (int k = 0; k < nseg; k++) {
			net_cksum_finalize(segs[k]); /* what the NIC fills in */
			wire_one(s, &b, segs[k]);
		}
	}
	if (b.n > 0)
		wire_flush(s, &b);
}

/* The wire's far end: what the other side sent, a burst per worker loop. */
static uint16_t
side_rx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t max)
{
	struct pair_side *s = w->hook_ctx;

	(void)port;
	return (uint16_t)rte_ring_dequeue_burst(s->rx, (void **)pkts, max, NULL);
}

/* A turn of one side: worker loops while the other side's frames wait, up to a bound. */
static void
side_poll(struct pair_side *s)
{
	struct tern_worker *w = &s->sw->w;

	for (int b = 0; b < PAIR_POLL_BURSTS; b++) {
		tern_worker_poll(w, rte_rdtsc());
		if (rte_ring_empty(s->rx))
			break;
	}
}

static int
side_config(struct pair_side *s, const struct pair_opts *o)
{
	struct svc_cfg *svc;
	struct tcp_cfg *tcp;

	if (tern_config_init(&s->cfg, &stack_schema) != 0)
		return -1;
	tcp = tcp_config(&s->cfg);
	s->cfg.nports = 1;
	s->cfg.ports[0].mtu = 1500;
	s->cfg.log_level = RTE_LOG_ERR;
	tcp->max_connections = o->max_connections;
	tcp->msl_ms = o->msl_ms;
	if (o->sndbuf != 0)
		tcp->sndbuf = o->sndbuf;
	if (o->rcvbuf != 0)
		tcp->rcvbuf = o->rcvbuf;
	if (getenv("TERN_BENCH_NO_GRO") != NULL) /* A/B of [tcp] gro */
		tcp->gro = 0;
	svc = tern_config_add(&s->cfg, &svc_section, s->is_server ? "http" : o->client.name);
	if (svc == NULL)
		return -1;
	if (s->is_server) {
		svc->type = SVC_HTTP;
		svc->port = 80;
	} else
		*svc = o->client;
	return 0;
}

static int
side_init(struct pair_side *s, const char *name, uint32_t ip, uint8_t mac_last,
	  const struct pair_opts *o, char *err, size_t errlen)
{
	static unsigned serial;
	char pname[RTE_MEMPOOL_NAMESIZE];
	struct tern_worker_env env = { .index = 0, .nworkers = 1, .ports = &s->port, .nports = 1,
		.socket = (int)rte_socket_id(), .rx_hook = side_rx, .tx_hook = side_tx,
		.hook_ctx = s };
	int rc;

	if (side_config(s, o) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	s->port = (struct tern_port){ .index = 0, .nb_queues = 1, .mtu = 1500,
		.mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, mac_last } },
		.addr = rte_cpu_to_be_32(ip), .netmask = RTE_BE32(0xffffff00), .reta_size = 1,
		.rx_ip_cksum = 1, .rx_l4_cksum = 1, .tx_ip_cksum = 1, .tx_tcp_cksum = 1,
		.tx_cksum_chained = 1, .tx_tso = o->wire != PAIR_WIRE_MSS, .cfg = &s->cfg.ports[0] };
	s->wire = o->wire;
	serial++;
	snprintf(pname, sizeof(pname), "pair_pool_%s_%u", name, serial);
	s->pool = bench_pool_create(pname, o->mbufs);
	snprintf(pname, sizeof(pname), "pair_rx_%s_%u", name, serial);
	s->rx = rte_ring_create(pname, PAIR_RING, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	s->sw = rte_zmalloc("pair_worker", sizeof(*s->sw), RTE_CACHE_LINE_SIZE);
	if (s->pool == NULL || s->rx == NULL || s->sw == NULL) {
		snprintf(err, errlen, "%s: cannot allocate pool, ring or worker: %s", name,
			 rte_strerror(rte_errno));
		return -1;
	}
	env.pool = s->pool;
	rc = stack_build(s->sw, &s->cfg, &env, 0);
	if (rc != 0) {
		rte_free(s->sw);
		s->sw = NULL;
		snprintf(err, errlen, "%s: worker init: %s", name, rte_strerror(-rc));
		return -1;
	}
	return 0;
}

/* The peers know each other's MAC from the start, as after the first ARP exchange. */
static void
learn_peer(struct pair_side *s)
{
	struct rte_mbuf *out[8];

	arp_cache_learn(s->sw->net.arp, 0, s->peer->port.addr, &s->peer->port.mac, rte_rdtsc(), 1,
			out, RTE_DIM(out));
}

int
pair_create(struct pair *p, const struct pair_opts *o, char *err, size_t errlen)
{
	p->server.peer = &p->client;
	p->client.peer = &p->server;
	p->server.pair = p->client.pair = p;
	p->server.is_server = 1;
	if (side_init(&p->server, "server", PAIR_SERVER_IP, 1, o, err, errlen) != 0 ||
	    side_init(&p->client, "client", PAIR_CLIENT_IP, 2, o, err, errlen) != 0)
		return -1;
	learn_peer(&p->server);
	learn_peer(&p->client);
	return 0;
}

struct client_worker *
pair_client(struct pair *p)
{
	return svc_client(p->client.sw->svc, 0);
}

int
pair_run(struct pair *p, double max_s)
{
	struct client_worker *cw = pair_client(p);
	uint64_t until = rte_rdtsc() + (uint64_t)(max_s * (double)rte_get_tsc_hz());

	while (!client_done(cw) && rte_rdtsc() < until) {
		side_poll(&p->client);
		side_poll(&p->server);
	}
	return client_done(cw) ? 0 : -1;
}

/* After the run: what either side still sends goes nowhere. */
static void
tx_discard(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w;
	(void)port;
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
side_stop(struct pair_side *s)
{
	if (s->sw != NULL) {
		s->sw->w.tx_hook = tx_discard;
		stack_teardown(s->sw);
		rte_free(s->sw);
		s->sw = NULL;
	}
	tern_config_free(&s->cfg);
}

/* Only once both rings are empty: mbufs of one pool may wait in the other's ring. */
static unsigned
side_free(struct pair_side *s, const char *name)
{
	unsigned used = 0;

	if (s->pool != NULL) {
		used = rte_mempool_in_use_count(s->pool);
		if (used != 0)
			fprintf(stderr, "pair: %u mbufs of the %s side not returned\n", used, name);
		else
			rte_mempool_free(s->pool);
		s->pool = NULL;
	}
	return used;
}

unsigned
pair_destroy(struct pair *p)
{
	side_stop(&p->client);
	side_stop(&p->server);
	bench_ring_free(&p->client.rx); /* with the frames the server sent while it stopped */
	bench_ring_free(&p->server.rx);
	return side_free(&p->client, "client") + side_free(&p->server, "server");
}
