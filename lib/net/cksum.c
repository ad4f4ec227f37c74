#include <rte_tcp.h>

#include "cksum.h"

/*
 * rte_raw_cksum_mbuf() of DPDK 22.11 truncates a segment's unreduced sum to
 * 16 bits before byte-swapping it (segments starting at an odd offset), which
 * loses carries. This one reduces first.
 */
static int
raw_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0, done = 0;

	if (off + len > rte_pktmbuf_pkt_len(m))
		return -1;
	while (seg != NULL && off >= rte_pktmbuf_data_len(seg) && len > 0) {
		off -= rte_pktmbuf_data_len(seg);
		seg = seg->next;
	}
	while (done < len) {
		uint32_t n = RTE_MIN(rte_pktmbuf_data_len(seg) - off, len - done);
		uint16_t s = __rte_raw_cksum_reduce(
			__rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const char *, off), n, 0));

		sum += (done & 1) ? rte_bswap16(s) : s;
		done += n;
		off = 0;
		seg = seg->next;
	}
	*cksum = __rte_raw_cksum_reduce(sum);
	return 0;
}

/* Folded sum of the pseudo-header and the L4 bytes at l4_off (up to the IP total length). */
static uint16_t
l4_sum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t l4_off)
{
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);
	uint16_t raw;

	if (raw_cksum_mbuf(m, l4_off, len, &raw) != 0)
		return 0;
	return __rte_raw_cksum_reduce((uint32_t)raw + rte_ipv4_phdr_cksum(ip, 0));
}

int
net_ipv4_cksum_ok(const struct tern_port *port, const struct rte_mbuf *m,
		  const struct rte_ipv4_hdr *ip)
{
	if (port->rx_ip_cksum) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

		/* NONE: the device verified the data but left the field unfilled (virtio). */
		if (f == RTE_MBUF_F_RX_IP_CKSUM_GOOD || f == RTE_MBUF_F_RX_IP_CKSUM_NONE)
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

		if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD || f == RTE_MBUF_F_RX_L4_CKSUM_NONE)
			return 1;
		if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
			return 0;
	}
	return l4_sum(m, ip, m->l2_len + m->l3_len) == 0xffff;
}

uint16_t
net_icmp_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t sum;

	if (raw_cksum_mbuf(m, off, len, &sum) != 0)
		return 0;
	return (uint16_t)~sum;
}

static void
tcp_cksum_sw(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct rte_tcp_hdr *tcp)
{
	tcp->cksum = 0;
	tcp->cksum = (uint16_t)~l4_sum(m, ip, m->l2_len + m->l3_len);
}

void
net_tx_cksum(const struct tern_port *port, struct rte_mbuf *m, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);

	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	ip->hdr_checksum = 0;
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		/* TSO: each segment's sums are the NIC's; the field holds the pseudo-header without a length. */
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, m->l2_len + m->l3_len)->cksum =
			net_tcp_phdr_sum(ip, 0);
		return;
	}
	if (port->tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto != IPPROTO_TCP)
		return;
	struct rte_tcp_hdr *tcp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
							  m->l2_len + m->l3_len);
	if (port->tx_tcp_cksum && (m->nb_segs == 1 || port->tx_cksum_chained)) {
		/* The NIC expects the pseudo-header sum in the checksum field. */
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		tcp->cksum = net_tcp_phdr_sum(ip, rte_be_to_cpu_16(ip->total_length) - m->l3_len);
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
