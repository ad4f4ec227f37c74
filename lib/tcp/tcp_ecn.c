/*
 * Explicit Congestion Notification (RFC 3168 §6.1): negotiation on the
 * SYN and SYN,ACK, ECT(0) on new data, CE echoed with ECE until CWR, and
 * the sender's answer to ECE: one window reduction per window of data.
 * Off, accept or on by [tcp] ecn, as Linux's net.ipv4.tcp_ecn.
 */
#include "tcp_internal.h"

#define ECN_SETUP (TCP_F_ECE | TCP_F_CWR)

/*
 * §6.1.1: an ECN-setup SYN has ECE and CWR. One that is itself ECT or CE
 * marked crossed a box that rewrites the field: no ECN with it (as Linux's
 * tcp_ecn_create_request).
 */
int
tcp_ecn_syn_ok(const struct tcp_worker *tw, const struct tcp_seg *s)
{
	return tw->cfg->ecn != TCP_ECN_OFF && (s->flags & ECN_SETUP) == ECN_SETUP &&
	       s->ecn == TCP_ECN_NOT_ECT;
}

/* §6.1.1: only a SYN,ACK with ECE and without CWR agrees; our own SYN asked (TF_ECN). */
void
tcp_ecn_synack_in(struct tcb *c, const struct tcp_seg *s)
{
	if ((s->flags & ECN_SETUP) != TCP_F_ECE)
		c->flags &= ~TF_ECN;
}

/*
 * The ECN bits of our SYN or SYN,ACK. A SYN asks when [tcp] ecn is on;
 * its retransmissions do not (§6.1.1.1: a middlebox may drop ECN-setup
 * SYNs, as Linux's tcp_ecn_clear_syn), but the SYN,ACK still decides. A
 * SYN,ACK agrees with ECE alone.
 */
uint8_t
tcp_ecn_syn_flags(const struct tcp_worker *tw, struct tcb *c, uint8_t flags)
{
	if (flags & TCP_F_ACK)
		return (c->flags & TF_ECN) ? TCP_F_ECE : 0;
	if (seq_gt(c->snd_max, c->iss))
		return 0; /* TF_ECN stays: a SYN,ACK with ECE may answer the first SYN (as Linux) */
	if (tw->cfg->ecn == TCP_ECN_ON) {
		c->flags |= TF_ECN;
		return ECN_SETUP;
	}
	return 0;
}

/*
 * A segment of an ECN connection: ECE on every ACK while CE is unanswered
 * (§6.1.3), CWR on the first new data after a reduction (§6.1.2). Only new
 * data is ECT(0): not pure ACKs (§6.1.4), retransmissions (§6.1.5) or
 * window probes (§6.1.6). Returns the IP ECN field to send.
 */
uint8_t
tcp_ecn_out_ecn(struct tcb *c, tcp_seq_t seq, uint32_t len, uint8_t *flags)
{
	if (*flags & TCP_F_SYN)
		return TCP_ECN_NOT_ECT;
	if ((*flags & TCP_F_ACK) && (c->flags & TF_ECN_ECHO))
		*flags |= TCP_F_ECE;
	if (len == 0 || seq_lt(seq, c->snd_max) || c->snd_wnd == 0)
		return TCP_ECN_NOT_ECT;
	if (c->flags & TF_ECN_CWR) {
		*flags |= TCP_F_CWR;
		c->flags &= ~TF_ECN_CWR;
	}
	return TCP_ECN_ECT0;
}

/* §6.1.3: CWR ends the echo; CE on data (re)starts it, and the ACK goes at once (as Linux). */
void
tcp_ecn_rcv_ecn(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (s->flags & TCP_F_CWR) {
		c->flags &= ~TF_ECN_ECHO;
		/* The sender's window may be down to a segment: do not make it wait (as Linux). */
		if (s->len > 0)
			c->flags |= TF_ACK_NOW;
	}
	if (s->ecn != TCP_ECN_CE || s->len == 0)
		return;
	CNT_INC(tcp_cnt(tw), TcpExtTCPECNCEEchoed);
	if (!(c->flags & TF_ECN_ECHO)) {
		c->flags |= TF_ECN_ECHO;
		tcp_quickack_enter(tw, c);
	}
}

/* The window was reduced (loss, timeout or ECE): no ECE answer for a window, CWR goes next (§6.1.2). */
void
tcp_ecn_reduced_ecn(struct tcb *c)
{
	c->ecn_recover = c->snd_max;
	c->flags |= TF_ECN_CWR;
}

/*
 * §6.1.2: ECE reduces the window as a loss would, but at most once per
 * window of data: not again until data sent after the reduction is
 * acknowledged (Linux holds CWR until something above high_seq is), and
 * not during recovery, which has reduced it already; a congestion signal
 * also forbids undoing the latest recovery's reduction, during it or
 * after (as Linux's tcp_enter_recovery with ece_ack). Nothing is resent: ECE says the data
 * arrived.
 */
void
tcp_ecn_ece(struct tcp_worker *tw, struct tcb *c, const struct tcp_ack_info *ai)
{
	if (ai->delivered > 0)
		CNT_ADD(tcp_cnt(tw), TcpExtTCPDeliveredCE, (ai->delivered + c->mss - 1) / c->mss);
	/* Congestion shown: no later D-SACK or timestamp may undo the latest reduction. */
	c->prior_cwnd = c->prior_ssthresh = 0;
	if (c->flags & (TF_IN_RECOVERY | TF_AFTER_RTO))
		return;
	if (tcp_ecn_in_cwr(c))
		return;
	c->cc->on_congestion_event(c, ai->flight);
	c->cwnd = c->ssthresh;
	CNT_INC(tcp_cnt(tw), TcpExtTCPECNReductions);
	tcp_ecn_reduced_ecn(c);
}
