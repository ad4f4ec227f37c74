#include <rte_ip.h>
#include <rte_tcp.h>

#include "net/cksum.h"
#include "tcp_validate.h"
#include "tcp_worker.h"

static inline const struct rte_tcp_hdr *
tcp_hdr_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, m->l2_len + m->l3_len);
}

int
tcp_segment_valid(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m)
{
	struct tcp_counters *c = &tw->cnt;
	uint32_t off = m->l2_len + m->l3_len, len = rte_pktmbuf_pkt_len(m) - off, hlen;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								m->l2_len);

	CNT_INC(c, TcpInSegs);
	if (len < sizeof(struct rte_tcp_hdr) || rte_pktmbuf_data_len(m) < off + sizeof(struct rte_tcp_hdr))
		goto bad_header;
	if (tcp_hdr_of(m)->src_port == 0) {
		CNT_INC(c, TcpInZeroSrcPort);
		goto error;
	}
	hlen = (tcp_hdr_of(m)->data_off >> 4) * 4;
	if (hlen < sizeof(struct rte_tcp_hdr) || hlen > len || rte_pktmbuf_data_len(m) < off + hlen)
		goto bad_header;
	if (!net_tcp_cksum_ok(&tw->w->ports[port], m, ip)) {
		CNT_INC(c, TcpInCsumErrors);
		goto error;
	}
	m->l4_len = hlen;
	return 1;
bad_header:
	CNT_INC(c, TcpInBadHeader);
error:
	CNT_INC(c, TcpInErrs);
	rte_pktmbuf_free(m);
	return 0;
}
