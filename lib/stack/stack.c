#include <rte_ip.h>
#include <rte_tcp.h>

#include "app/services.h"
#include "core/steer.h"
#include "net/cksum.h"
#include "stack.h"
#include "tcp/tcp_validate.h"

static inline struct stack_worker *
stack_of(struct tern_worker *w)
{
	return (struct stack_worker *)w;
}

static void
tcp_deliver(struct stack_worker *sw, uint16_t port, struct rte_mbuf *m)
{
	if (!tcp_segment_valid(&sw->net, port, m))
		return;
	tcp_input(&sw->tcp, port, m);
}

/* The burst's valid segments that belong to this worker go to TCP together. */
static void
tcp_deliver_burst(struct stack_worker *sw, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *valid[TERN_RX_BURST];
	unsigned nvalid = 0;

	RTE_BUILD_BUG_ON(TERN_RX_BURST > TCP_INPUT_BURST);

	for (uint16_t i = 0; i < n; i++)
		if (tcp_segment_valid(&sw->net, port, pkts[i]))
			valid[nvalid++] = pkts[i];
	tcp_input_burst(&sw->tcp, port, valid, nvalid);
}

/* The worker that owns m's flow: the NIC's RSS hash when it gave one, ours otherwise. */
static uint16_t
flow_owner(const struct tern_port *port, const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								m->l2_len);
	const struct rte_tcp_hdr *th;
	uint32_t hash;

	if (port->hw_rss && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
		hash = m->hash.rss;
	else {
		th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, m->l2_len + m->l3_len);
		hash = tern_flow_hash(ip->src_addr, ip->dst_addr, th->src_port, th->dst_port);
	}
	return tern_flow_owner(port, hash);
}

static void
stack_rx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct stack_worker *sw = stack_of(w);
	struct rte_mbuf *tcp[TERN_RX_BURST];
	uint16_t ntcp = net_rx_burst(&sw->net, port, pkts, n, tcp), nlocal = 0;

	for (uint16_t i = 0; i < ntcp; i++) {
		struct rte_mbuf *m = tcp[i];

		/* Ports must be readable to hash; shorter segments fail validation later. */
		if (w->nworkers > 1 &&
		    rte_pktmbuf_data_len(m) >= m->l2_len + m->l3_len + 4) {
			uint16_t owner = flow_owner(&w->ports[port], m);

			if (owner != w->index) {
				tern_steer_to(w, owner, m);
				continue;
			}
		}
		tcp[nlocal++] = m;
	}
	tcp_deliver_burst(sw, port, tcp, nlocal);
}

static void
stack_steered(struct tern_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct stack_worker *sw = stack_of(w);

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			net_arp_from_peer(&sw->net, pkts[i]);
		else
			tcp_deliver(sw, pkts[i]->port, pkts[i]);
	}
}

static void
stack_tick(struct tern_worker *w)
{
	struct stack_worker *sw = stack_of(w);

	if (!sw->announced) {
		sw->announced = 1;
		if (w->index == 0)
			net_announce(&sw->net);
	}
	net_tick(&sw->net);
	tcp_worker_tick(&sw->tcp);
	services_tick(sw->app);
}

static const struct tern_worker_ops stack_ops = {
	.rx = stack_rx,
	.steered = stack_steered,
	.tick = stack_tick,
};

static int
stack_worker_init(struct tern_worker *w, const struct tern_config *cfg)
{
	struct stack_worker *sw = stack_of(w);
	int rc = net_worker_init(&sw->net, w, cfg);

	if (rc == 0)
		rc = tcp_worker_init(&sw->tcp, &sw->net, &cfg->tcp);
	if (rc == 0)
		rc = services_start(&sw->app, &sw->tcp, cfg, w->pool);
	return rc;
}

static void
stack_worker_fini(struct tern_worker *w)
{
	struct stack_worker *sw = stack_of(w);

	/* Connections first: their callbacks still reach the services. */
	if (sw->tcp.tcbs != NULL)
		tcp_worker_fini(&sw->tcp);
	services_stop(sw->app);
	sw->app = NULL;
	net_worker_fini(&sw->net);
}

static int
stack_main_poll(struct tern_runtime *rt, int stopping)
{
	struct app_worker *aws[TERN_MAX_WORKERS];

	for (unsigned i = 0; i < rt->cfg.workers; i++)
		aws[i] = stack_of(rt->peers[i])->app;
	return services_poll_clients(aws, rt->cfg.workers, &rt->cfg, stopping);
}

const struct tern_app stack_app = {
	.name = "tern",
	.worker_size = sizeof(struct stack_worker),
	.worker_init = stack_worker_init,
	.worker_fini = stack_worker_fini,
	.ops = &stack_ops,
	.finalize = net_cksum_finalize,
	.needs_addresses = 1,
	.main_poll = stack_main_poll,
};
