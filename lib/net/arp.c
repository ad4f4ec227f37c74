/* ARP (RFC 826) with gratuitous announcements (RFC 5227 §3). */
#include <rte_arp.h>
#include <rte_ether.h>

#include "arp_cache.h"
#include "net_internal.h"

#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

static struct rte_mbuf *
arp_build(struct net_worker *nw, uint16_t port, uint16_t op, rte_be32_t sip,
	  const struct rte_ether_addr *eth_dst, const struct rte_ether_addr *tha, rte_be32_t tip)
{
	const struct tern_port *p = net_port(nw, port);
	struct rte_mbuf *m = rte_pktmbuf_alloc(nw->w->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL || (eth = (void *)rte_pktmbuf_append(m, ARP_FRAME_LEN)) == NULL) {
		CNT_INC(&nw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth->dst_addr = *eth_dst;
	eth->src_addr = p->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = p->mac;
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	return m;
}

void
arp_send_request(struct net_worker *nw, uint16_t port, rte_be32_t ip)
{
	static const struct rte_ether_addr bcast = { .addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	/* RFC 5227 §2.3: an announcement has the address as sender and target. */
	int own = net_is_local(nw, port, ip);
	struct rte_mbuf *m = arp_build(nw, port, RTE_ARP_OP_REQUEST,
				       own ? ip : net_port(nw, port)->addr, &bcast, &zero, ip);

	if (m == NULL)
		return;
	if (own)
		CNT_INC(net_cnt(nw), ArpOutGratuitous);
	else
		CNT_INC(net_cnt(nw), ArpOutRequests);
	tern_tx(nw->w, port, m);
}

static void
arp_send_reply(struct net_worker *nw, uint16_t port, const struct rte_arp_hdr *req)
{
	/* The address asked for (the port's own or a virtual one) answers. */
	struct rte_mbuf *m = arp_build(nw, port, RTE_ARP_OP_REPLY, req->arp_data.arp_tip,
				       &req->arp_data.arp_sha, &req->arp_data.arp_sha,
				       req->arp_data.arp_sip);

	if (m == NULL)
		return;
	CNT_INC(net_cnt(nw), ArpOutReplies);
	tern_tx(nw->w, port, m);
}

/* Starts resolving the gateways nobody has asked for (at start, and after a failed resolution). */
void
net_resolve_gateways(struct net_worker *nw)
{
	struct rte_ether_addr mac;

	for (uint16_t p = 0; p < nw->w->nports; p++) {
		rte_be32_t gw = net_port(nw, p)->gateway;

		if (gw != 0 && arp_cache_lookup(nw->arp, p, gw, nw->w->now, &mac) == ARP_MISS &&
		    arp_cache_enqueue(nw->arp, p, gw, NULL, nw->w->now) == ARP_QUEUED_NEW)
			arp_send_request(nw, p, gw);
	}
}

void
net_announce(struct net_worker *nw)
{
	for (uint16_t p = 0; p < nw->w->nports; p++)
		for (uint16_t i = 0; i < nw->local[p].n; i++)
			arp_send_request(nw, p, nw->local[p].a[i]);
	net_resolve_gateways(nw);
}

/* Validated ARP header, or NULL (counted). */
static const struct rte_arp_hdr *
arp_parse(struct net_worker *nw, const struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp;

	if (rte_pktmbuf_data_len(m) < ARP_FRAME_LEN)
		goto bad;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(uint32_t) ||
	    (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
	     arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY)) ||
	    rte_is_multicast_ether_addr(&arp->arp_data.arp_sha))
		goto bad;
	return arp;
bad:
	CNT_INC(net_cnt(nw), ArpInErrors);
	return NULL;
}

/* Sends what waited for this neighbour. */
static void
arp_release(struct net_worker *nw, uint16_t port, const struct rte_ether_addr *mac,
	    struct rte_mbuf **pkts, int n)
{
	for (int i = 0; i < n; i++) {
		struct rte_ether_hdr *eth;

		eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		eth->dst_addr = *mac;
		eth->src_addr = net_port(nw, port)->mac;
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		tern_tx(nw->w, port, pkts[i]);
	}
}

/*
 * RFC 826 "Packet reception": merge what we know, add the sender only when
 * we are the target. Returns 1 when the sender was merged or added.
 */
static int
arp_learn(struct net_worker *nw, uint16_t port, const struct rte_arp_hdr *arp, int for_us)
{
	struct rte_mbuf *out[64];
	rte_be32_t sip = arp->arp_data.arp_sip;
	int n;

	if (sip == 0) /* RFC 5227 probe: the sender has no address yet */
		return 0;
	n = arp_cache_learn(nw->arp, port, sip, &arp->arp_data.arp_sha, nw->w->now, for_us,
			    out, RTE_DIM(out));
	if (n < 0)
		return 0;
	arp_release(nw, port, &arp->arp_data.arp_sha, out, n);
	return 1;
}

/* Other workers keep their own caches: give them the frame to learn from (read-only, shared). */
static void
arp_share(struct net_worker *nw, struct rte_mbuf *m)
{
	struct tern_worker *w = nw->w;

	if (w->nworkers < 2)
		return;
	rte_mbuf_refcnt_update(m, w->nworkers - 1);
	for (uint16_t i = 0; i < w->nworkers; i++)
		if (i != w->index)
			tern_steer_to(w, i, m);
}

/*
 * No station speaks from MAC zero, and no host owns a broadcast, multicast or
 * loopback address (RFC 1122 §3.2.1.3): answering or learning either would
 * send our traffic nowhere. 0.0.0.0 stays: it is an RFC 5227 probe.
 */
static int
arp_bad_sender(const struct tern_port *p, const struct rte_arp_hdr *arp)
{
	uint32_t sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);

	return rte_is_zero_ether_addr(&arp->arp_data.arp_sha) || sip == UINT32_MAX ||
	       (sip >> 28) == 0xe || (sip >> 24) == 127 ||
	       (p->addr != 0 && tern_port_on_link(p, arp->arp_data.arp_sip) &&
		(arp->arp_data.arp_sip & ~p->netmask) == ~p->netmask);
}

enum net_verdict
arp_input(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	const struct tern_port *p = net_port(nw, port);
	const struct rte_arp_hdr *arp = arp_parse(nw, m);
	int for_us, learned;

	if (arp == NULL)
		goto done;
	if (arp_bad_sender(p, arp)) {
		CNT_INC(net_cnt(nw), ArpInBadSender);
		goto done;
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST))
		CNT_INC(net_cnt(nw), ArpInRequests);
	else
		CNT_INC(net_cnt(nw), ArpInReplies);
	if (net_is_local(nw, port, arp->arp_data.arp_sip)) {
		/* Our own announcement looped back is harmless; another MAC is a conflict. */
		if (!rte_is_same_ether_addr(&arp->arp_data.arp_sha, &p->mac))
			CNT_INC(net_cnt(nw), ArpAddrConflict);
		goto done;
	}
	for_us = net_is_local(nw, port, arp->arp_data.arp_tip);
	learned = arp_learn(nw, port, arp, for_us);
	if (for_us && arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST))
		arp_send_reply(nw, port, arp);
	if (!for_us && !learned)
		CNT_INC(net_cnt(nw), ArpInNotForUs);
	if (learned)
		arp_share(nw, m);
done:
	rte_pktmbuf_free(m);
	return NET_CONSUMED;
}

void
net_arp_from_peer(struct net_worker *nw, struct rte_mbuf *m)
{
	uint16_t port = m->port;
	const struct rte_arp_hdr *arp;

	if (port < nw->w->nports && rte_pktmbuf_data_len(m) >= ARP_FRAME_LEN) {
		arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
					      sizeof(struct rte_ether_hdr));
		arp_learn(nw, port, arp, net_is_local(nw, port, arp->arp_data.arp_tip));
	}
	rte_pktmbuf_free(m);
}
