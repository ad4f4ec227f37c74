#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "core/steer.h"
#include "net/cksum.h"
#include "ctl/ctl_config.h"
#include "proxy/proxy_config.h"
#include "stack.h"
#include "stack_internal.h"
#include "svc/svc.h"
#include "tcp/tcp_validate.h"

static inline struct stack_worker *
stack_of(struct tern_worker *w)
{
	return (struct stack_worker *)w;
}

/* Segments that other workers steered here, one at a time (see stack_rx for bursts). */
static void
tcp_steered_one(struct stack_worker *sw, uint16_t port, struct rte_mbuf *m)
{
	if (!tcp_segment_valid(&sw->tcp, port, m))
		return;
	tcp_input_steered(&sw->tcp, port, m);
}

/* The burst's valid segments that belong to this worker go to TCP together. */
static void
tcp_deliver_burst(struct stack_worker *sw, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *valid[TERN_RX_BURST];
	unsigned nvalid = 0;

	RTE_BUILD_BUG_ON(TERN_RX_BURST > TCP_INPUT_BURST);

	for (uint16_t i = 0; i < n; i++)
		if (tcp_segment_valid(&sw->tcp, port, pkts[i]))
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
			tcp_steered_one(sw, pkts[i]->port, pkts[i]);
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
	if (sw->svc != NULL)
		svc_tick(sw->svc);
	if (sw->proxy != NULL)
		proxy_tick(sw->proxy);
}

/* A page of this worker's connections, bounded in rows and in slots looked at. */
static void
msg_conns(struct stack_worker *sw, struct tern_msg *m)
{
	struct stack_conns *page = (struct stack_conns *)m->body;

	if (m->cap < stack_conns_size(0) || m->cap < stack_conns_size(page->max_rows)) {
		m->status = -EINVAL;
		return;
	}
	if (page->listeners) {
		page->nrows = tern_listen_rows(&sw->tcp, page->rows, page->max_rows);
		page->next_cursor = UINT32_MAX;
	} else {
		page->next_cursor = tern_conn_page(&sw->tcp, page->cursor, page->rows,
						   page->max_rows, &page->nrows);
	}
	m->len = stack_conns_size(page->nrows);
	m->status = 0;
}

/* How many connections are in each state: the TCP worker keeps the counts, nothing is scanned. */
static void
msg_tcp_states(struct stack_worker *sw, struct tern_msg *m)
{
	if (m->cap < sizeof(struct stack_tcp_states)) {
		m->status = -EINVAL;
		return;
	}
	tern_tcp_states(&sw->tcp, ((struct stack_tcp_states *)m->body)->n);
	m->len = sizeof(struct stack_tcp_states);
	m->status = 0;
}

static void
msg_event(struct stack_worker *sw, struct tern_msg *m)
{
	const struct stack_event *ev = (const struct stack_event *)m->body;

	if (m->len < sizeof(*ev)) {
		m->status = -EINVAL;
		return;
	}
	sw->events++;
	sw->last_event_arg = ev->arg;
	if (ev->kind == STACK_EV_PROXY)
		proxy_event(sw->proxy, (const struct proxy_event *)ev->data);
	m->status = 0;
}

/* One backend's (or the frontends') counts of this worker. */
static void
msg_proxy_stats(struct stack_worker *sw, struct tern_msg *m)
{
	struct stack_proxy_stats *ps = (struct stack_proxy_stats *)m->body;

	if (m->cap < stack_proxy_stats_size(0) || m->cap < stack_proxy_stats_size(ps->max)) {
		m->status = -EINVAL;
		return;
	}
	ps->n = proxy_stats_copy(sw->proxy, ps->backend, ps->st, ps->max);
	ps->sessions = proxy_sessions(sw->proxy);
	m->len = stack_proxy_stats_size(RTE_MIN(ps->n, ps->max));
	m->status = 0;
}

static void
stack_msg(struct tern_worker *w, struct tern_msg *m)
{
	switch (m->type) {
	case STACK_MSG_CONNS:
		msg_conns(stack_of(w), m);
		break;
	case STACK_MSG_EVENT:
		msg_event(stack_of(w), m);
		break;
	case STACK_MSG_PROXY_STATS:
		msg_proxy_stats(stack_of(w), m);
		break;
	case STACK_MSG_TCP_STATES:
		msg_tcp_states(stack_of(w), m);
		break;
	default:
		m->status = -ENOTSUP;
	}
}

static const struct tern_worker_ops stack_ops = {
	.rx = stack_rx,
	.steered = stack_steered,
	.tick = stack_tick,
	.msg = stack_msg,
};

int
stack_build(struct stack_worker *sw, const struct tern_config *cfg,
	    const struct tern_worker_env *env, unsigned flags)
{
	int rc;

	memset((char *)sw + sizeof(sw->w), 0, sizeof(*sw) - sizeof(sw->w));
	tern_flow_hash_init();
	rc = tern_worker_init(&sw->w, env, &stack_ops, net_cksum_finalize);
	sw->w.counters = stack_counters();
	if (rc == 0)
		rc = net_worker_init(&sw->net, &sw->w, cfg);
	if (rc == 0)
		rc = tcp_worker_init(&sw->tcp, &sw->net, tcp_config(cfg));
	if (rc == 0 && !(flags & STACK_NO_SERVICES))
		rc = svc_start(&sw->svc, &sw->tcp, cfg, sw->w.pool, sw->w.socket);
	if (rc == 0 && !(flags & STACK_NO_SERVICES))
		rc = proxy_start(&sw->proxy, &sw->w, &sw->net, &sw->tcp, cfg, &sw->proxy_cnt);
	proxy_set_notify(sw->proxy, stack_proxy_notify);
	if (rc != 0)
		stack_teardown(sw);
	return rc;
}

void
stack_teardown(struct stack_worker *sw)
{
	/* Connections first: their callbacks still reach the services and the proxy. */
	proxy_quiesce(sw->proxy);
	if (sw->tcp.tcbs != NULL)
		tcp_worker_fini(&sw->tcp);
	proxy_stop(sw->proxy);
	sw->proxy = NULL;
	svc_stop(sw->svc);
	sw->svc = NULL;
	net_worker_fini(&sw->net);
	tern_worker_fini(&sw->w);
}

static int
program_build(struct tern_worker *w, const struct tern_config *cfg,
	      const struct tern_worker_env *env)
{
	return stack_build(stack_of(w), cfg, env, 0);
}

static void
program_teardown(struct tern_worker *w)
{
	stack_teardown(stack_of(w));
}

const struct cfg_schema stack_schema = {
	.n = 11,
	.sections = { &tern_main_section, &tern_port_section, &tern_impair_section,
		      &net_arp_section, &net_icmp_section, &tcp_section, &svc_section,
		      &proxy_frontend_section, &proxy_backend_section, &proxy_global_section,
		      &ctl_section },
};

#define STACK_COUNTERS ((sizeof(struct core_counters) + sizeof(struct net_counters) + \
			 sizeof(struct tcp_counters) + sizeof(struct proxy_counters)) / sizeof(uint64_t))

static const struct tern_counter_layout stack_layout = {
	.nsets = 4,
	.total = STACK_COUNTERS,
	.set = { &core_counter_set, &net_counter_set, &tcp_counter_set, &proxy_counter_set },
	.offset = { offsetof(struct stack_worker, w.cnt), offsetof(struct stack_worker, net.cnt),
		    offsetof(struct stack_worker, tcp.cnt), offsetof(struct stack_worker, proxy_cnt) },
};

const struct tern_counter_layout *
stack_counters(void)
{
	return &stack_layout;
}

uint64_t
stack_counter(const struct stack_worker *sw, const char *name)
{
	const struct tern_counter_layout *l = stack_counters();
	int i = tern_counter_find(l, name);
	uint64_t v[STACK_COUNTERS];

	if (i < 0) {
		fprintf(stderr, "stack_counter: no counter named %s\n", name);
		abort();
	}
	tern_counters_read(l, sw, v);
	return v[i];
}

const struct tern_program stack_program = {
	.name = "tern",
	.schema = &stack_schema,
	.worker_size = sizeof(struct stack_worker),
	.worker_build = program_build,
	.worker_teardown = program_teardown,
	.counters = stack_counters,
	.needs_addresses = 1,
	.main_state_size = sizeof(struct stack_main),
	.main_poll = stack_main_poll,
	.main_poll_us = stack_main_poll_us,
	.print = stack_print,
	.stop_begin = stack_stop_begin,
	.stop_poll = stack_stop_poll,
	.main_fini = stack_main_fini,
};
