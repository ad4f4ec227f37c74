/*
 * Sending one segment: built from the TCB (no header template copy yet:
 * the few fields are cheaper to write than to copy), payload referenced
 * from the send queue; pure and challenge ACKs, SYN, RST. What to send is
 * decided in tcp_output.c.
 */
#include <rte_ip.h>
#include <rte_tcp.h>

#include <rte_random.h>

#include "tcp_internal.h"

/* Headroom for Ethernet and IPv4 in front of the TCP header. */
#define HDR_ROOM (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))

static uint8_t
adv_wscale(const struct tcb *c)
{
	/* RFC 7323 §2.2: the window of a SYN is never scaled. */
	return c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECEIVED ? 0 : c->rcv_wscale;
}

/* Free receive buffer as it can be advertised: capped by the field and rounded to the scale. */
uint32_t
tcp_rcv_space(const struct tcb *c)
{
	uint32_t space = c->rcvbuf > c->rcv_unconsumed ? c->rcvbuf - c->rcv_unconsumed : 0;
	uint8_t ws = adv_wscale(c);

	space = RTE_MIN(space, 65535u << ws);
	return (space >> ws) << ws;
}

/* RFC 7323 §2.3 and RFC 1122 §4.2.3.3: what we may advertise, never shrinking the right edge. */
static uint16_t
window_to_advertise(struct tcp_worker *tw, struct tcb *c)
{
	tcp_seq_t edge = c->rcv_nxt + tcp_rcv_space(c);

	(void)tw;
	if (seq_lt(c->rcv_adv, c->rcv_nxt))
		c->rcv_adv = c->rcv_nxt;
	/* Receiver SWS avoidance: the edge moves by min(buffer/2, MSS) or not at all. */
	if (seq_gt(edge, c->rcv_adv) &&
	    (uint32_t)(edge - c->rcv_adv) >= RTE_MIN(c->rcvbuf / 2, (uint32_t)c->mss))
		c->rcv_adv = edge;
	return (uint16_t)((uint32_t)(c->rcv_adv - c->rcv_nxt) >> adv_wscale(c));
}

/* SACK blocks (RFC 2018 §4) or a D-SACK (RFC 2883) may go with the next ACK. */
static int
sack_blocks_due(const struct tcb *c)
{
	return (c->flags & TF_SACK) && (c->has_dsack || c->ooo_head != OOO_NIL);
}

/*
 * Payload that fits in a segment now: the MSS less the SACK option the
 * segment will carry (c->mss already leaves room for timestamps). Without
 * this a data segment with SACK blocks outgrows the MTU.
 */
uint32_t
tcp_cur_mss(const struct tcp_worker *tw, const struct tcb *c)
{
	struct tcp_sack_block b[TCP_MAX_SACK_BLOCKS];
	unsigned n, room;

	if (!sack_blocks_due(c))
		return c->mss;
	n = tcp_sack_blocks(tw, c, b, TCP_MAX_SACK_BLOCKS);
	room = (TCP_OPT_MAX_LEN - ((c->flags & TF_TS) ? 12 : 0) - 4) / 8; /* what tcp_opts_build fits */
	n = RTE_MIN(n, room);
	return n ? c->mss - (4 + 8 * n) : c->mss;
}

uint32_t
tcp_rcv_window(const struct tcp_worker *tw, const struct tcb *c)
{
	(void)tw;
	return seq_gt(c->rcv_adv, c->rcv_nxt) ? (uint32_t)(c->rcv_adv - c->rcv_nxt) : 0;
}

static unsigned
build_options(struct tcp_worker *tw, struct tcb *c, uint8_t flags, uint8_t *buf)
{
	struct tcp_opts o = { 0 };

	/* Nearly every segment: timestamps alone, in RFC 7323 Appendix A's NOP, NOP, TS layout. */
	if (!(flags & TCP_F_SYN) && !((flags & TCP_F_ACK) && sack_blocks_due(c))) {
		rte_be32_t ts[3] = { RTE_BE32(0x0101080a), rte_cpu_to_be_32(tcp_ts_now(tw, c)),
				     (flags & TCP_F_ACK) ? rte_cpu_to_be_32(c->ts_recent) : 0 };

		if (!(c->flags & TF_TS))
			return 0;
		memcpy(buf, ts, sizeof(ts));
		return sizeof(ts);
	}
	if (flags & TCP_F_SYN) {
		o.flags = TCP_OPTF_MSS;
		o.mss = c->mss_offer;
		if (tw->cfg->window_scaling && (!(flags & TCP_F_ACK) || (c->flags & TF_WSCALE))) {
			o.flags |= TCP_OPTF_WSCALE;
			o.wscale = c->rcv_wscale;
		}
		if (tw->cfg->sack && (!(flags & TCP_F_ACK) || (c->flags & TF_SACK)))
			o.flags |= TCP_OPTF_SACK_PERM;
		if (tw->cfg->timestamps && (!(flags & TCP_F_ACK) || (c->flags & TF_TS)))
			o.flags |= TCP_OPTF_TS;
	} else if (c->flags & TF_TS)
		o.flags = TCP_OPTF_TS;
	if (o.flags & TCP_OPTF_TS) {
		o.ts_val = tcp_ts_now(tw, c);
		o.ts_ecr = (flags & TCP_F_ACK) ? c->ts_recent : 0;
	}
	if ((c->flags & TF_SACK) && !(flags & TCP_F_SYN) && (flags & TCP_F_ACK)) {
		o.nsack = tcp_sack_blocks(tw, c, o.sack, TCP_MAX_SACK_BLOCKS);
		if (o.nsack > 0)
			o.flags |= TCP_OPTF_SACK;
	}
	return tcp_opts_build(&o, buf);
}

/* After any segment that carries an ACK: nothing more is owed. */
static void
ack_sent(struct tcp_worker *tw, struct tcb *c)
{
	/* Quick-ACK mode counts ACKs of new data, pure or on data (Linux's tcp_dec_quickack_mode). */
	if (c->quickack > 0 && c->rcv_nxt != c->last_ack_sent)
		c->quickack--;
	c->last_ack_sent = c->rcv_nxt;
	c->flags &= ~(TF_ACK_NOW | TF_DELACK);
	c->has_dsack = 0;
	tcp_timer_cancel(tw, c, TCB_SLOT_DELACK);
}

/*
 * A payload in more pieces than the port reads for one packet (small
 * writes queue small mbufs; Intel's 710 series reads 8 per packet, the
 * header's included) is copied into as few mbufs as its bytes need.
 */
static struct rte_mbuf *
fit_payload(struct tcp_worker *tw, struct tcb *c, struct rte_mbuf *payload, uint32_t len)
{
	unsigned limit = tw->w->ports[c->port].tx_mtu_segs;
	struct rte_mbuf *copy;

	if (limit == 0 || len > c->mss || payload->nb_segs < limit)
		return payload;
	CNT_INC(tcp_cnt(tw), TcpExtTCPLinearized);
	/* Fills each new mbuf before the next; NULL (counted by the caller) when out of mbufs. */
	copy = rte_pktmbuf_copy(payload, tw->w->pool, 0, UINT32_MAX);
	rte_pktmbuf_free(payload);
	return copy;
}

int
tcp_send_segment(struct tcp_worker *tw, struct tcb *c, tcp_seq_t seq, uint32_t len, uint8_t flags)
{
	uint8_t opts[TCP_OPT_MAX_LEN];
	unsigned olen = build_options(tw, c, flags, opts);
	struct rte_mbuf *m = rte_pktmbuf_alloc(tw->w->pool), *payload = NULL;
	struct rte_tcp_hdr *th;
	uint8_t ecn;

	if (m != NULL && len > 0 &&
	    (payload = tcp_sndq_payload(tw, c, seq, len)) != NULL)
		payload = fit_payload(tw, c, payload, len);
	if (m != NULL && len > 0 && payload == NULL) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	if (m == NULL || rte_pktmbuf_headroom(m) < HDR_ROOM ||
	    (th = (void *)rte_pktmbuf_append(m, sizeof(*th) + olen)) == NULL) {
		CNT_INC(&tw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(payload);
		return -1;
	}
	th->src_port = c->lport;
	th->dst_port = c->rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = (flags & TCP_F_ACK) ? rte_cpu_to_be_32(c->rcv_nxt) : 0;
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->rx_win = rte_cpu_to_be_16(window_to_advertise(tw, c));
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	if (payload != NULL && rte_pktmbuf_chain(m, payload) != 0) {
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(payload);
		return -1;
	}
	if (len > c->mss) {
		/* TSO (tcp_output.c chose it): the NIC cuts the frame into segments of c->mss. */
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = c->mss;
		m->l4_len = (uint8_t)(sizeof(*th) + olen);
		CNT_ADD(tcp_cnt(tw), TcpOutSegs, (len - 1) / c->mss);
		CNT_INC(tcp_cnt(tw), TcpExtTCPTsoFrames);
	}
	ecn = tcp_ecn_out(c, seq, len, &flags); /* once the segment will go: it may take the CWR */
	th->tcp_flags = flags;
	if (flags & TCP_F_ACK)
		ack_sent(tw, c);
	CNT_INC(tcp_cnt(tw), TcpOutSegs);
	c->last_snd_tick = (uint32_t)tw->tick;
	net_ipv4_send_ecn(tw->net, c->port, m, c->laddr, c->raddr, IPPROTO_TCP, ecn);
	return 0;
}

void
tcp_send_ack(struct tcp_worker *tw, struct tcb *c)
{
	tcp_send_segment(tw, c, c->snd_nxt, 0, TCP_F_ACK);
}

/*
 * RFC 5961 §7: challenge ACKs are rate limited, per connection (as Linux's
 * tcp_invalid_ratelimit) and per worker. The worker's budget for each second
 * is drawn at random around the configured limit, as Linux does since
 * CVE-2016-5696: a fixed budget is a side channel, since an off-path attacker
 * who spends part of it on a guessed flow learns from what is left whether
 * that flow exists.
 */
void
tcp_send_challenge_ack(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t now = (uint32_t)tw->tick, limit = tw->cfg->challenge_ack_limit;

	if (tw->cfg->challenge_ack_conn_ms != 0 && c->last_challenge != 0 &&
	    now - c->last_challenge < tw->cfg->challenge_ack_conn_ms * 1000 / TCP_TICK_US) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPChallengeACKLimited);
		return;
	}
	if (tw->tick - tw->challenge_window_tick >= 1000000 / TCP_TICK_US) {
		tw->challenge_window_tick = tw->tick;
		tw->challenge_acks = (limit + 1) / 2 + (uint32_t)rte_rand_max(limit);
	}
	if (tw->challenge_acks == 0) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPChallengeACKLimited);
		return;
	}
	tw->challenge_acks--;
	c->last_challenge = now ? now : 1;
	CNT_INC(tcp_cnt(tw), TcpExtTCPChallengeACK);
	tcp_send_ack(tw, c);
}

/* SYN (active open) or SYN,ACK (passive), at ISS. */
void
tcp_send_syn(struct tcp_worker *tw, struct tcb *c)
{
	uint8_t flags = c->state == TCPS_SYN_SENT ? TCP_F_SYN : TCP_F_SYN | TCP_F_ACK;

	flags |= tcp_ecn_syn_flags(tw, c, flags);

	if (tcp_send_segment(tw, c, c->iss, 0, flags) == 0) {
		if (!seq_gt(c->snd_max, c->iss)) {
			c->flags |= TF_RTT_TIMING; /* the handshake gives the first RTT sample */
			c->rtt_seq = c->iss;
			c->rtt_start = (uint32_t)tw->tick;
		} else
			c->flags &= ~TF_RTT_TIMING; /* Karn: the SYN went before */
		c->snd_nxt = c->iss + 1;
		if (seq_gt(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
	}
	if (!tcb_slot_armed(c, TCB_SLOT_RTX))
		tcp_rtx_arm(tw, c);
}

void
tcp_send_rst(struct tcp_worker *tw, struct tcb *c)
{
	tcp_seq_t wnd_end = c->snd_una + c->snd_wnd;

	CNT_INC(tcp_cnt(tw), TcpOutRsts);
	/*
	 * RFC 5961 §3.2: the peer takes a RST only at exactly its RCV.NXT, and
	 * none beyond its window. SND.NXT can be past the window (a zero-window
	 * probe, data sent before the window shrank): the right edge is then
	 * the sequence number it accepts (what Linux's tcp_acceptable_seq does).
	 */
	tcp_send_segment(tw, c, seq_leq(c->snd_nxt, wnd_end) ? c->snd_nxt : wnd_end, 0,
			 TCP_F_RST | TCP_F_ACK);
}

/* RFC 9293 §3.10.7.1 reply to a segment that has no connection. */
void
tcp_send_rst_reply(struct tcp_worker *tw, const struct tcp_seg *s)
{
	struct rte_mbuf *r = rte_pktmbuf_alloc(tw->w->pool);
	struct rte_tcp_hdr *th;

	if (r == NULL || (th = (void *)rte_pktmbuf_append(r, sizeof(*th))) == NULL) {
		CNT_INC(&tw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(r);
		return;
	}
	memset(th, 0, sizeof(*th));
	th->src_port = s->dport;
	th->dst_port = s->sport;
	th->data_off = sizeof(*th) / 4 << 4;
	if (s->flags & TCP_F_ACK) {
		th->sent_seq = rte_cpu_to_be_32(s->ack);  /* <SEQ=SEG.ACK><CTL=RST> */
		th->tcp_flags = TCP_F_RST;
	} else {
		th->recv_ack = rte_cpu_to_be_32(s->seq + seg_seqlen(s));
		th->tcp_flags = TCP_F_RST | TCP_F_ACK;  /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN> */
	}
	CNT_INC(tcp_cnt(tw), TcpOutSegs);
	CNT_INC(tcp_cnt(tw), TcpOutRsts);
	net_ipv4_send(tw->net, s->port, r, s->daddr, s->saddr, IPPROTO_TCP);
}
