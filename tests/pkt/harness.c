/* The in-memory stack (see harness.h). Set-up follows tests/unit/test_ipv4.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "core/clock.h"
#include "core/eal.h"
#include "harness.h"
#include "net/arp_cache.h"
#include "tcp/tcp_validate.h"

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

/* The worker's tx_hook: every frame tern sends ends here. */
static void
capture(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct harness *h = w->tx_hook_ctx;
	uint8_t buf[FRAME_MAX];

	(void)port;
	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(pkts[i]), (uint32_t)FRAME_MAX);
		const uint8_t *p = rte_pktmbuf_read(pkts[i], 0, len, buf);
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
		rte_pktmbuf_free(pkts[i]);
	}
}

static void
port_setup(struct tern_port *p, uint32_t mtu)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->mac.addr_bytes, tern_mac, 6);
	p->addr = rte_cpu_to_be_32(TERN_IP);
	p->netmask = rte_cpu_to_be_32(0xffffff00);
	p->mtu = (uint16_t)mtu;
	p->nb_queues = 1;
	p->reta_size = 1;
}

/* The profile: tern's defaults, with the sizes the run options ask for. */
static void
config_setup(struct tern_config *cfg, const struct harness_profile *prof)
{
	tern_config_defaults(cfg);
	cfg->arp.timeout_ms = 24u * 3600 * 1000;  /* the peer's MAC never ages out */
	cfg->tcp.max_connections = 64;
	cfg->tcp.ooo_mbufs = 1024;
	cfg->tcp.rcvbuf = prof->rcvbuf;
	cfg->tcp.sndbuf = prof->sndbuf;
	if (prof->cc != NULL && prof->cc[0] != '\0')
		snprintf(cfg->tcp.cc, sizeof(cfg->tcp.cc), "%s", prof->cc);
}

static int
learn_peer(struct harness *h)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *out[8];

	memcpy(mac.addr_bytes, peer_mac, 6);
	return arp_cache_learn(h->nw.arp, 0, rte_cpu_to_be_32(PEER_IP), &mac, h->w.now, 1, out,
			       RTE_DIM(out)) < 0 ? -1 : 0;
}

int
harness_open(struct harness *h, const struct harness_profile *prof)
{
	memset(h, 0, sizeof(*h));
	port_setup(&h->port, prof->mtu);
	config_setup(&h->cfg, prof);
	h->w.nports = 1;
	h->w.ports = &h->port;
	h->w.pool = pool;
	h->w.nworkers = 1;
	h->w.now = BASE_NS;
	h->w.tx_hook = capture;
	h->w.tx_hook_ctx = h;
	h->pool_base = rte_mempool_in_use_count(pool) + rte_mempool_in_use_count(big_pool);
	if (net_worker_init(&h->nw, &h->w, &h->cfg) != 0 || learn_peer(h) != 0) {
		fprintf(stderr, "tern-pkt: net_worker_init failed\n");
		return -1;
	}
	if (tcp_worker_init(&h->tw, &h->nw, &h->cfg.tcp) != 0) {
		fprintf(stderr, "tern-pkt: tcp_worker_init failed\n");
		net_worker_fini(&h->nw);
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
	tcp_worker_fini(&h->tw);
	harness_flush(h);
	h->stopped = 1;
}

int
harness_close(struct harness *h)
{
	if (!h->open)
		return 0;
	harness_stop(h);
	net_worker_fini(&h->nw);
	rte_pktmbuf_free_bulk(h->w.txq[0].pkts, h->w.txq[0].n);
	h->w.txq[0].n = 0;
	queue_clear(&h->out);
	h->open = 0;
	return (int)(rte_mempool_in_use_count(pool) + rte_mempool_in_use_count(big_pool)) -
	       (int)h->pool_base;
}

void
harness_flush(struct harness *h)
{
	tern_worker_flush(&h->w);
}

void
harness_goto(struct harness *h, int64_t us)
{
	if (us < h->now_us)
		us = h->now_us;
	h->now_us = us;
	h->w.now = BASE_NS + (uint64_t)us * 1000;
	tcp_worker_tick(&h->tw);
	harness_flush(h);
}

void
harness_inject(struct harness *h, const uint8_t *frame, size_t len)
{
	size_t room = (size_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *m = rte_pktmbuf_alloc(len > room ? big_pool : pool);
	char *p = m ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;

	if (p == NULL) {
		fprintf(stderr, "tern-pkt: out of mbufs\n");
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, frame, len);
	m->port = 0;
	if (net_rx_one(&h->nw, 0, m) == NET_TCP && tcp_segment_valid(&h->nw, 0, m))
		tcp_input(&h->tw, 0, m);
	harness_flush(h);
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
	return h->tw.wheel.armed;
}
