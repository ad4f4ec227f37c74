/*
 * Loss recovery: entering and leaving fast recovery (RFC 5681 §3.2,
 * RFC 6675 §5 with SACK, RFC 6582 without), what to send during it
 * (NextSeg, with Proportional Rate Reduction, RFC 6937), undoing
 * reductions shown spurious by D-SACK (RFC 2883) or by timestamps after an
 * RTO (RFC 3522 detection, RFC 4015 response), and SACK reneging. With
 * SACK, what is lost is also RACK's to say (tcp_rack.c, RFC 8985), and its
 * reordering timer may start recovery.
 */
#include "tcp_internal.h"

static int
sack_recovery(const struct tcb *c)
{
	return (c->flags & (TF_SACK | TF_IN_RECOVERY)) == (TF_SACK | TF_IN_RECOVERY);
}

/* RFC 2883 §4: a first block below the cumulative ACK, or inside the second, reports a duplicate. */
static int
is_dsack(const struct tcp_seg *s)
{
	const struct tcp_sack_block *b = s->opts.sack;

	if (seq_leq(b[0].end, s->ack))
		return 1;
	return s->opts.nsack > 1 && seq_geq(b[0].start, b[1].start) && seq_leq(b[0].end, b[1].end);
}

/* Returns 0 when the reduction stands: an ECN-Echo came during it (tcp_ecn_ece zeroed prior_cwnd). */
static int
undo_reduction(struct tcb *c)
{
	if (c->prior_cwnd == 0)
		return 0;
	c->cwnd = RTE_MAX(c->cwnd, c->prior_cwnd);
	c->ssthresh = RTE_MAX(c->ssthresh, c->prior_ssthresh);
	tcp_ecn_withdraw(c);
	return 1;
}

/* Every retransmission of the latest recovery came back as a duplicate (RFC 2883 §4). */
static int
dsack_spurious(const struct tcb *c)
{
	return c->rexmits_episode > 0 && c->dsacks_episode >= c->rexmits_episode;
}

/* The loss was reordering: the reduction goes (once) and RACK learns of it. */
static void
undo_spurious(struct tcp_worker *tw, struct tcb *c, uint64_t *undone)
{
	if (undo_reduction(c))
		(*undone)++;
	tcp_rack_reordering_seen(tw, c); /* the original came late */
	c->rexmits_episode = 0;
}

uint32_t
tcp_sack_input(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	const struct tcp_sack_block *blocks = s->opts.sack;
	unsigned n = s->opts.nsack;

	if (n > 0 && is_dsack(s)) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPDSACKRecv);
		if (c->rexmits_episode > 0)
			c->dsacks_episode++;
		/* One that comes after the recovery ended undoes it as well (as Linux's tcp_try_undo_dsack). */
		if (!(c->flags & (TF_IN_RECOVERY | TF_AFTER_RTO)) && dsack_spurious(c))
			undo_spurious(tw, c, &tcp_cnt(tw)->TcpExtTCPDSACKUndo);
		tcp_rack_dsack(c);
		blocks++;
		n--;
	}
	tcp_rack_sack(tw, c, s->ack, blocks, n);
	return sb_update(&c->sb, seq_max(c->snd_una, s->ack), c->snd_max, blocks, n);
}

static void
enter_recovery(struct tcp_worker *tw, struct tcb *c, const struct tcp_ack_info *ai)
{
	uint32_t flight = tcp_flight(c), sent;

	c->prior_cwnd = c->cwnd;
	c->prior_ssthresh = c->ssthresh;
	c->rexmits_episode = c->dsacks_episode = 0;
	c->recover = c->snd_max;
	c->rxt_ts = tcp_ts_now(tw, c);
	c->sb.ts_spurious = !!(c->flags & TF_TS);
	c->flags |= TF_IN_RECOVERY;
	c->flags &= ~TF_RTT_TIMING; /* Karn */
	if (!tcp_ecn_in_cwr(c)) /* an ECN reduction of this window stands for this loss too */
		c->cc->on_congestion_event(c, flight);
	tcp_ecn_reduced(c);
	CNT_INC(tcp_cnt(tw), TcpExtTCPFastRetrans);
	if (c->flags & TF_SACK) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPSackRecovery);
		c->sb.high_rxt = c->snd_una; /* rack_edge stays: RACK may have started this */
		prr_start(&c->prr, flight);
		c->prr.delivered = ai->delivered; /* the ACK that starts recovery counts too */
		c->cwnd = c->ssthresh; /* PRR sets it per ACK from here on */
	} else
		CNT_INC(tcp_cnt(tw), TcpExtTCPRenoRecovery);
	/* RFC 6675 §5 step 4.2 / RFC 5681 step 2: the first hole goes now, whatever cwnd says. */
	sent = tcp_retransmit_first(tw, c);
	if (c->flags & TF_SACK) {
		c->sb.high_rxt = c->snd_una + sent;
		c->sb.rxt_fence = c->snd_max;
		c->prr.out += sent;
	}
	tcp_rtx_arm(tw, c);
}

/*
 * RFC 3522 for each hole: the ACK that moves SND.UNA in recovery echoes the
 * TS val of the segment that filled the hole at the left edge (RFC 7323
 * §4.3). One sent before the first retransmission is an original; one
 * echoing a retransmission, or nothing, shows a loss.
 */
static void
ts_check_fill(struct tcb *c, const struct tcp_seg *s)
{
	if (!(s->opts.flags & TCP_OPTF_TS) || s->opts.ts_ecr == 0 || !seq_lt(s->opts.ts_ecr, c->rxt_ts))
		c->sb.ts_spurious = 0;
}

static void
exit_recovery(struct tcp_worker *tw, struct tcb *c)
{
	c->flags &= ~TF_IN_RECOVERY;
	c->sb.rack_edge = c->snd_una;
	tcp_rack_recovery_done(c);
	if (c->flags & TF_SACK)
		c->cwnd = c->ssthresh; /* RFC 6937 §3 on exit */
	else
		c->cc->on_recovery_exit(c, tcp_flight(c));
	if (dsack_spurious(c))
		undo_spurious(tw, c, &tcp_cnt(tw)->TcpExtTCPDSACKUndo);
	else if (c->sb.ts_spurious)
		undo_spurious(tw, c, &tcp_cnt(tw)->TcpExtTCPFullUndo);
	c->dupacks = 0;
}

/* RFC 6582 §3.2 step 3: a partial ACK without SACK means the next hole is lost too. */
static void
newreno_partial_ack(struct tcp_worker *tw, struct tcb *c, uint32_t acked)
{
	tcp_retransmit_first(tw, c);
	c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
	if (acked >= c->mss)
		c->cwnd += c->mss;
	if (c->cwnd < c->mss)
		c->cwnd = c->mss;
}

/* RFC 6582 §3.2 step 2 and after an RTO's go-back-N: no new recovery yet. */
static int
may_enter_recovery(const struct tcb *c)
{
	return !(c->flags & (TF_IN_RECOVERY | TF_AFTER_RTO)) && seq_geq(c->snd_una, c->recover);
}

/* RACK's reordering window ran out (RFC 8985 §6.3): what it finds lost may start recovery. */
void
tcp_recovery_reo_timeout(struct tcp_worker *tw, struct tcb *c)
{
	if (c->flags & TF_SACK) {
		tcp_rack_detect(tw, c);
		if (may_enter_recovery(c) && sb_is_lost(&c->sb, c->snd_una, c->mss, c->snd_una)) {
			CNT_INC(tcp_cnt(tw), TcpExtTCPRACKReoTimeout);
			enter_recovery(tw, c, &(struct tcp_ack_info){ 0 });
		}
	}
	tcp_rtx_arm(tw, c); /* the RTO again; tcp_output sends when the handler leaves */
}

static void
in_recovery_ack(struct tcp_worker *tw, struct tcb *c, uint32_t acked, uint32_t delivered, int dup)
{
	if (seq_geq(c->snd_una, c->recover)) {
		exit_recovery(tw, c);
		return;
	}
	if (c->flags & TF_SACK) {
		uint32_t pipe;

		pipe = sb_pipe(&c->sb, c->snd_una, c->snd_max, c->mss);
		c->cwnd = pipe + prr_sndcnt(&c->prr, delivered, pipe, c->ssthresh, c->mss);
	} else if (acked > 0)
		newreno_partial_ack(tw, c, acked);
	else if (dup)
		c->cwnd += c->mss; /* RFC 5681 §3.2 step 4: inflate */
}

/* Leaves the after-RTO state; with timestamps, tells a spurious timeout apart (RFC 3522). */
static void
after_rto_ack(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	/* A TSecr of 0 echoes nothing (as rtt_sample treats it): no evidence either way. */
	if ((c->flags & TF_RTO_CHECK) && (c->flags & TF_TS) && (s->opts.flags & TCP_OPTF_TS) &&
	    s->opts.ts_ecr != 0 && seq_lt(s->opts.ts_ecr, c->rxt_ts)) {
		/* The ACK echoes the original transmission: it was not lost. RFC 4015 response. */
		CNT_INC(tcp_cnt(tw), TcpExtTCPSpuriousRTOs);
		undo_reduction(c);
		if (seq_lt(c->snd_nxt, c->snd_max))
			c->snd_nxt = c->snd_max;
		c->flags &= ~TF_AFTER_RTO;
		c->recover = c->snd_una; /* nothing was lost: a new loss may start recovery at once */
	}
	c->flags &= ~TF_RTO_CHECK;
	if (seq_geq(c->snd_una, c->recover))
		c->flags &= ~TF_AFTER_RTO;
}

/* The peer kept data it SACKed out of its buffer after all (RFC 2018 §8): forget the scoreboard. */
static void
check_reneging(struct tcp_worker *tw, struct tcb *c)
{
	if (c->sb.n > 0 && c->sb.r[0].start == c->snd_una) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPSACKReneging);
		sb_clear(&c->sb);
	}
}

/*
 * RFC 5827 early retransmit: with fewer than four segments outstanding and
 * nothing new to send, three duplicates can never come; one less than the
 * outstanding segments (SACKed, with SACK) is the threshold.
 */
static int
early_retransmit(const struct tcb *c)
{
	uint32_t oseg = (tcp_flight(c) + c->mss - 1) / c->mss;
	uint32_t sacked_segs;

	if (oseg >= 4 || oseg < 2 || c->sndq.bytes > tcp_flight(c))
		return 0;
	if (!(c->flags & TF_SACK))
		return c->dupacks >= oseg - 1;
	sacked_segs = (sb_sacked_bytes(&c->sb) + c->mss - 1) / c->mss;
	return sacked_segs >= oseg - 1 && !sb_is_sacked(&c->sb, c->snd_una);
}

/* Counting duplicates, until reordering was seen: then only time tells (RFC 8985 §6.2 step 4). */
static int
dup_rules(const struct tcb *c)
{
	return !((c->flags & TF_SACK) && c->sb.reo_seen);
}

void
tcp_recovery_ack(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s,
		 const struct tcp_ack_info *ai)
{
	uint32_t acked = ai->acked;
	int dup = ai->dup;

	if (acked > 0 && (c->flags & (TF_RTO_CHECK | TF_AFTER_RTO)))
		after_rto_ack(tw, c, s);
	if (c->flags & TF_SACK) {
		check_reneging(tw, c);
		if (c->sb.n > 0)
			tcp_rack_detect(tw, c);
	}
	if (c->flags & TF_IN_RECOVERY) {
		if (acked > 0 && c->sb.ts_spurious)
			ts_check_fill(c, s);
		in_recovery_ack(tw, c, acked, ai->delivered, dup);
		return;
	}
	if (dup)
		c->dupacks++;
	else if (acked > 0)
		c->dupacks = 0;
	/*
	 * RFC 6675 §5: DupThresh duplicate ACKs, or SACK showing the first
	 * hole lost (by RACK too); RFC 6582 §3.2 step 2: only once the
	 * cumulative ACK covers the previous recovery's highest byte (recover
	 * - 1: recover is that episode's SND.MAX, one past it).
	 */
	if (may_enter_recovery(c) &&
	    ((dup_rules(c) && (c->dupacks >= SB_DUPTHRESH || early_retransmit(c))) ||
	     ((c->flags & TF_SACK) && sb_is_lost(&c->sb, c->snd_una, c->mss, c->snd_una)))) {
		enter_recovery(tw, c, ai);
		return;
	}
	if (acked > 0 && tcb_synchronized(c) && !ai->ece && !tcp_ecn_cwr_state(c))
		c->cc->on_ack(c, ai);
}

void
tcp_recovery_on_rto(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t ssthresh = c->ssthresh;
	int in_cwr = tcp_ecn_in_cwr(c);

	c->prior_cwnd = c->cwnd;
	c->prior_ssthresh = c->ssthresh;
	c->cc->on_rto(c, tcp_flight(c));
	if (in_cwr)
		c->ssthresh = ssthresh; /* reduced for this window already (as Linux's tcp_enter_loss) */
	tcp_ecn_reduced(c);
	c->flags &= ~(TF_IN_RECOVERY | TF_RTT_TIMING);
	c->flags |= TF_AFTER_RTO;
	if (c->rtx_count == 1 && (c->flags & TF_TS)) {
		c->flags |= TF_RTO_CHECK;
		c->rxt_ts = tcp_ts_now(tw, c);
	}
	c->recover = c->snd_max; /* RFC 6582 §3.2 step 4 */
	c->rexmits_episode = c->dsacks_episode = 0; /* no later D-SACK undoes this one */
	c->sb.ts_spurious = 0;
	c->dupacks = 0;
	c->reo_tick = 0;
	/* RFC 6675 §5.1: keep the scoreboard; resend only what it does not hold. */
	c->sb.high_rxt = c->sb.rack_edge = c->snd_una;
	c->snd_nxt = c->snd_una;
}

/* RFC 6675 §5 step C: while cwnd - pipe allows, NextSeg decides what goes. */
unsigned
tcp_recovery_send(struct tcp_worker *tw, struct tcb *c, uint32_t unsent)
{
	uint32_t pipe = sb_pipe(&c->sb, c->snd_una, c->snd_max, c->mss);
	unsigned sent = 0;

	if (!sack_recovery(c))
		return 0;
	while (c->cwnd > pipe && c->cwnd - pipe >= RTE_MIN((uint32_t)c->mss, c->cwnd)) {
		tcp_seq_t seq;
		uint32_t len;

		if (sb_next_lost(&c->sb, c->snd_una, c->mss, &seq, &len)) {
			len = RTE_MIN(len, tcp_cur_mss(tw, c));
			if (tcp_send_segment(tw, c, seq, len, TCP_F_ACK) != 0)
				break;
			c->sb.high_rxt = seq + len;
			c->sb.rxt_fence = c->snd_max;
			c->rexmits_episode++;
			c->retransmits++;
			CNT_INC(tcp_cnt(tw), TcpRetransSegs);
		} else if (unsent > 0 && seq_lt(c->snd_nxt, c->snd_una + c->snd_wnd)) {
			len = RTE_MIN(RTE_MIN(unsent, tcp_cur_mss(tw, c)),
				      (uint32_t)(c->snd_una + c->snd_wnd - c->snd_nxt));
			if (tcp_send_segment(tw, c, c->snd_nxt, len, TCP_F_ACK) != 0)
				break;
			c->snd_nxt += len;
			c->snd_max = seq_max(c->snd_max, c->snd_nxt);
			unsent -= len;
		} else
			break;
		pipe += len;
		c->prr.out += len;
		sent++;
	}
	return sent;
}
