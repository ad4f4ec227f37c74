#include <rte_ip.h>
#include <rte_tcp.h>

#include "net/cksum.h"
#include "tcp_reset.h"

static inline const struct rte_tcp_hdr *
tcp_hdr_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, m->l2_len + m->l3_len);
}

int
tcp_segment_valid(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	struct tern_counters *c = &nw->w->cnt;
	uint32_t off = m->l2_len + m->l3_len, len = rte_pktmbuf_pkt_len(m) - off, hlen;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								m->l2_len);

	CNT_INC(c, TcpInSegs);
	if (len < sizeof(struct rte_tcp_hdr) || rte_pktmbuf_data_len(m) < off + sizeof(struct rte_tcp_hdr))
		goto bad_header;
	hlen = (tcp_hdr_of(m)->data_off >> 4) * 4;
	if (hlen < sizeof(struct rte_tcp_hdr) || hlen > len || rte_pktmbuf_data_len(m) < off + hlen)
		goto bad_header;
	if (!net_tcp_cksum_ok(&nw->w->ports[port], m, ip)) {
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

/* SEG.LEN counts SYN and FIN (RFC 9293 §3.4). */
static uint32_t
seg_len(const struct rte_mbuf *m, const struct rte_tcp_hdr *th)
{
	uint32_t len = rte_pktmbuf_pkt_len(m) - m->l2_len - m->l3_len - m->l4_len;

	return len + !!(th->tcp_flags & RTE_TCP_SYN_FLAG) + !!(th->tcp_flags & RTE_TCP_FIN_FLAG);
}

void
tcp_reply_closed(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								m->l2_len);
	const struct rte_tcp_hdr *th = tcp_hdr_of(m);
	struct rte_tcp_hdr *rst;
	struct rte_mbuf *r;

	CNT_INC(&nw->w->cnt, TcpInClosedPort);
	/* "An incoming segment containing a RST is discarded." */
	if (th->tcp_flags & RTE_TCP_RST_FLAG)
		goto done;
	r = rte_pktmbuf_alloc(nw->w->pool);
	if (r == NULL || (rst = (void *)rte_pktmbuf_append(r, sizeof(*rst))) == NULL) {
		CNT_INC(&nw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(r);
		goto done;
	}
	memset(rst, 0, sizeof(*rst));
	rst->src_port = th->dst_port;
	rst->dst_port = th->src_port;
	rst->data_off = sizeof(*rst) / 4 << 4;
	if (th->tcp_flags & RTE_TCP_ACK_FLAG) {
		/* <SEQ=SEG.ACK><CTL=RST> */
		rst->sent_seq = th->recv_ack;
		rst->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
		rst->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + seg_len(m, th));
		rst->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	CNT_INC(&nw->w->cnt, TcpOutSegs);
	CNT_INC(&nw->w->cnt, TcpOutRsts);
	net_ipv4_send(nw, port, r, ip->src_addr, IPPROTO_TCP);
done:
	rte_pktmbuf_free(m);
}
