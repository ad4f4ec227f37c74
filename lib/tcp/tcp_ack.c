/*
 * The fifth step of RFC 9293 §3.10.7.4 for synchronized states: what an
 * ACK acknowledges, RTT samples (RFC 6298, RFC 7323 §4), duplicate ACKs
 * (RFC 5681 §2), the send window (SND.WL1/WL2); fast retransmit and
 * recovery are tcp_recovery.c's.
 */
#include "tcp_internal.h"

uint32_t
tcp_flight(const struct tcb *c)
{
	return (uint32_t)(c->snd_max - c->snd_una);
}

/* RFC 7323 §2.2: the window of a SYN is never scaled. */
void
tcp_update_window(struct tcb *c, const struct tcp_seg *s)
{
	uint32_t wnd = (s->flags & TCP_F_SYN) ? s->wnd : (uint32_t)s->wnd << c->snd_wscale;

	c->snd_wnd = wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	if (wnd > c->max_sndwnd)
		c->max_sndwnd = wnd;
}

/* An RTT sample from the echoed timestamp, or from the timed segment (Karn's rule, RFC 6298 §3). */
static uint32_t
rtt_sample(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	uint64_t ticks;

	if ((c->flags & TF_TS) && (s->opts.flags & TCP_OPTF_TS) && s->opts.ts_ecr != 0) {
		ticks = (uint32_t)(tcp_ts_now(tw, c) - s->opts.ts_ecr);
		if (ticks > 3600 * 1000)
			return 0; /* nonsense echo: not a sample */
	} else if ((c->flags & TF_RTT_TIMING) && seq_gt(s->ack, c->rtt_seq)) {
		ticks = (uint32_t)tw->tick - c->rtt_start;
		c->flags &= ~TF_RTT_TIMING;
	} else
		return 0;
	uint32_t us = (uint32_t)RTE_MAX(ticks * TCP_TICK_US, (uint64_t)1);

	tcp_rtt_sample(&c->rtt, &tw->rtt_lim, us);
	return us;
}

/* Sequence space acknowledged that carried no queued bytes: our SYN and FIN. */
static uint32_t
acked_data_bytes(struct tcb *c, tcp_seq_t ack, uint32_t acked)
{
	if (c->snd_una == c->iss && acked > 0)
		acked--; /* the SYN */
	if ((c->flags & TF_FIN_SENT) && seq_gt(ack, c->snd_fin) && seq_leq(c->snd_una, c->snd_fin))
		acked--; /* the FIN */
	return acked;
}

static void
state_after_our_fin_acked(struct tcp_worker *tw, struct tcb *c)
{
	switch (c->state) {
	case TCPS_FIN_WAIT_1:
		tcp_set_state(tw, c, TCPS_FIN_WAIT_2);
		if (c->flags & TF_RCV_CLOSED) /* orphaned: do not wait forever for the peer */
			tcp_timer_arm(tw, c, TCB_T_FIN_WAIT2, tw->cfg->fin_wait2_ms);
		break;
	case TCPS_CLOSING:
		tcp_enter_time_wait(tw, c);
		break;
	case TCPS_LAST_ACK:
		tcp_drop(tw, c, TERN_CLOSE_NORMAL, 0);
		break;
	default:
		break;
	}
}

/* Returns the data bytes this ACK acknowledged (SYN and FIN excluded). */
static uint32_t
new_ack(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s, uint32_t *rtt_us,
	struct rack_xmit *last)
{
	uint32_t acked = (uint32_t)(s->ack - c->snd_una);
	uint32_t data = acked_data_bytes(c, s->ack, acked);

	*rtt_us = rtt_sample(tw, c, s);
	tcp_sndq_ack(c, data, last);
	c->snd_una = s->ack;
	c->last_data_tick = (uint32_t)tw->tick;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	sb_advance(&c->sb, c->snd_una);
	c->rtx_count = 0; /* RFC 6298 §5.7 keeps the backoff until a valid sample (tcp_rtt_sample) */
	c->flags &= ~TF_TLP_SENT;
	if (c->snd_una == c->snd_max)
		tcp_timer_cancel(tw, c, TCB_SLOT_RTX);
	else
		tcp_rtx_arm(tw, c); /* RFC 6298 §5.3 */
	if ((c->flags & TF_WANT_WRITABLE) && data > 0 && tern_send_space(c) > 0) {
		c->flags &= ~TF_WANT_WRITABLE;
		tcb_event(c, TCB_EV_WRITABLE);
	}
	return data;
}

/* RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT, all five conditions. */
static int
is_dupack(const struct tcb *c, const struct tcp_seg *s, uint32_t wnd)
{
	/* Answers to zero-window probes are not loss signals (RFC 9293 §3.8.6.1). */
	if (wnd == 0 || c->snd_wnd == 0 || (c->flags & TF_ZERO_WINDOW))
		return 0;
	return c->snd_max != c->snd_una && s->len == 0 &&
	       !(s->flags & (TCP_F_SYN | TCP_F_FIN)) && s->ack == c->snd_una && wnd == c->snd_wnd;
}

/*
 * RFC 5961 §5.2: an ACK of what was never sent, or too old to be real, is
 * answered with an ACK and the segment discarded. Callers check this before
 * anything of the segment is used, TS.Recent included (RFC 7323 §4.3).
 */
int
tcp_ack_unacceptable(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (!seq_gt(s->ack, c->snd_max) && !seq_lt(s->ack, c->snd_una - c->max_sndwnd))
		return 0;
	CNT_INC(tcp_cnt(tw), TcpInAckUnacceptable);
	tcp_send_challenge_ack(tw, c);
	return 1;
}

/* Bytes of [SND.UNA, SEG.ACK) SACKed before this ACK: delivered already, not again now. */
static uint32_t
sacked_below_ack(const struct tcb *c, tcp_seq_t ack)
{
	if (c->sb.n == 0 || !seq_gt(ack, c->snd_una))
		return 0;
	return (uint32_t)(ack - c->snd_una) - sb_unsacked(&c->sb, c->snd_una, ack);
}

void
tcp_process_ack(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	uint32_t wnd = (uint32_t)s->wnd << c->snd_wscale;
	struct tcp_ack_info ai = {
		.flight = tcp_flight(c), .now_us = tw->tick * TCP_TICK_US,
		.ack = s->ack, .snd_max = c->snd_max,
		.dup = (uint8_t)is_dupack(c, s, wnd),
	};

	uint32_t sacked_before = sacked_below_ack(c, s->ack);
	/* RACK looks at a cumulative ACK only while data above SND.UNA is SACKed (tcp_rack.c). */
	int rack_cum = (c->flags & TF_SACK) && c->sb.n > 0;
	struct rack_xmit first = { 0 }, last = { 0 };
	tcp_seq_t old_una = c->snd_una, fack = old_una;

	if (rack_cum) {
		fack = c->rack_end;
		if (c->sndq.head != NULL)
			first = rack_mbuf_xmit(c->sndq.head);
	}

	ai.cwnd_limited = (uint8_t)tcp_cwnd_limited(c, ai.flight);
	/* A SYN,ACK's ECE is negotiation (RFC 3168 §6.1.1), not an echo. */
	ai.ece = (s->flags & (TCP_F_ECE | TCP_F_SYN)) == TCP_F_ECE && (c->flags & TF_ECN);
	ai.after_rto = !!(c->flags & TF_AFTER_RTO);
	if ((c->flags & TF_SACK) && (s->opts.flags & TCP_OPTF_SACK)) {
		ai.sacked = tcp_sack_input(tw, c, s);
		/* RFC 6675 §2: with SACK, an ACK that SACKs new data is a duplicate, window change or not. */
		if (ai.sacked > 0 && s->ack == c->snd_una)
			ai.dup = 1;
	}
	if (seq_gt(s->ack, c->snd_una)) {
		ai.acked = new_ack(tw, c, s, &ai.rtt_us, &last);
		if (rack_cum)
			tcp_rack_cum_ack(tw, c, old_una, fack, first, last);
	}
	ai.delivered = ai.acked - RTE_MIN(sacked_before, ai.acked) + ai.sacked;
	if (tcb_synchronized(c) && c->state != TCPS_TIME_WAIT) {
		tcp_recovery_ack(tw, c, s, &ai);
		if (ai.ece)
			tcp_ecn_ece(tw, c, &ai);
		tcp_autotune_snd(tw, c);
	}
	if ((c->flags & TF_FIN_SENT) && seq_gt(c->snd_una, c->snd_fin))
		state_after_our_fin_acked(tw, c);
	if (c->state == TCPS_CLOSED || c->state == TCPS_TIME_WAIT)
		return;
	if (tcp_window_update_ok(c, s))
		tcp_update_window(c, s);
	/* The window reopened but the probe byte was dropped (it lay beyond a zero window): resend from SND.UNA now. */
	if ((c->flags & TF_ZERO_WINDOW) && c->snd_wnd > 0 && seq_lt(c->snd_una, c->snd_nxt))
		c->snd_nxt = c->snd_una;
}
