/*
 * RACK's loss detection (RFC 8985 §6), for connections with SACK: a
 * segment is lost when data sent after it was delivered and a reordering
 * window has passed since it should have been. The transmit times live in
 * the send queue's mbufs (tcp_rack.h); original data goes out in sequence
 * order, so the originals sent before RACK's segment are those below
 * rack_end, and the earliest un-SACKed one is the first reached from
 * SND.UNA. Retransmissions go in order too: the earliest is at SND.UNA,
 * and data delivered from above rxt_fence was sent after all of them.
 * What is lost becomes sb.rack_edge (originals) or resets HighRxt
 * (retransmissions); recovery starts and sends from the scoreboard.
 */
#include "tcp_internal.h"

/* Ticks are milliseconds here: RACK.rtt and min_RTT are kept in ms. */
_Static_assert(TCP_TICK_US == 1000, "tcp_rack.c counts ticks as milliseconds");

#define RACK_REO_PERSIST 16 /* §6.2 step 4: recoveries a widened window is kept */

/* The sequence number of the send queue's first byte. */
static tcp_seq_t
sndq_head_seq(const struct tcb *c)
{
	return c->snd_una == c->iss ? c->snd_una + 1 : c->snd_una; /* the SYN is not queued */
}

/* Counted once per ACK that shows it, as Linux counts TCPSACKReorder. */
void
tcp_rack_reordering_seen(struct tcp_worker *tw, struct tcb *c)
{
	c->sb.reo_seen = 1;
	CNT_INC(tcp_cnt(tw), TcpExtTCPSACKReorder);
}

/* §6.2 step 1: RACK.end_seq and RACK.rtt follow the latest-sent data delivered. */
static void
rack_advance(struct tcp_worker *tw, struct tcb *c, tcp_seq_t end, uint32_t xmit_tick)
{
	uint32_t rtt = (uint32_t)tw->tick - xmit_tick;

	if (!seq_gt(end, c->rack_end))
		return;
	c->rack_end = end;
	c->sb.rack_rtt_ms = (uint16_t)RTE_MIN(rtt, (uint32_t)UINT16_MAX);
}

/*
 * Original data (sent once) newly SACKed in [lo, hi) of a queued mbuf sent
 * as x. Returns 1 when it shows reordering (§6.2 step 2: delivered below
 * what was delivered before, never resent).
 */
static int
rack_sacked_piece(struct tcp_worker *tw, struct tcb *c, tcp_seq_t lo, tcp_seq_t hi,
		  struct rack_xmit x, tcp_seq_t fack)
{
	if (!(x.flags & RACK_M_SENT) || (x.flags & RACK_M_RXT))
		return 0; /* a retransmission: which copy arrived is unknown (§6.2 step 1) */
	rack_advance(tw, c, hi, x.tick);
	return seq_lt(lo, fack);
}

/* The newly SACKed bytes of block b within [at, end), or an empty range. */
static int
new_in_block(const struct tcb *c, const struct tcp_sack_block *b, tcp_seq_t at, tcp_seq_t end,
	     tcp_seq_t *lo, tcp_seq_t *hi)
{
	*lo = seq_max(at, b->start);
	*hi = seq_min(end, b->end);
	if (!seq_lt(*lo, *hi))
		return 0;
	*lo = sb_skip_sacked(&c->sb, *lo); /* ranges never touch: what follows is new */
	return seq_lt(*lo, *hi);
}

void
tcp_rack_sack(struct tcp_worker *tw, struct tcb *c, tcp_seq_t ack,
	      const struct tcp_sack_block *blocks, unsigned n)
{
	struct tcp_sack_block b[TCP_MAX_SACK_BLOCKS];
	tcp_seq_t una = seq_max(c->snd_una, ack), top = una, at = sndq_head_seq(c), fack;
	struct rte_mbuf *m = c->sndq.head;
	unsigned nb = 0;
	int reordered = 0;

	/* Nothing SACKed is outstanding: RACK's segment is behind SND.UNA (and inside the window). */
	if (c->sb.n == 0)
		c->rack_end = c->snd_una;
	fack = c->rack_end;
	for (unsigned i = 0; i < n && nb < TCP_MAX_SACK_BLOCKS; i++) {
		tcp_seq_t s = seq_max(blocks[i].start, una), e = blocks[i].end;

		if (!seq_lt(s, e) || seq_gt(e, c->snd_max) || sb_unsacked(&c->sb, s, e) == 0)
			continue;
		b[nb++] = (struct tcp_sack_block){ s, e };
		top = seq_max(top, e);
	}
	if (nb == 0)
		return;
	/* One walk from the queue's head to the highest new byte. */
	for (; m != NULL && seq_lt(at, top); at += m->data_len, m = m->next) {
		for (unsigned i = 0; i < nb; i++) {
			tcp_seq_t lo, hi;

			if (new_in_block(c, &b[i], at, at + m->data_len, &lo, &hi))
				reordered |= rack_sacked_piece(tw, c, lo, hi, rack_mbuf_xmit(m), fack);
		}
	}
	if (reordered)
		tcp_rack_reordering_seen(tw, c);
}

void
tcp_rack_cum_ack(struct tcp_worker *tw, struct tcb *c, tcp_seq_t old_una, tcp_seq_t fack,
		 struct rack_xmit first, struct rack_xmit last)
{
	/* The hole at the old SND.UNA was filled by its original, below data delivered before. */
	if ((first.flags & (RACK_M_SENT | RACK_M_RXT)) == RACK_M_SENT && seq_lt(old_una, fack))
		tcp_rack_reordering_seen(tw, c);
	if ((last.flags & (RACK_M_SENT | RACK_M_RXT)) == RACK_M_SENT)
		rack_advance(tw, c, c->snd_una, last.tick);
}

/* §6.2 step 4: RACK.reo_wnd, in ticks. */
static uint32_t
rack_reo_wnd(const struct tcb *c)
{
	uint32_t mult = 1u + c->sb.reo_steps;

	if (!c->sb.reo_seen) {
		/* No reordering known: as quick as DupThresh, in recovery and past three segments. */
		if (c->flags & (TF_IN_RECOVERY | TF_AFTER_RTO))
			return 0;
		if (sb_sacked_bytes(&c->sb) >= SB_DUPTHRESH * (uint32_t)c->mss)
			return 0;
	}
	/* At least a tick: on a sub-millisecond path reordering must still get some time. */
	return RTE_MAX(RTE_MIN(mult * c->rtt.min_ms / 4, c->rtt.srtt_us / TCP_TICK_US), 1u);
}

/* The retransmissions below HighRxt were lost: NextSeg rule 1 goes over their holes again. */
static void
rxt_lost(struct tcp_worker *tw, struct tcb *c)
{
	CNT_INC(tcp_cnt(tw), TcpExtTCPLostRetransmit);
	c->sb.high_rxt = c->snd_una;
	c->sb.rxt_fence = c->snd_max;
}

/* 1 when the deadline has come; otherwise keeps the earliest one in *next. */
static int
rack_due(uint32_t now, uint32_t deadline, uint32_t *next)
{
	if ((int32_t)(now - deadline) >= 0)
		return 1;
	if (*next == 0 || (int32_t)(deadline - *next) < 0)
		*next = deadline != 0 ? deadline : 1; /* 0 means none */
	return 0;
}

void
tcp_rack_detect(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t now = (uint32_t)tw->tick, reo = rack_reo_wnd(c), next = 0;
	/*
	 * Both transmit times are read off a 1 ms clock, so the deadline can
	 * come a tick early: a window gets one more, so that a reordering as
	 * long as the window is not taken for loss. A window of 0 stays 0.
	 */
	uint32_t wait = c->sb.rack_rtt_ms + reo + (reo > 0);
	tcp_seq_t at = sndq_head_seq(c);
	struct rte_mbuf *m = c->sndq.head;

	if (c->sb.n == 0 || m == NULL) {
		c->reo_tick = 0;
		return;
	}
	/* §6.2 step 5 for retransmissions: the earliest is the one at SND.UNA. */
	if (sb_sacked_after_rxt(&c->sb, c->snd_una) > 0 &&
	    rack_due(now, rack_mbuf_xmit(m).tick + wait, &next))
		rxt_lost(tw, c);
	/* For originals, in order of sending: the first not yet due ends the walk. */
	for (; m != NULL && seq_lt(at, c->rack_end); at += m->data_len, m = m->next) {
		tcp_seq_t lo = seq_max(at, c->sb.rack_edge), hi = seq_min(at + m->data_len, c->rack_end);
		struct rack_xmit x = rack_mbuf_xmit(m);

		if (!seq_lt(lo, hi) || (x.flags & RACK_M_RXT) || !(x.flags & RACK_M_SENT) ||
		    sb_unsacked(&c->sb, lo, hi) == 0)
			continue;
		if (!rack_due(now, x.tick + wait, &next))
			break;
		c->sb.rack_edge = hi;
	}
	c->reo_tick = next;
	if (next != 0)
		tcp_rtx_arm(tw, c); /* §6.3: the timer, unless the RTO comes first */
}

/* §6.2 step 4: each round with a D-SACK widens the window by min_RTT/4, for 16 recoveries. */
void
tcp_rack_dsack(struct tcb *c)
{
	if (c->sb.dsack_round_on && seq_geq(c->snd_una, c->dsack_round))
		c->sb.dsack_round_on = 0;
	if (c->sb.dsack_round_on)
		return;
	if (c->sb.reo_steps < UINT8_MAX)
		c->sb.reo_steps++;
	c->dsack_round = c->snd_max;
	c->sb.dsack_round_on = 1;
	c->sb.reo_persist = RACK_REO_PERSIST;
}

void
tcp_rack_recovery_done(struct tcb *c)
{
	if (c->sb.reo_persist > 0 && --c->sb.reo_persist == 0)
		c->sb.reo_steps = 0;
}
