/*
 * TCP segmentation in software: what a NIC does with a frame marked
 * RTE_MBUF_F_TX_TCP_SEG (Intel's X710 datasheet, "TCP segmentation"; the
 * rules Linux's GSO follows too). Each segment gets a copy of the headers
 * in an mbuf of its own and references its share of the payload through
 * indirect mbufs, so nothing is copied but the headers.
 */
#include <rte_ip.h>
#include <rte_tcp.h>

#include "cksum.h"
#include "net.h"

/* Indirect mbufs covering [off, off + len) of chain m, appended to seg; -1 when out of mbufs. */
static int
attach_payload(struct rte_mbuf *seg, const struct rte_mbuf *m, uint32_t off, uint32_t len,
	       struct rte_mempool *pool)
{
	struct rte_mbuf *tail = seg;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (len > 0 && m != NULL) {
		struct rte_mbuf *mi = rte_pktmbuf_alloc(pool);
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		if (mi == NULL)
			return -1;
		rte_pktmbuf_attach(mi, (struct rte_mbuf *)(uintptr_t)m);
		mi->data_off += off;
		mi->data_len = (uint16_t)n;
		mi->pkt_len = n;
		tail->next = mi;
		tail = mi;
		seg->nb_segs++;
		seg->pkt_len += n;
		len -= n;
		off = 0;
		m = m->next;
	}
	return len == 0 ? 0 : -1;
}

/* Segment i of n: headers from the frame, then fixed as the NIC would. */
static struct rte_mbuf *
one_segment(const struct rte_mbuf *m, uint32_t hlen, uint32_t i, uint32_t n, uint32_t payload,
	    struct rte_mempool *pool)
{
	uint32_t size = m->tso_segsz, off = i * size, len = RTE_MIN(size, payload - off);
	struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	char *h;

	if (seg == NULL || (h = rte_pktmbuf_append(seg, (uint16_t)hlen)) == NULL) {
		rte_pktmbuf_free(seg);
		return NULL;
	}
	rte_memcpy(h, rte_pktmbuf_mtod(m, const char *), hlen);
	ip = (struct rte_ipv4_hdr *)(h + m->l2_len);
	th = (struct rte_tcp_hdr *)(h + m->l2_len + m->l3_len);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(m->l3_len + m->l4_len + len));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->packet_id) + i));
	ip->hdr_checksum = 0;
	th->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + off);
	/* FIN and PSH end the frame's data, CWR begins it (RFC 3168 §6.1.2): one segment each. */
	if (i + 1 < n)
		th->tcp_flags &= (uint8_t)~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	if (i > 0)
		th->tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
	seg->l2_len = m->l2_len;
	seg->l3_len = m->l3_len;
	seg->l4_len = m->l4_len;
	seg->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	th->cksum = net_tcp_phdr_sum(ip, m->l4_len + len);
	if (attach_payload(seg, m, hlen + off, len, pool) != 0) {
		rte_pktmbuf_free(seg);
		return NULL;
	}
	return seg;
}

int
net_tso_segment(struct rte_mbuf *m, struct rte_mempool *pool, struct rte_mbuf **out,
		unsigned cap)
{
	uint32_t hlen = (uint32_t)m->l2_len + m->l3_len + m->l4_len, payload, n;

	if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) || m->tso_segsz == 0 || m->l4_len < 20 ||
	    rte_pktmbuf_data_len(m) < hlen || rte_pktmbuf_pkt_len(m) <= hlen)
		return -1;
	payload = rte_pktmbuf_pkt_len(m) - hlen;
	n = (payload + m->tso_segsz - 1) / m->tso_segsz;
	if (n > cap)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		out[i] = one_segment(m, hlen, i, n, payload, pool);
		if (out[i] == NULL) {
			rte_pktmbuf_free_bulk(out, i);
			return -1;
		}
	}
	rte_pktmbuf_free(m);
	return (int)n;
}
