#include <rte_ether.h>
#include <rte_malloc.h>

#include "arp_cache.h"
#include "core/clock.h"
#include "net_internal.h"

int
net_worker_init(struct net_worker *nw, struct tern_worker *w, const struct tern_config *cfg)
{
	memset(nw, 0, sizeof(*nw));
	nw->w = w;
	nw->cfg = cfg;
	nw->arp_cfg = net_arp_cfg(cfg);
	nw->icmp_cfg = net_icmp_cfg(cfg);
	nw->icmp_tokens = nw->icmp_cfg->error_burst;
	nw->ip_id = (uint16_t)(w->index * 7919);
	nw->arp = arp_cache_create(nw->arp_cfg, tern_tsc_hz, w->socket, &nw->cnt);
	for (uint16_t p = 0; p < w->nports; p++)
		if (w->ports[p].addr != 0)
			nw->local[p] = (struct net_addr_set){ .n = 1, .a = { w->ports[p].addr } };
	return nw->arp == NULL ? -ENOMEM : 0;
}

int
net_add_address(struct net_worker *nw, uint16_t port, rte_be32_t addr)
{
	const struct tern_port *p = net_port(nw, port);
	struct net_addr_set *s = &nw->local[port];
	rte_be32_t host = addr & ~p->netmask;

	if (p->addr == 0 || !tern_port_on_link(p, addr) || host == 0 || host == ~p->netmask)
		return -EINVAL;
	if (net_is_local(nw, port, addr))
		return 0;
	if (s->n == NET_MAX_ADDRS)
		return -ENOSPC;
	s->a[s->n++] = addr;
	return 0;
}

void
net_worker_fini(struct net_worker *nw)
{
	arp_cache_free(nw->arp);
	nw->arp = NULL;
}

/* Ethernet: to us or broadcast, from a station, or dropped under a named reason. */
static int
eth_accept(struct net_worker *nw, uint16_t port, const struct rte_ether_hdr *eth)
{
	if (!rte_is_same_ether_addr(&eth->dst_addr, &net_port(nw, port)->mac) &&
	    !rte_is_broadcast_ether_addr(&eth->dst_addr)) {
		if (rte_is_multicast_ether_addr(&eth->dst_addr))
			CNT_INC(net_cnt(nw), EthInMulticast);
		else
			CNT_INC(net_cnt(nw), EthInNotForUs);
		return 0;
	}
	/* IEEE 802.3 §3.2.3: a source address is an individual one (the group bit clear), never zero. */
	if (rte_is_multicast_ether_addr(&eth->src_addr) || rte_is_zero_ether_addr(&eth->src_addr)) {
		CNT_INC(net_cnt(nw), EthInBadSrc);
		return 0;
	}
	return 1;
}

enum net_verdict
net_rx_one(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr)) {
		CNT_INC(net_cnt(nw), EthInRunts);
		goto drop;
	}
	/*
	 * Nothing above the MTU is answered: an echo of it could not be sent
	 * back. A frame the port coalesced (LRO) is bounded by the IPv4 length.
	 */
	if (rte_pktmbuf_pkt_len(m) > ((m->ol_flags & RTE_MBUF_F_RX_LRO) ? 65535u :
				      (uint32_t)net_port(nw, port)->mtu) + RTE_ETHER_HDR_LEN) {
		CNT_INC(net_cnt(nw), EthInOversize);
		goto drop;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (!eth_accept(nw, port, eth))
		goto drop;
	m->l2_len = sizeof(*eth);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return ipv4_input(nw, port, m);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return arp_input(nw, port, m);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		CNT_INC(net_cnt(nw), EthInIpv6);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
		CNT_INC(net_cnt(nw), EthInVlan);
		break;
	default:
		CNT_INC(net_cnt(nw), EthInUnknownType);
		break;
	}
drop:
	rte_pktmbuf_free(m);
	return NET_CONSUMED;
}

uint16_t
net_rx_burst(struct net_worker *nw, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
	     struct rte_mbuf **tcp_out)
{
	uint16_t ntcp = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (net_rx_one(nw, port, pkts[i]) == NET_TCP)
			tcp_out[ntcp++] = pkts[i];
	}
	return ntcp;
}

static void
eth_fill(struct rte_mbuf *m, const struct rte_ether_addr *src, const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

void
eth_output_ipv4(struct net_worker *nw, uint16_t port, struct rte_mbuf *m, rte_be32_t nexthop)
{
	const struct tern_port *p = net_port(nw, port);
	struct rte_ether_addr mac = { 0 };

	switch (arp_cache_lookup(nw->arp, port, nexthop, nw->w->now, &mac)) {
	case ARP_HIT_REFRESH:
		arp_send_request(nw, port, nexthop);
		/* The old address is still used while it is being confirmed. */
		__attribute__((fallthrough));
	case ARP_HIT:
		eth_fill(m, &p->mac, &mac);
		tern_tx(nw->w, port, m);
		return;
	case ARP_MISS:
	case ARP_PENDING:
		eth_fill(m, &p->mac, &mac); /* destination set when the neighbour answers */
		if (arp_cache_enqueue(nw->arp, port, nexthop, m, nw->w->now) == ARP_QUEUED_NEW)
			arp_send_request(nw, port, nexthop);
		return;
	}
}

int
net_neighbour_known(const struct net_worker *nw, uint16_t port, rte_be32_t dst)
{
	rte_be32_t nexthop = tern_port_nexthop(net_port(nw, port), dst);

	return nexthop != 0 && arp_cache_known(nw->arp, port, nexthop);
}

void
net_tick(struct net_worker *nw)
{
	struct arp_request req[16];
	unsigned n;

	if (nw->w->now < nw->arp_next_tick)
		return;
	/* Retries are in units of retry_ms; a millisecond scan is fine-grained enough. */
	nw->arp_next_tick = nw->w->now + tern_ms_to_tsc(1);
	n = arp_cache_tick(nw->arp, nw->w->now, req, RTE_DIM(req));
	for (unsigned i = 0; i < n; i++)
		arp_send_request(nw, req[i].port, req[i].ip);
	/* One worker keeps the gateway known; the others learn from what it hears. */
	if (nw->w->index == 0 && nw->w->now >= nw->gw_next_check) {
		if (nw->gw_next_check != 0)
			net_resolve_gateways(nw);
		nw->gw_next_check = nw->w->now + tern_ms_to_tsc(nw->arp_cfg->timeout_ms);
	}
}
