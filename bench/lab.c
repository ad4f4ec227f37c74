#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "core/mbuf.h"
#include "lab.h"
#include "net/arp_cache.h"
#include "pair.h"

#define LAB_RING 65536

void
lab_init(struct lab *l)
{
	memset(l, 0, sizeof(*l));
	l->now = 1000ull * 1000 * 1000 * 1000; /* 1000 s: nothing starts at 0 */
}

void
lab_use_tsc(struct lab *l)
{
	l->tsc = 1;
	l->now = rte_rdtsc();
}

/* A copy of m into member's receive ring (a broadcast goes to several). */
static void
deliver(struct lab_node *from, const struct lab_member *to, struct rte_mbuf *m)
{
	uint64_t lro = (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) ? RTE_MBUF_F_RX_LRO : 0;

	tern_mbuf_set_flags(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD | lro);
	if (rte_ring_enqueue(to->node->rx[to->port], m) != 0) {
		from->dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	from->frames_out++;
}

/* The switch: by destination MAC, broadcasts to every other member. */
static void
switch_frame(struct lab_node *x, uint16_t port, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct lab_segment *sg = &x->lab->seg[x->seg[port]];
	int bcast = rte_is_broadcast_ether_addr(&eth->dst_addr);
	const struct lab_member *one = NULL;
	unsigned copies = 0;

	for (unsigned i = 0; i < sg->n; i++) {
		const struct lab_member *mb = &sg->m[i];

		if (mb->node == x && mb->port == port)
			continue;
		if (bcast)
			copies++;
		else if (rte_is_same_ether_addr(&eth->dst_addr, &mb->node->ports[mb->port].mac))
			one = mb;
	}
	if (!bcast) {
		if (one != NULL)
			deliver(x, one, m);
		else
			x->dropped++, rte_pktmbuf_free(m);
		return;
	}
	if (copies == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_mbuf_refcnt_update(m, (int16_t)(copies - 1));
	for (unsigned i = 0; i < sg->n; i++)
		if (sg->m[i].node != x || sg->m[i].port != port)
			deliver(x, &sg->m[i], m);
}

static void
lab_tx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct lab_node *x = w->hook_ctx;

	for (uint16_t i = 0; i < n; i++) {
		if (x->seg[port] < 0 || (x->lab->tamper != NULL &&
					 x->lab->tamper(x->lab->tamper_ctx, x, port, pkts[i]))) {
			x->dropped++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		switch_frame(x, port, pkts[i]);
	}
}

static uint16_t
lab_rx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t max)
{
	struct lab_node *x = w->hook_ctx;

	return (uint16_t)rte_ring_dequeue_burst(x->rx[port], (void **)pkts, max, NULL);
}

/* The configuration from text, through the loader as a file would go. */
static int
load_ini(struct lab_node *x, const char *ini, char *err, size_t errlen)
{
	char path[] = "/tmp/tern-lab-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, ini, strlen(ini)) != (ssize_t)strlen(ini)) {
		snprintf(err, errlen, "%s: cannot write %s", x->name, path);
		if (fd >= 0)
			close(fd), unlink(path);
		return -1;
	}
	close(fd);
	rc = tern_config_load(path, &stack_schema, &x->cfg, err, errlen);
	unlink(path);
	return rc;
}

static void
ports_setup(struct lab_node *x, unsigned id)
{
	for (unsigned p = 0; p < x->cfg.nports; p++) {
		const struct tern_port_cfg *pc = &x->cfg.ports[p];

		x->ports[p] = (struct tern_port){ .index = (uint16_t)p, .nb_queues = 1,
			.mtu = (uint16_t)pc->mtu, .addr = rte_cpu_to_be_32(pc->addr),
			.netmask = rte_cpu_to_be_32(~(~0u >> pc->prefix_len)),
			.gateway = rte_cpu_to_be_32(pc->gateway), .reta_size = 1,
			.rx_ip_cksum = 1, .rx_l4_cksum = 1, .tx_ip_cksum = 1, .tx_tcp_cksum = 1,
			.tx_cksum_chained = 1, .tx_tso = (uint8_t)x->lab->tso_lro, .cfg = pc,
			.mac = { .addr_bytes = { 0x02, 0x1a, 0xb0, 0, (uint8_t)id, (uint8_t)p } } };
	}
}

static int
node_build(struct lab_node *x, unsigned id, unsigned mbufs, char *err, size_t errlen)
{
	struct tern_worker_env env = { .index = 0, .nworkers = 1, .ports = x->ports,
		.nports = (uint16_t)x->cfg.nports, .socket = SOCKET_ID_ANY, .now = x->lab->now,
		.rx_hook = lab_rx, .tx_hook = lab_tx, .hook_ctx = x };
	char name[RTE_RING_NAMESIZE];
	static unsigned serial;
	int rc;

	serial++;
	snprintf(name, sizeof(name), "lab_%s_%u", x->name, serial);
	x->pool = bench_pool_create(name, mbufs);
	for (unsigned p = 0; p < x->cfg.nports; p++) {
		snprintf(name, sizeof(name), "lab_rx_%u_%u_%u", id, p, serial);
		x->rx[p] = rte_ring_create(name, LAB_RING, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (x->rx[p] == NULL)
			break;
	}
	x->sw = rte_zmalloc("lab_worker", sizeof(*x->sw), RTE_CACHE_LINE_SIZE);
	if (x->pool == NULL || x->sw == NULL || x->rx[x->cfg.nports - 1] == NULL) {
		snprintf(err, errlen, "%s: out of memory (pool, rings or worker)", x->name);
		return -1;
	}
	env.pool = x->pool;
	if ((rc = stack_build(x->sw, &x->cfg, &env, 0)) != 0) {
		rte_free(x->sw);
		x->sw = NULL;
		snprintf(err, errlen, "%s: stack_build: %s", x->name, rte_strerror(-rc));
		return -1;
	}
	return 0;
}

struct lab_node *
lab_add(struct lab *l, const char *name, const char *ini, unsigned mbufs, char *err, size_t errlen)
{
	struct lab_node *x;

	if (l->n == LAB_NODES) {
		snprintf(err, errlen, "at most %d nodes", LAB_NODES);
		return NULL;
	}
	x = &l->node[l->n];
	memset(x, 0, sizeof(*x));
	x->lab = l;
	for (unsigned p = 0; p < TERN_MAX_PORTS; p++)
		x->seg[p] = -1;
	snprintf(x->name, sizeof(x->name), "%s", name);
	if (load_ini(x, ini, err, errlen) != 0) {
		tern_config_free(&x->cfg);
		return NULL;
	}
	ports_setup(x, l->n);
	l->n++;
	return node_build(x, l->n - 1, mbufs, err, errlen) == 0 ? x : NULL;
}

void
lab_attach(struct lab_node *x, uint16_t port, unsigned seg)
{
	struct lab_segment *sg = &x->lab->seg[seg];
	struct rte_mbuf *out[8];

	if (seg >= LAB_SEGMENTS || sg->n == LAB_SEG_PORTS || port >= x->cfg.nports)
		return;
	for (unsigned i = 0; i < sg->n; i++) {
		struct lab_node *y = sg->m[i].node;
		uint16_t q = sg->m[i].port;

		arp_cache_learn(x->sw->net.arp, port, y->ports[q].addr, &y->ports[q].mac, x->lab->now,
				1, out, RTE_DIM(out));
		arp_cache_learn(y->sw->net.arp, q, x->ports[port].addr, &x->ports[port].mac, x->lab->now,
				1, out, RTE_DIM(out));
	}
	sg->m[sg->n++] = (struct lab_member){ .node = x, .port = port };
	x->seg[port] = (int)seg;
}

/* Each node at the TSC's present; what its loop took is its own. */
static void
poll_tsc(struct lab *l)
{
	uint64_t t = rte_rdtsc(), t1;

	for (unsigned i = 0; i < l->n; i++) {
		if (l->node[i].sw == NULL)
			continue;
		tern_worker_poll(&l->node[i].sw->w, t);
		t1 = rte_rdtsc();
		l->node[i].busy_cycles += t1 - t;
		t = t1;
	}
	l->now = t;
}

void
lab_poll(struct lab *l)
{
	if (l->tsc) {
		poll_tsc(l);
	} else {
		for (unsigned i = 0; i < l->n; i++)
			if (l->node[i].sw != NULL)
				tern_worker_poll(&l->node[i].sw->w, l->now);
	}
	if (l->after_poll != NULL)
		l->after_poll(l->after_poll_ctx);
	if (!l->tsc)
		l->now += LAB_STEP_NS;
}

int
lab_run(struct lab *l, int (*done)(void *ctx), void *ctx, unsigned max_ms)
{
	uint64_t per_ms = l->tsc ? rte_get_tsc_hz() / 1000 : 1000000;
	uint64_t until = l->now + (uint64_t)max_ms * per_ms;

	while (!done(ctx)) {
		if (l->now >= until)
			return -1;
		lab_poll(l);
	}
	return 0;
}

static void
lab_discard(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w;
	(void)port;
	rte_pktmbuf_free_bulk(pkts, n);
}

unsigned
lab_destroy(struct lab *l)
{
	unsigned leaked = 0;

	for (unsigned i = 0; i < l->n; i++) {
		struct lab_node *x = &l->node[i];

		if (x->sw != NULL) {
			x->sw->w.tx_hook = lab_discard;
			stack_teardown(x->sw);
			rte_free(x->sw);
			x->sw = NULL;
		}
	}
	/* Only now: mbufs of one node's pool may wait in another's ring. */
	for (unsigned i = 0; i < l->n; i++)
		for (unsigned p = 0; p < TERN_MAX_PORTS; p++)
			bench_ring_free(&l->node[i].rx[p]);
	for (unsigned i = 0; i < l->n; i++) {
		struct lab_node *x = &l->node[i];
		unsigned used = x->pool != NULL ? rte_mempool_in_use_count(x->pool) : 0;

		if (used != 0)
			fprintf(stderr, "lab: %u mbufs of %s not returned\n", used, x->name);
		else if (x->pool != NULL)
			rte_mempool_free(x->pool);
		leaked += used;
		tern_config_free(&x->cfg);
	}
	l->n = 0;
	return leaked;
}
