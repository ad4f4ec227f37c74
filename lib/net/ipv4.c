/* IPv4 input validation and output (RFC 791, RFC 1122 §3.2.1). */
#include <stddef.h>

#include <rte_ip.h>

#include "cksum.h"
#include "core/port.h"
#include "net_internal.h"

#define IP_MF_OFF_MASK (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

/* RFC 1122 §3.2.1.3: a source that cannot be a single host is discarded. */
static int
martian_src(const struct net_worker *nw, uint16_t port, rte_be32_t src)
{
	const struct tern_port *p = net_port(nw, port);
	uint32_t a = rte_be_to_cpu_32(src);

	return a == 0 || a == UINT32_MAX || (a >> 28) >= 0xe || (a >> 24) == 127 ||
	       net_is_local(nw, port, src) ||
	       (p->netmask != UINT32_MAX && (src & ~p->netmask) == ~p->netmask &&
		tern_port_on_link(p, src));
}

/* Header checks of RFC 1122 §3.2.1.1-2 and RFC 791; returns the header or NULL (counted). */
static const struct rte_ipv4_hdr *
ipv4_check(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	struct net_counters *c = net_cnt(nw);
	uint32_t frame = rte_pktmbuf_pkt_len(m) - m->l2_len, hlen, tot;
	const struct rte_ipv4_hdr *ip;

	if (rte_pktmbuf_data_len(m) < m->l2_len + sizeof(*ip)) {
		CNT_INC(c, IpInTruncated);
		goto hdr_error;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	hlen = rte_ipv4_hdr_len(ip);
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4)
		CNT_INC(c, IpInBadVersion);
	else if (hlen < sizeof(*ip) || hlen > tot)
		CNT_INC(c, IpInBadIhl);
	else if (tot > frame || rte_pktmbuf_data_len(m) < m->l2_len + hlen)
		CNT_INC(c, IpInTruncated);
	else if (!net_ipv4_cksum_ok(net_port(nw, port), m, ip))
		CNT_INC(c, IpInCsumErrors);
	else
		return ip;
hdr_error:
	CNT_INC(c, IpInHdrErrors);
	return NULL;
}

/* Addressing and fragmentation: not errors in the header, still not for us. */
static int
ipv4_accept(struct net_worker *nw, uint16_t port, const struct rte_ipv4_hdr *ip)
{
	if (martian_src(nw, port, ip->src_addr))
		CNT_INC(net_cnt(nw), IpInMartianSrc);
	else if (!net_is_local(nw, port, ip->dst_addr))
		CNT_INC(net_cnt(nw), IpInAddrErrors);
	else if (ip->fragment_offset & RTE_BE16(IP_MF_OFF_MASK))
		CNT_INC(net_cnt(nw), IpInFragDropped);
	else
		return 1;
	return 0;
}

static void
ipv4_unknown_proto(struct net_worker *nw, uint16_t port, struct rte_mbuf *m, uint8_t proto)
{
	CNT_INC(net_cnt(nw), IpInUnknownProtos);
	/* No UDP socket exists, so UDP gets what a host sends for a closed port. */
	net_icmp_error(nw, port, m, ICMP_DEST_UNREACH,
		       proto == IPPROTO_UDP ? 3 /* port */ : 2 /* protocol */);
	rte_pktmbuf_free(m);
}

_Static_assert(offsetof(struct net_counters, IpExtInCEPkts) -
		       offsetof(struct net_counters, IpExtInNoECTPkts) == 3 * sizeof(uint64_t),
	       "the IpExtIn*Pkts counters must be adjacent, in codepoint order");

enum net_verdict
ipv4_input(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t tot, frame;

	CNT_INC(net_cnt(nw), IpInReceives);
	if ((ip = ipv4_check(nw, port, m)) == NULL || !ipv4_accept(nw, port, ip)) {
		rte_pktmbuf_free(m);
		return NET_CONSUMED;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	frame = rte_pktmbuf_pkt_len(m) - m->l2_len;
	/* Ethernet padding; a chain whose last segment is shorter than the padding is dropped. */
	if (frame > tot && rte_pktmbuf_trim(m, frame - tot) != 0) {
		CNT_INC(net_cnt(nw), IpInTruncated);
		CNT_INC(net_cnt(nw), IpInHdrErrors);
		rte_pktmbuf_free(m);
		return NET_CONSUMED;
	}
	m->l3_len = rte_ipv4_hdr_len(ip);
	/* The four IpExtIn*Pkts counters lie in codepoint order (net_counters.def): index by the field. */
	(&net_cnt(nw)->IpExtInNoECTPkts)[ip->type_of_service & 3]++;
	if (ip->time_to_live < 2)
		CNT_INC(net_cnt(nw), IpInTtlBelow2);
	if (m->l3_len > sizeof(*ip))
		CNT_INC(net_cnt(nw), IpInOptions);
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		CNT_INC(net_cnt(nw), IpInDelivers);
		return NET_TCP;
	case IPPROTO_ICMP:
		CNT_INC(net_cnt(nw), IpInDelivers);
		icmp_input(nw, port, m);
		return NET_CONSUMED;
	default:
		ipv4_unknown_proto(nw, port, m, ip->next_proto_id);
		return NET_CONSUMED;
	}
}

int
net_route(const struct net_worker *nw, rte_be32_t dst)
{
	const struct tern_worker *w = nw->w;

	for (uint16_t i = 0; i < w->nports; i++)
		if (tern_port_on_link(&w->ports[i], dst))
			return i;
	for (uint16_t i = 0; i < w->nports; i++)
		if (tern_port_nexthop(&w->ports[i], dst) != 0)
			return i;
	return -1;
}

void
net_ipv4_send_ecn(struct net_worker *nw, uint16_t port, struct rte_mbuf *m, rte_be32_t src,
		  rte_be32_t dst, uint8_t proto, uint8_t ecn)
{
	const struct tern_port *p = net_port(nw, port);
	struct rte_ipv4_hdr *ip;
	rte_be32_t nexthop = tern_port_nexthop(p, dst);

	if (nexthop == 0) {
		CNT_INC(net_cnt(nw), IpOutNoRoutes);
		rte_pktmbuf_free(m);
		return;
	}
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(struct rte_ether_hdr) + sizeof(*ip));
	if (ip == NULL) {
		CNT_INC(&nw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(m);
		return;
	}
	ip = (struct rte_ipv4_hdr *)((char *)ip + sizeof(struct rte_ether_hdr));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = ecn & 3; /* DSCP 0; the ECN field (RFC 3168 §5) as the sender asks */
	ip->total_length = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr));
	/* RFC 6864 §4.1: the ID of an atomic (DF) datagram carries no meaning. */
	ip->packet_id = rte_cpu_to_be_16(nw->ip_id++);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = NET_IP_TTL;
	ip->next_proto_id = proto;
	ip->src_addr = src != 0 ? src : p->addr;
	ip->dst_addr = dst;
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(*ip);
	net_tx_cksum(p, m, proto);
	CNT_INC(net_cnt(nw), IpOutRequests);
	eth_output_ipv4(nw, port, m, nexthop);
}
