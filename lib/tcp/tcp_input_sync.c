/*
 * RFC 9293 §3.10.7.4: segments for SYN-RECEIVED and the synchronized
 * states, one function per step of the RFC's "Otherwise" list.
 */
#include "tcp_internal.h"
#include "tcp_mbuf.h"

/* RFC 7323 §5.3 PAWS: a timestamp older than TS.Recent marks an old duplicate. */
static int
paws_reject(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (!(c->flags & TF_TS) || !(s->opts.flags & TCP_OPTF_TS) || (s->flags & TCP_F_RST))
		return 0;
	if (seq_geq(s->opts.ts_val, c->ts_recent))
		return 0;
	/* §5.5: TS.Recent idle for 24 days is invalidated rather than trusted. */
	if ((uint32_t)tw->tick - c->ts_recent_tick > 24u * 24 * 3600 * 1000) {
		c->ts_recent = s->opts.ts_val;
		return 0;
	}
	CNT_INC(tcp_cnt(tw), TcpExtPAWSEstab);
	return 1;
}

/*
 * First: the acceptability test of §3.10.7.4 (four cases), with the right
 * edge RCV.NXT+RCV.WND itself acceptable, as Linux's tcp_sequence() and
 * FreeBSD take it: a segment starting there loses its bytes to the trim and
 * keeps its ACK. A peer that filled our window up to its edge but for a
 * hole sends every ACK of our data with SEQ at the edge; the strict test
 * ignored them all until the hole was filled, window updates included, and
 * for a zero window the same section asks that "special allowance should
 * be made to accept valid ACKs". A RST keeps the strict test (RFC 5961 §3.2).
 */
static int
seq_acceptable(const struct tcb *c, const struct tcp_seg *s, uint32_t rcv_wnd)
{
	uint32_t len = seg_seqlen(s);
	tcp_seq_t edge = c->rcv_nxt + rcv_wnd;

	if (s->seq == edge) /* for a RST only the strict case: no bytes, no window, at RCV.NXT */
		return !(s->flags & TCP_F_RST) || (len == 0 && rcv_wnd == 0);
	if (len == 0)
		return seq_in_window(s->seq, c->rcv_nxt, edge);
	if (rcv_wnd == 0)
		return 0;
	return seq_in_window(s->seq, c->rcv_nxt, edge) || seq_in_window(s->seq + len - 1, c->rcv_nxt, edge);
}

/* Trims what lies before RCV.NXT or beyond the window; the SYN and FIN bits go with their bytes. */
static void
trim_to_window(struct tcb *c, struct tcp_seg *s, uint32_t rcv_wnd)
{
	int32_t head = seq_diff(c->rcv_nxt, s->seq);
	int32_t over;

	if (head > 0 && (s->flags & TCP_F_SYN)) {
		s->flags &= ~TCP_F_SYN;
		s->seq++;
		head--;
	}
	if (head > 0) {
		uint32_t cut = RTE_MIN((uint32_t)head, s->len);

		/* RFC 2883 §4: the old part of a partly new segment is a duplicate, reported first. */
		if (cut > 0)
			tcp_sack_note_dsack(c, s->seq, s->seq + cut);
		if (s->m != NULL && cut > 0)
			s->m = mbuf_cut_front(s->m, cut); /* across a chain's segments (LRO, GRO) */
		s->len -= cut;
		s->seq += cut;
		if ((uint32_t)head > cut)
			s->flags &= ~TCP_F_FIN; /* the FIN itself is old */
	}
	over = seq_diff(s->seq + s->len, c->rcv_nxt + rcv_wnd);
	if (over > 0) {
		s->len -= RTE_MIN((uint32_t)over, s->len);
		s->flags &= ~TCP_F_FIN;
		if (s->m != NULL && s->len > 0)
			mbuf_keep_front(s->m, s->len);
		if (s->len == 0)
			c->flags |= TF_ACK_NOW; /* all of it beyond the window: the peer hears where the window is */
	}
	if (s->len == 0)
		seg_free_payload(s);
}

/* Second: RST (RFC 5961 §3.2). Returns 1 when the segment was consumed. */
static int
check_rst(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (!(s->flags & TCP_F_RST))
		return 0;
	if (s->seq != c->rcv_nxt) {
		/* In the window but not exact: maybe a blind attack, ask the peer. */
		tcp_send_challenge_ack(tw, c);
		return 1;
	}
	if (c->state == TCPS_SYN_RECEIVED && (c->flags & TF_PASSIVE)) {
		/* Return to LISTEN: the listener remains, this embryo goes. */
		tcp_drop(tw, c, TERN_CLOSE_RESET, 0);
		return 1;
	}
	if (c->state == TCPS_SYN_RECEIVED)
		tcp_drop(tw, c, TERN_CLOSE_REFUSED, 0);
	else {
		if (c->state == TCPS_ESTABLISHED || c->state == TCPS_CLOSE_WAIT)
			CNT_INC(tcp_cnt(tw), TcpEstabResets);
		tcp_drop(tw, c, TERN_CLOSE_RESET, 0);
	}
	return 1;
}

/* Fourth: SYN in a synchronized state (RFC 5961 §4.2; RFC 9293 keeps it). */
static int
check_syn(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (!(s->flags & TCP_F_SYN))
		return 0;
	if (c->state == TCPS_SYN_RECEIVED && (c->flags & TF_PASSIVE)) {
		tcp_drop(tw, c, TERN_CLOSE_RESET, 0); /* back to LISTEN */
		return 1;
	}
	tcp_send_challenge_ack(tw, c);
	return 1;
}

/* Fifth, for SYN-RECEIVED: the ACK of our SYN completes the handshake. */
static int
ack_syn_received(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	if (!seq_in_window(s->ack, c->snd_una + 1, c->snd_max + 1)) {
		tcp_send_rst_reply(tw, s);
		return 1;
	}
	tcp_update_window(c, s);
	tcp_established(tw, c);
	return c->state == TCPS_CLOSED;
}

/* Eighth: FIN. */
static void
check_fin(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	if (!(s->flags & TCP_F_FIN))
		return;
	if (s->seq + s->len == c->rcv_nxt)
		tcp_process_fin(tw, c);
	else if (seq_gt(s->seq + s->len, c->rcv_nxt)) {
		/* Ahead of missing data: remember it for when the hole fills. */
		c->rcv_fin_seq = s->seq + s->len;
		c->flags |= TF_FIN_OOO;
	}
}

/* The peer did not get our SYN,ACK and sent its SYN again: answer it again (as Linux does). */
static int
repeated_syn(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (c->state != TCPS_SYN_RECEIVED || (s->flags & (TCP_F_SYN | TCP_F_ACK | TCP_F_RST)) != TCP_F_SYN ||
	    s->seq != c->irs)
		return 0;
	c->snd_nxt = c->iss;
	tcp_send_syn(tw, c);
	return 1;
}

/* RFC 9293 §3.10.7.4 TIME-WAIT: a retransmitted FIN is acknowledged and restarts the 2 MSL wait. */
static int
time_wait_fin(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (c->state != TCPS_TIME_WAIT || !(s->flags & TCP_F_FIN) || (s->flags & TCP_F_RST) ||
	    s->seq + s->len + 1 != c->rcv_nxt)
		return 0;
	c->flags |= TF_ACK_NOW;
	tcp_enter_time_wait(tw, c);
	return 1;
}

void
tcp_input_sync(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	uint32_t rcv_wnd = tcp_rcv_window(tw, c);

	if (repeated_syn(tw, c, s) || time_wait_fin(tw, c, s))
		return;
	if (paws_reject(tw, c, s) || !seq_acceptable(c, s, rcv_wnd)) {
		if (!(s->flags & TCP_F_RST))
			c->flags |= TF_ACK_NOW;
		if (s->len > 0 && seq_lt(s->seq, c->rcv_nxt)) {
			tcp_sack_note_dsack(c, s->seq, seq_min(s->seq + s->len, c->rcv_nxt));
			tcp_quickack_enter(tw, c);
		}
		return;
	}
	trim_to_window(c, s, rcv_wnd);
	if (check_rst(tw, c, s) || check_syn(tw, c, s))
		return;
	if (!(s->flags & TCP_F_ACK))
		return;
	if (c->state == TCPS_SYN_RECEIVED && ack_syn_received(tw, c, s))
		return;
	/*
	 * TS.Recent only from a segment whose ACK is acceptable (RFC 7323
	 * §4.3 with RFC 5961 §5.2, as Linux's tcp_ack): one spoofed in-window
	 * segment with a huge TSval would make PAWS drop the peer for good.
	 */
	if (tcp_ack_unacceptable(tw, c, s))
		return;
	tcp_ts_recent_update(c, s, tw->tick);
	tcp_process_ack(tw, c, s);
	if (c->state == TCPS_CLOSED || c->state == TCPS_TIME_WAIT)
		return;
	tcp_ecn_rcv(tw, c, s);
	/* Sixth (URG) is not supported: urgent data is read inline (RFC 6093 §5). */
	if (s->len > 0)
		tcp_process_data(tw, c, s);
	if (c->state != TCPS_CLOSED)
		check_fin(tw, c, s);
	c->last_rcv_tick = (uint32_t)tw->tick;
}
