/*
 * Receiving: in-order data to the application, out-of-order segments to
 * a per-worker store (RFC 9293 §3.10.7.4 seventh step, RFC 5681 §4.2 ACK
 * rules), SACK blocks for what is held (RFC 2018 §4, RFC 2883), the FIN.
 */
#include "tcp_internal.h"
#include "tcp_mbuf.h"

void
tcp_deliver_to_app(struct tcb *c, struct rte_mbuf *m, uint32_t len)
{
	c->rcv_unconsumed += len;
	if (c->rcv_deliver == NULL)
		c->rcv_deliver = m;
	else if (rte_pktmbuf_chain(c->rcv_deliver, m) != 0) {
		/* Chain too long to link: what is queued still goes to the app, m is lost. */
		tcb_event(c, TCB_EV_DATA);
		rte_pktmbuf_free(m); /* unreachable with 16-bit nb_segs and bounded bursts */
		return;
	}
	tcb_event(c, TCB_EV_DATA);
}

static void
ooo_unlink_free(struct tcp_worker *tw, uint32_t idx)
{
	rte_pktmbuf_free(tw->ooo[idx].m);
	tw->ooo[idx].m = NULL;
	tw->ooo[idx].next = tw->ooo_free;
	tw->ooo_free = idx;
	tw->ooo_used--;
}

void
tcp_ooo_purge(struct tcp_worker *tw, struct tcb *c)
{
	while (c->ooo_head != OOO_NIL) {
		uint32_t next = tw->ooo[c->ooo_head].next;

		ooo_unlink_free(tw, c->ooo_head);
		c->ooo_head = next;
	}
}

/* The contiguous run of held data that contains seq, as a SACK block. */
static int
ooo_block_at(const struct tcp_worker *tw, const struct tcb *c, tcp_seq_t seq,
	     struct tcp_sack_block *b)
{
	uint32_t i = c->ooo_head;

	while (i != OOO_NIL) {
		tcp_seq_t start = tw->ooo[i].seq, end = start + tw->ooo[i].len;

		for (i = tw->ooo[i].next; i != OOO_NIL && tw->ooo[i].seq == end; i = tw->ooo[i].next)
			end += tw->ooo[i].len;
		if (seq_gt(start, seq))
			return 0;
		if (seq_lt(seq, end)) {
			*b = (struct tcp_sack_block){ start, end };
			return 1;
		}
	}
	return 0;
}

/* RFC 2018 §4: the block with the newest segment first, then the others by recency. */
void
tcp_sack_note(struct tcb *c, tcp_seq_t start, tcp_seq_t end)
{
	struct tcp_sack_block nb = { start, end };
	unsigned n = 0;
	struct tcp_sack_block keep[TCP_MAX_SACK_BLOCKS];

	for (unsigned i = 0; i < c->nsack_recent && n < TCP_MAX_SACK_BLOCKS - 1; i++) {
		const struct tcp_sack_block *b = &c->sack_recent[i];

		if (seq_leq(b->end, nb.end) && seq_geq(b->start, nb.start))
			continue; /* now inside the new block */
		/* Below RCV.NXT: delivered since, it must not take the place of a block still held. */
		if (seq_leq(b->end, c->rcv_nxt))
			continue;
		keep[n++] = *b;
	}
	c->sack_recent[0] = nb;
	for (unsigned i = 0; i < n; i++)
		c->sack_recent[i + 1] = keep[i];
	c->nsack_recent = n + 1;
}

void
tcp_sack_note_dsack(struct tcb *c, tcp_seq_t start, tcp_seq_t end)
{
	if (!(c->flags & TF_SACK))
		return;
	c->sack_dsack = (struct tcp_sack_block){ start, end };
	c->has_dsack = 1;
}

/*
 * One segment may duplicate several pieces (RFC 2883 §4: "the first SACK
 * block reports the duplicate"): pieces that touch the D-SACK block already
 * noted widen it, as Linux's tcp_dsack_extend; others are not reported.
 */
static void
dsack_extend(struct tcb *c, tcp_seq_t start, tcp_seq_t end)
{
	struct tcp_sack_block *d = &c->sack_dsack;

	if (!c->has_dsack) {
		tcp_sack_note_dsack(c, start, end);
		return;
	}
	if (seq_gt(start, d->end) || seq_lt(end, d->start))
		return;
	d->start = seq_min(d->start, start);
	d->end = seq_max(d->end, end);
}

/*
 * The blocks to send: a D-SACK first, then the recency list's, each
 * re-read against what is still held above RCV.NXT.
 */
unsigned
tcp_sack_blocks(const struct tcp_worker *tw, const struct tcb *c, struct tcp_sack_block *out,
		unsigned max)
{
	unsigned n = 0;

	if (c->has_dsack && n < max)
		out[n++] = c->sack_dsack;
	for (unsigned i = 0; i < c->nsack_recent && n < max; i++) {
		struct tcp_sack_block b;
		int dup = 0;

		if (!ooo_block_at(tw, c, c->sack_recent[i].start, &b) || seq_leq(b.end, c->rcv_nxt))
			continue;
		for (unsigned j = c->has_dsack ? 1 : 0; j < n; j++)
			dup |= out[j].start == b.start;
		if (!dup)
			out[n++] = b;
	}
	return n;
}

/* Trims s against held segments and links it in order; returns 0 when nothing new is left. */
static int
ooo_link(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s, uint32_t *prev_out)
{
	uint32_t prev = OOO_NIL, cur = c->ooo_head;

	while (cur != OOO_NIL && seq_leq(tw->ooo[cur].seq, s->seq)) {
		prev = cur;
		cur = tw->ooo[cur].next;
	}
	if (prev != OOO_NIL) {
		int32_t over = seq_diff(tw->ooo[prev].seq + tw->ooo[prev].len, s->seq);

		if (over >= (int32_t)s->len)
			return 0; /* all of it is held already */
		if (over > 0) {
			dsack_extend(c, s->seq, s->seq + (uint32_t)over); /* RFC 2883 §4 */
			s->m = mbuf_cut_front(s->m, over);
			s->seq += over;
			s->len -= over;
		}
	}
	/* Later held segments that the new one covers go; a partial overlap trims the new tail. */
	while (cur != OOO_NIL && seq_lt(tw->ooo[cur].seq, s->seq + s->len)) {
		struct tcp_ooo_seg *e = &tw->ooo[cur];
		uint32_t next = e->next;

		if (seq_leq(e->seq + e->len, s->seq + s->len)) {
			dsack_extend(c, e->seq, e->seq + e->len); /* held already: a duplicate */
			ooo_unlink_free(tw, cur);
			if (prev == OOO_NIL)
				c->ooo_head = next;
			else
				tw->ooo[prev].next = next;
			cur = next;
			continue;
		}
		dsack_extend(c, e->seq, s->seq + s->len);
		s->len = (uint32_t)(e->seq - s->seq);
		mbuf_keep_front(s->m, s->len);
		break;
	}
	*prev_out = prev;
	return 1;
}

void
tcp_ooo_insert(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	uint32_t prev, idx;
	tcp_seq_t first = s->seq, last = s->seq + s->len;

	if (!ooo_link(tw, c, s, &prev)) {
		tcp_sack_note_dsack(c, first, last);
		seg_free_payload(s);
		return;
	}
	if (tw->ooo_free == OOO_NIL) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPOFODrop);
		seg_free_payload(s);
		return;
	}
	idx = tw->ooo_free;
	tw->ooo_free = tw->ooo[idx].next;
	tw->ooo_used++;
	tw->ooo[idx] = (struct tcp_ooo_seg){ .m = s->m, .seq = s->seq, .len = s->len,
		.next = prev == OOO_NIL ? c->ooo_head : tw->ooo[prev].next };
	if (prev == OOO_NIL)
		c->ooo_head = idx;
	else
		tw->ooo[prev].next = idx;
	s->m = NULL;
	CNT_INC(tcp_cnt(tw), TcpExtTCPOFOQueue);
	struct tcp_sack_block b;
	if (ooo_block_at(tw, c, first, &b))
		tcp_sack_note(c, b.start, b.end);
}

/* Moves held segments that RCV.NXT has reached to the application. */
void
tcp_ooo_pull(struct tcp_worker *tw, struct tcb *c)
{
	while (c->ooo_head != OOO_NIL && seq_leq(tw->ooo[c->ooo_head].seq, c->rcv_nxt)) {
		uint32_t idx = c->ooo_head;
		struct tcp_ooo_seg *e = &tw->ooo[idx];
		int32_t old = seq_diff(c->rcv_nxt, e->seq);

		c->ooo_head = e->next;
		if (old > 0) /* in-order data covered held data: that much came twice (RFC 2883 §4) */
			dsack_extend(c, e->seq, e->seq + RTE_MIN((uint32_t)old, e->len));
		if (old < (int32_t)e->len) {
			struct rte_mbuf *m = old > 0 ? mbuf_cut_front(e->m, old) : e->m;
			uint32_t len = e->len - (uint32_t)old;

			e->m = NULL;
			c->rcv_nxt += len;
			tcp_deliver_to_app(c, m, len);
		}
		ooo_unlink_free(tw, idx);
	}
}

/*
 * Linux's quick-ACK mode (tcp_incr_quickack): the next ACKs go at once, as
 * many as half the receive window holds full segments, from 2 to 16. A
 * sender starting (or restarting after idle) waits for each ACK to grow
 * its window, and with Nagle for each ACK to send its next short segment.
 */
static void
quickack_incr(const struct tcp_worker *tw, struct tcb *c)
{
	uint32_t n = tcp_rcv_window(tw, c) / (2u * c->mss);

	n = RTE_MIN(RTE_MAX(n, 2u), (uint32_t)TCP_MAX_QUICKACKS);
	if (n > c->quickack)
		c->quickack = (uint8_t)n;
}

/*
 * Data that came twice: the peer missed our ACK and retransmitted, so it
 * waits for ACKs now. Quick ACKs, and not interactive any more (Linux's
 * tcp_send_dupack calls tcp_enter_quickack_mode).
 */
void
tcp_quickack_enter(const struct tcp_worker *tw, struct tcb *c)
{
	quickack_incr(tw, c);
	c->flags &= ~TF_PINGPONG;
}

/*
 * How long the ACK of a lone in-order segment waits (RFC 1122 §4.2.3.2: less
 * than 500 ms). A full-sized one is most likely the tail of a bulk sender's
 * flight; the next flight comes about an RTT later, and until the ACK the
 * sender's window is a segment short. An eighth of the RTT bounds that cost
 * (Linux's receiver ACKs a whole GRO batch at once and seldom holds one: at
 * 20 ms and 1 % loss, Linux uploaded 7 % more to Linux than to tern with
 * 40 ms here). A short segment, or any on an interactive connection, waits
 * the whole delayed-ACK time, for the reply to carry the ACK.
 */
static uint32_t
delack_ms(const struct tcp_worker *tw, const struct tcb *c)
{
	uint32_t full = tw->cfg->delack_ms;

	if ((c->flags & TF_PINGPONG) || !c->rtt.have_sample ||
	    seq_diff(c->rcv_nxt, c->last_ack_sent) < (int32_t)c->mss)
		return full;
	return RTE_MIN(full, RTE_MAX(c->rtt.srtt_us / 8000u, 1u));
}

/*
 * RFC 5681 §4.2: ACK at least every second full-sized segment, within the
 * delayed-ACK time (RFC 1122 §4.2.3.2); at once in quick-ACK mode, entered
 * by the first data and by data after an idle period longer than the RTO
 * (as Linux's tcp_event_data_recv), unless the connection is interactive.
 */
static void
ack_policy_in_order(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t now = (uint32_t)tw->tick, gap = now - c->rcv_data_tick;

	/* The RTO is at least the minimum: most gaps are told apart without reading it (line 4). */
	if (!(c->flags & TF_RCVD_DATA) ||
	    (gap > tw->rtt_lim.min_us / TCP_TICK_US && gap > c->rtt.rto_us / TCP_TICK_US)) {
		c->flags |= TF_RCVD_DATA;
		quickack_incr(tw, c);
	}
	c->rcv_data_tick = now;
	if ((c->quickack > 0 && !(c->flags & TF_PINGPONG)) ||
	    seq_diff(c->rcv_nxt, c->last_ack_sent) >= 2 * (int32_t)c->mss) {
		c->flags |= TF_ACK_NOW;
		return;
	}
	if (!(c->flags & (TF_DELACK | TF_ACK_NOW))) {
		c->flags |= TF_DELACK;
		tcp_timer_arm(tw, c, TCB_T_DELACK, delack_ms(tw, c));
	}
}

void
tcp_process_data(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	if (c->state != TCPS_ESTABLISHED && c->state != TCPS_FIN_WAIT_1 &&
	    c->state != TCPS_FIN_WAIT_2) {
		seg_free_payload(s); /* after the peer's FIN: nothing more can come (§3.10.7.4) */
		return;
	}
	if ((c->flags & (TF_RCV_CLOSED | TF_LINGER)) == (TF_RCV_CLOSED | TF_LINGER) &&
	    s->seq == c->rcv_nxt) {
		/* Lingering close: take it, acknowledge it, drop it. */
		c->rcv_nxt += s->len;
		seg_free_payload(s);
		c->flags |= TF_ACK_NOW;
		return;
	}
	if (c->flags & TF_RCV_CLOSED) {
		/* RFC 1122 §4.2.2.13: data after CLOSE is lost, so the peer hears of it. */
		CNT_INC(tcp_cnt(tw), TcpExtTCPAbortOnData);
		seg_free_payload(s);
		tcp_drop(tw, c, TERN_CLOSE_ABORTED, 1);
		return;
	}
	if (s->seq != c->rcv_nxt) {
		tcp_ooo_insert(tw, c, s);
		c->flags |= TF_ACK_NOW; /* a duplicate ACK at once tells the sender of the hole */
		return;
	}
	tcp_rcv_in_order(tw, c, s);
}

void
tcp_rcv_in_order(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	c->rcv_nxt += s->len;
	c->last_data_tick = (uint32_t)tw->tick;
	tcp_deliver_to_app(c, s->m, s->len);
	s->m = NULL;
	if (c->ooo_head != OOO_NIL) {
		tcp_ooo_pull(tw, c);
		c->flags |= TF_ACK_NOW; /* filled (part of) a hole */
	}
	ack_policy_in_order(tw, c);
	if ((c->flags & TF_FIN_OOO) && c->rcv_nxt == c->rcv_fin_seq) {
		c->flags &= ~TF_FIN_OOO;
		tcp_process_fin(tw, c);
	}
}

/* Eighth step: the FIN, in order. */
void
tcp_process_fin(struct tcp_worker *tw, struct tcb *c)
{
	if (c->flags & TF_PEER_FIN)
		return;
	c->rcv_nxt++;
	c->flags |= TF_PEER_FIN | TF_ACK_NOW;
	tcb_event(c, TCB_EV_PEER_FIN);
	switch (c->state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcp_set_state(tw, c, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		tcp_set_state(tw, c, TCPS_CLOSING); /* our FIN is not acknowledged yet */
		break;
	case TCPS_FIN_WAIT_2:
		tcp_enter_time_wait(tw, c);
		break;
	default:
		break;
	}
}
