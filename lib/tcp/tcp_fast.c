/*
 * Header prediction (Jacobson's 4.3BSD fast path): on an ESTABLISHED
 * connection with nothing unusual under way, the two segments a busy
 * connection mostly receives take a short path that does exactly what
 * the steps of RFC 9293 §3.10.7.4 would do for them:
 *   - in-order data in the window that acknowledges nothing new;
 *   - a pure ACK that moves SND.UNA within what was sent.
 * Both with the peer's window unchanged. Anything else goes the full way.
 */
#include "tcp_internal.h"

/*
 * States the general steps handle: recovery and its aftermath, a zero
 * window, a closed or lingering receive side, a FIN held out of order.
 */
#define FAST_BLOCKERS (TF_IN_RECOVERY | TF_ZERO_WINDOW | TF_RTO_CHECK | TF_AFTER_RTO | \
		       TF_RCV_CLOSED | TF_FIN_OOO)

static inline int
fast_eligible(const struct tcb *c, const struct tcp_seg *s)
{
	if (c->state != TCPS_ESTABLISHED || (c->flags & FAST_BLOCKERS) || c->dupacks != 0 ||
	    c->sb.n != 0)
		return 0;
	/* ECE, CWR and CE marks too: ECN's rules (tcp_ecn.c) are the general path's. */
	if (s->ecn == TCP_ECN_CE || (s->flags & (TCP_F_SYN | TCP_F_FIN | TCP_F_RST | TCP_F_URG | TCP_F_ACK | TCP_F_ECE |
			 TCP_F_CWR)) != TCP_F_ACK ||
	    s->seq != c->rcv_nxt || (s->opts.flags & TCP_OPTF_SACK) ||
	    ((uint32_t)s->wnd << c->snd_wscale) != c->snd_wnd)
		return 0;
	/* RFC 7323 §5.3: PAWS must pass; a timestamp-less segment takes the full path. */
	if ((c->flags & TF_TS) &&
	    (!(s->opts.flags & TCP_OPTF_TS) || seq_lt(s->opts.ts_val, c->ts_recent)))
		return 0;
	return 1;
}

/*
 * The two shapes: in-order data in the window that acknowledges nothing
 * (not a duplicate ACK since it has data, RFC 5681 §2, and no recovery
 * state to move: no duplicates counted, no scoreboard), or a pure ACK of
 * new data within what was sent.
 */
static inline int
fast_shape(struct tcp_worker *tw, const struct tcb *c, const struct tcp_seg *s)
{
	if (s->len > 0)
		return s->ack == c->snd_una && c->ooo_head == OOO_NIL &&
		       s->len <= tcp_rcv_window(tw, c);
	return seq_gt(s->ack, c->snd_una) && !seq_gt(s->ack, c->snd_max);
}

int
tcp_fast_input(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	if (!fast_eligible(c, s) || !fast_shape(tw, c, s))
		return 0;
	/* Both shapes acknowledge within [SND.UNA, SND.MAX]: acceptable (RFC 5961 §5.2), TS.Recent may move. */
	tcp_ts_recent_update(c, s, tw->tick);
	c->last_rcv_tick = (uint32_t)tw->tick;
	if (s->len == 0) {
		/* The fifth step in full (RTT, queue, CC, window); nothing else applies. */
		tcp_process_ack(tw, c, s);
		return 1;
	}
	/*
	 * Of the fifth step only the window rule applies, and the window is
	 * unchanged: only WL1/WL2 move. Then the seventh step, whose checks
	 * (state, closed receive side, order) fast_eligible already made.
	 */
	if (tcp_window_update_ok(c, s)) {
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
	}
	tcp_rcv_in_order(tw, c, s);
	return 1;
}
