/* The in-memory worker (see harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "core/clock.h"
#include "core/eal.h"
#include "harness.h"
#include "net/arp_cache.h"
#include "net/cksum.h"
#include "net/net.h"

#define HZ 1000000000ull             /* 1 TSC tick = 1 ns */
#define BASE_NS (1000ull * HZ)       /* the script's time 0 on the TSC */
#define POOL_MBUFS 16383
#define BIG_MBUFS 255           /* inbound frames larger than a standard mbuf */

static struct rte_mempool *pool, *big_pool;
static char runtime_dir[512];

static void
global_exit(void)
{
	rte_eal_cleanup();
	tern_eal_remove_own_dir(runtime_dir);
}

int
harness_global_init(const char *prog)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-pkt-%d", (int)getpid());
	char *argv[] = { (char *)prog, "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
			 "--no-telemetry", "-l", "0", "--log-level", "error", prefix, NULL };
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "tern-pkt: rte_eal_init failed\n");
		return -1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(global_exit);
	tern_clock_init(HZ);
	pool = rte_pktmbuf_pool_create("tern_pkt_pool", POOL_MBUFS, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	big_pool = rte_pktmbuf_pool_create("tern_pkt_big", BIG_MBUFS, 0, 0,
					   FRAME_MAX + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	if (pool == NULL || big_pool == NULL) {
		fprintf(stderr, "tern-pkt: cannot create the mbuf pools\n");
		return -1;
	}
	return 0;
}

static void
queue_push(struct seg_queue *q, const struct wire_seg *s)
{
	if (q->head + q->n == q->cap) {
		if (q->head > 0) {
			memmove(q->v, q->v + q->head, (size_t)q->n * sizeof(*q->v));
			q->head = 0;
		} else {
			q->cap = q->cap ? 2 * q->cap : 64;
			q->v = realloc(q->v, (size_t)q->cap * sizeof(*q->v));
		}
	}
	q->v[q->head + q->n++] = *s;
}

/* One frame as it goes on the wire. */
static void
capture_one(struct harness *h, struct rte_mbuf *m)
{
	uint8_t buf[FRAME_MAX];
	uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)FRAME_MAX);
	const uint8_t *p = rte_pktmbuf_read(m, 0, len, buf);
	struct wire_seg s;
	int rc = p ? frame_parse(p, len, &s) : -1;

	if (rc == 1) {
		s.time_us = h->now_us;
		queue_push(&h->out, &s);
	} else if (rc == 0) {
		h->other_frames++;
	} else {
		h->bad_frames++;
	}
	rte_pktmbuf_free(m);
}

/*
 * Why the modelled NIC would refuse frame m, or NULL. The limits are the
 * port's (Intel's 710 series: 8 descriptors per packet, and per TSO
 * segment counting the header's with that segment's payload, datasheet
 * §8.4.1, Linux's i40e "limit TSO to 7 descriptors for payload"; 255 per
 * TSO frame).
 */
static const char *
nic_refusal(const struct tern_port *p, const struct rte_mbuf *m)
{
	uint32_t hlen = (uint32_t)m->l2_len + m->l3_len + m->l4_len, pos = 0, win = 0, in_win = 0;

	if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
		return p->tx_mtu_segs != 0 && m->nb_segs > p->tx_mtu_segs ?
		       "a packet in more mbufs than the port reads for one" : NULL;
	if (p->tx_max_segs != 0 && m->nb_segs > p->tx_max_segs)
		return "a TSO frame in more mbufs than the port reads for one";
	if (m->tso_segsz == 0 || rte_pktmbuf_data_len(m) < hlen)
		return "a TSO frame without a segment size or with its headers split";
	if (m->tso_segsz < 256)
		return "a TSO frame cut below the NIC's smallest segment size (256)";
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		uint32_t a = pos > hlen ? pos - hlen : 0, b;

		pos += s->data_len;
		b = pos > hlen ? pos - hlen : 0;
		if (s == m)
			in_win = 1; /* the header's mbuf */
		for (uint32_t w = a / m->tso_segsz; b > a && w <= (b - 1) / m->tso_segsz; w++) {
			if (s == m && w == 0)
				continue;
			in_win = w == win ? in_win + 1 : 2; /* each segment is sent with the header */
			win = w;
			if (p->tx_mtu_segs != 0 && in_win > p->tx_mtu_segs)
				return "a TSO segment whose bytes span more mbufs than the port reads";
		}
	}
	return NULL;
}

/*
 * The worker's tx hook: every frame tern sends ends here. The port
 * models a NIC with TSO: a frame marked for segmentation is cut into the
 * segments that would go on the wire, and their sums filled, before the
 * script sees them.
 */
static void
capture(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct harness *h = w->hook_ctx;
	struct rte_mbuf *segs[1024]; /* 64 KiB of a 64-byte MSS */

	(void)port;
	for (uint16_t i = 0; i < n; i++) {
		const char *why = nic_refusal(&h->port, pkts[i]);
		int nseg;

		if (why != NULL) {
			if (h->bad_frames++ == 0)
				snprintf(h->bad_why, sizeof(h->bad_why), "%s", why);
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		if (!(pkts[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG)) {
			capture_one(h, pkts[i]);
			continue;
		}
		nseg = net_tso_segment(pkts[i], pool, segs, RTE_DIM(segs));
		if (nseg < 0) {
			if (h->bad_frames++ == 0)
				snprintf(h->bad_why, sizeof(h->bad_why), "a TSO frame that cannot be cut");
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		for (int k = 0; k < nseg; k++) {
			net_cksum_finalize(segs[k]);
			capture_one(h, segs[k]);
		}
	}
}

/* The worker's rx hook: the frames queued since the last poll, as one burst. */
static uint16_t
receive(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t max)
{
	struct harness *h = w->hook_ctx;

	(void)port;
	return tern_rx_take(h->rx, &h->nrx, pkts, max);
}

static void
port_setup(struct tern_port *p, uint32_t mtu, int tso)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->mac.addr_bytes, tern_mac, 6);
	p->addr = rte_cpu_to_be_32(TERN_IP);
	p->netmask = rte_cpu_to_be_32(0xffffff00);
	p->mtu = (uint16_t)mtu;
	p->nb_queues = 1;
	p->reta_size = 1;
	p->tx_tso = (uint8_t)tso; /* checksums stay software: TSO frames carry their own flags */
	p->tx_max_segs = 255;     /* what an Intel 710-series port reads (its DPDK driver's limits) */
	p->tx_mtu_segs = 8;
}

/* The profile: tern's defaults, with the sizes the run options ask for. */
static int
config_setup(struct tern_config *cfg, struct tern_port *port, const struct harness_profile *prof)
{
	struct tcp_cfg *tcp;

	if (tern_config_init(cfg, &stack_schema) != 0)
		return -1;
	tcp = tcp_config(cfg);
	cfg->nports = 1;
	port->cfg = &cfg->ports[0];
	net_arp_cfg(cfg)->timeout_ms = 24u * 3600 * 1000;  /* the peer's MAC never ages out */
	tcp->max_connections = 64;
	tcp->ooo_mbufs = 1024;
	tcp->rcvbuf = prof->rcvbuf;
	tcp->sndbuf = prof->sndbuf;
	if (prof->cc != NULL && prof->cc[0] != '\0')
		snprintf(tcp->cc, sizeof(tcp->cc), "%s", prof->cc);
	if (prof->syncookies != NULL && prof->syncookies[0] != '\0')
		tcp->syncookies = strcmp(prof->syncookies, "never") == 0 ? TCP_SYNCOOKIES_NEVER :
				  strcmp(prof->syncookies, "always") == 0 ? TCP_SYNCOOKIES_ALWAYS :
				  TCP_SYNCOOKIES_AUTO;
	if (prof->ecn != NULL && prof->ecn[0] != '\0')
		tcp->ecn = strcmp(prof->ecn, "off") == 0 ? TCP_ECN_OFF :
			   strcmp(prof->ecn, "on") == 0 ? TCP_ECN_ON : TCP_ECN_ACCEPT;
	if (prof->backlog != 0)
		tcp->backlog = prof->backlog;
	tcp->source_max_connections = prof->source_max;
	return 0;
}

static int
learn_peer(struct harness *h)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *out[8];

	memcpy(mac.addr_bytes, peer_mac, 6);
	return arp_cache_learn(h->sw->net.arp, 0, rte_cpu_to_be_32(PEER_IP), &mac, h->sw->w.now, 1,
			       out, RTE_DIM(out)) < 0 ? -1 : 0;
}

int
harness_open(struct harness *h, const struct harness_profile *prof)
{
	struct tern_worker_env env = { .index = 0, .nworkers = 1, .ports = &h->port, .nports = 1,
		.pool = pool, .socket = SOCKET_ID_ANY, .now = BASE_NS, .rx_hook = receive,
		.tx_hook = capture, .hook_ctx = h };
	int rc;

	memset(h, 0, sizeof(*h));
	env.ports = &h->port;
	env.hook_ctx = h;
	port_setup(&h->port, prof->mtu, !prof->no_tso);
	h->lro = prof->lro;
	h->sw = rte_zmalloc("tern_pkt_worker", sizeof(*h->sw), RTE_CACHE_LINE_SIZE);
	if (h->sw == NULL || config_setup(&h->cfg, &h->port, prof) != 0) {
		fprintf(stderr, "tern-pkt: out of memory\n");
		return -1;
	}
	h->pool_base = rte_mempool_in_use_count(pool) + rte_mempool_in_use_count(big_pool);
	if ((rc = stack_build(h->sw, &h->cfg, &env, STACK_NO_SERVICES)) != 0) {
		fprintf(stderr, "tern-pkt: stack_build failed: %s\n", rte_strerror(-rc));
		return -1;
	}
	if (learn_peer(h) != 0) {
		fprintf(stderr, "tern-pkt: cannot learn the peer's MAC\n");
		stack_teardown(h->sw);
		return -1;
	}
	h->open = 1;
	return 0;
}

static void
queue_clear(struct seg_queue *q)
{
	for (int i = 0; i < q->n; i++)
		wire_seg_free(&q->v[q->head + i]);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

void
harness_stop(struct harness *h)
{
	if (!h->open || h->stopped)
		return;
	tcp_worker_fini(&h->sw->tcp);
	harness_flush(h);
	h->stopped = 1;
}

int
harness_close(struct harness *h)
{
	if (!h->open)
		return 0;
	harness_stop(h);
	rte_pktmbuf_free_bulk(h->rx, h->nrx);
	h->nrx = 0;
	stack_teardown(h->sw);
	rte_free(h->sw);
	h->sw = NULL;
	tern_config_free(&h->cfg);
	queue_clear(&h->out);
	h->open = 0;
	return (int)(rte_mempool_in_use_count(pool) + rte_mempool_in_use_count(big_pool)) -
	       (int)h->pool_base;
}

void
harness_flush(struct harness *h)
{
	tern_worker_flush(&h->sw->w);
}

void
harness_poll(struct harness *h)
{
	tern_worker_poll(&h->sw->w, BASE_NS + (uint64_t)h->now_us * 1000);
}

void
harness_goto(struct harness *h, int64_t us)
{
	if (us < h->now_us)
		us = h->now_us;
	h->now_us = us;
	harness_poll(h);
}

int
harness_queue(struct harness *h, const uint8_t *frame, size_t len)
{
	size_t room = (size_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *m;
	char *p;

	if (h->nrx == TERN_RX_BURST)
		return -1;
	m = rte_pktmbuf_alloc(len > room ? big_pool : pool);
	p = m ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;
	if (p == NULL) {
		fprintf(stderr, "tern-pkt: out of mbufs\n");
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(p, frame, len);
	/* The modelled NIC coalesced what is larger than the MTU (LRO). */
	if (h->lro && len > (size_t)h->port.mtu + RTE_ETHER_HDR_LEN && len > 23 && frame[23] == IPPROTO_TCP)
		m->ol_flags |= RTE_MBUF_F_RX_LRO;
	h->rx[h->nrx++] = m;
	return 0;
}

void
harness_inject(struct harness *h, const uint8_t *frame, size_t len)
{
	if (harness_queue(h, frame, len) == 0)
		harness_poll(h);
}

struct wire_seg *
harness_front(struct harness *h)
{
	return h->out.n > 0 ? &h->out.v[h->out.head] : NULL;
}

void
harness_pop(struct harness *h)
{
	if (h->out.n == 0)
		return;
	wire_seg_free(&h->out.v[h->out.head]);
	h->out.head++;
	h->out.n--;
}

uint64_t
harness_timers(const struct harness *h)
{
	return h->sw->tcp.wheel.armed;
}
