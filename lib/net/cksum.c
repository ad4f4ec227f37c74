#include <rte_tcp.h>

#include "cksum.h"

int
net_ipv4_cksum_ok(const struct tern_port *port, const struct rte_mbuf *m,
		  const struct rte_ipv4_hdr *ip)
{
	if (port->rx_ip_cksum) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

		if (f == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
			return 1;
		if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD)
			return 0;
	}
	/* A correct header sums to 0xffff, so the folded complement is 0. */
	return rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff;
}

int
net_tcp_cksum_ok(const struct tern_port *port, const struct rte_mbuf *m,
		 const struct rte_ipv4_hdr *ip)
{
	if (port->rx_l4_cksum) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

		if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
			return 1;
		if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
			return 0;
	}
	return rte_ipv4_udptcp_cksum_mbuf_verify(m, ip, m->l2_len + m->l3_len) == 0;
}

uint16_t
net_icmp_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t sum;

	if (rte_raw_cksum_mbuf(m, off, len, &sum) != 0)
		return 0;
	return (uint16_t)~sum;
}

static void
tcp_cksum_sw(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct rte_tcp_hdr *tcp)
{
	tcp->cksum = 0;
	tcp->cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, m->l2_len + m->l3_len);
}

void
net_tx_cksum(const struct tern_port *port, struct rte_mbuf *m, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);

	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	ip->hdr_checksum = 0;
	if (port->tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto != IPPROTO_TCP)
		return;
	struct rte_tcp_hdr *tcp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
							  m->l2_len + m->l3_len);
	if (port->tx_tcp_cksum) {
		/* The NIC expects the pseudo-header sum in the checksum field. */
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		tcp->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else
		tcp_cksum_sw(m, ip, tcp);
}

void
net_cksum_finalize(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;

	if (!(m->ol_flags & RTE_MBUF_F_TX_IPV4) || m->l2_len == 0)
		return;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
		tcp_cksum_sw(m, ip, rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
							    m->l2_len + m->l3_len));
	m->ol_flags &= ~(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK);
}
