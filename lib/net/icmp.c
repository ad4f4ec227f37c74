/* ICMP (RFC 792, RFC 1122 §3.2.2): echo replies and rate-limited errors. */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "cksum.h"
#include "core/clock.h"
#include "core/mbuf.h"
#include "net_internal.h"

/* RFC 1812 §4.3.2.3: quote as much of the datagram as fits in 576 bytes. */
#define ICMP_ERR_QUOTE_MAX (576 - sizeof(struct rte_ipv4_hdr) - sizeof(struct rte_icmp_hdr))

static void
icmp_echo_reply(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								m->l2_len);
	rte_be32_t peer = ip->src_addr, us = ip->dst_addr;
	struct rte_icmp_hdr *icmp;

	/* Reuse the request: the reply carries the same identifier, sequence and data. */
	rte_pktmbuf_adj(m, m->l2_len + m->l3_len);
	tern_mbuf_set_flags(m, 0);
	icmp = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = net_icmp_cksum(m, 0, rte_pktmbuf_pkt_len(m));
	CNT_INC(net_cnt(nw), IcmpOutMsgs);
	CNT_INC(net_cnt(nw), IcmpOutEchoReps);
	net_ipv4_send(nw, port, m, us, peer, IPPROTO_ICMP);
}

void
icmp_input(struct net_worker *nw, uint16_t port, struct rte_mbuf *m)
{
	struct net_counters *c = net_cnt(nw);
	uint32_t off = m->l2_len + m->l3_len, len = rte_pktmbuf_pkt_len(m) - off;
	const struct rte_icmp_hdr *icmp;

	CNT_INC(c, IcmpInMsgs);
	if (len < sizeof(*icmp) || rte_pktmbuf_data_len(m) < off + sizeof(*icmp) ||
	    net_icmp_cksum(m, off, len) != 0) {
		CNT_INC(c, IcmpInErrors);
		rte_pktmbuf_free(m);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, off);
	switch (icmp->icmp_type) {
	case RTE_IP_ICMP_ECHO_REQUEST:
		CNT_INC(c, IcmpInEchos);
		icmp_echo_reply(nw, port, m);
		return;
	case RTE_IP_ICMP_ECHO_REPLY:
		CNT_INC(c, IcmpInEchoReps);
		break;
	case ICMP_DEST_UNREACH:
		CNT_INC(c, IcmpInDestUnreachs);
		break;
	default:
		CNT_INC(c, IcmpInOther);
		break;
	}
	rte_pktmbuf_free(m);
}

/* Token bucket: error_rate per second, error_burst at most. */
static int
icmp_rate_ok(struct net_worker *nw)
{
	const struct icmp_cfg *cfg = nw->icmp_cfg;
	uint64_t now = nw->w->now, per_token;

	if (cfg->error_rate == 0)
		return 0;
	per_token = tern_tsc_hz / cfg->error_rate;
	if (per_token == 0)
		per_token = 1;
	if (now - nw->icmp_tokens_ts >= per_token) {
		uint64_t add = (now - nw->icmp_tokens_ts) / per_token;

		nw->icmp_tokens = RTE_MIN((uint64_t)cfg->error_burst, nw->icmp_tokens + add);
		nw->icmp_tokens_ts += add * per_token;
	}
	if (nw->icmp_tokens == 0)
		return 0;
	nw->icmp_tokens--;
	return 1;
}

void
net_icmp_error(struct net_worker *nw, uint16_t port, const struct rte_mbuf *orig,
	       uint8_t type, uint8_t code)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(orig, const struct rte_ipv4_hdr *,
								orig->l2_len);
	uint32_t quote = RTE_MIN((uint32_t)rte_be_to_cpu_16(ip->total_length),
				 (uint32_t)ICMP_ERR_QUOTE_MAX);
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *m;

	if (!icmp_rate_ok(nw)) {
		CNT_INC(net_cnt(nw), IcmpOutRateLimited);
		return;
	}
	m = rte_pktmbuf_alloc(nw->w->pool);
	if (m == NULL || (icmp = (void *)rte_pktmbuf_append(m, sizeof(*icmp) + quote)) == NULL) {
		CNT_INC(&nw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(m);
		return;
	}
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	const void *src = rte_pktmbuf_read(orig, orig->l2_len, quote, icmp + 1);
	if (src != icmp + 1)
		memcpy(icmp + 1, src, quote);
	icmp->icmp_cksum = net_icmp_cksum(m, 0, rte_pktmbuf_pkt_len(m));
	CNT_INC(net_cnt(nw), IcmpOutMsgs);
	CNT_INC(net_cnt(nw), IcmpOutDestUnreachs);
	/* From the address the datagram was sent to (the port's own or a virtual one). */
	net_ipv4_send(nw, port, m, ip->dst_addr, ip->src_addr, IPPROTO_ICMP);
}
