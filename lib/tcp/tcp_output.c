/*
 * What to send now, derived from state once input has finished (VPP's
 * "program an ACK, send once" idea): new data within min(SND.WND, cwnd),
 * Nagle (RFC 896, RFC 1122 §4.2.3.4) and sender SWS avoidance, limited
 * transmit (RFC 3042), the FIN after the data, pure ACKs and window
 * updates, the persist timer for a zero window (RFC 9293 §3.8.6.1).
 * Segments go out through tcp_send.c.
 */
#include "tcp_internal.h"

/* Bytes queued past SND.NXT. */
static uint32_t
unsent_bytes(const struct tcb *c)
{
	tcp_seq_t data_end = c->snd_una + c->sndq.bytes + (c->snd_una == c->iss ? 1 : 0);

	return seq_gt(data_end, c->snd_nxt) ? (uint32_t)(data_end - c->snd_nxt) : 0;
}

static uint32_t
usable_window(const struct tcb *c)
{
	uint32_t cwnd = c->cwnd, wnd, flight = (uint32_t)(c->snd_nxt - c->snd_una);

	/* RFC 3042: one more segment per duplicate ACK before fast retransmit. */
	if (!(c->flags & TF_IN_RECOVERY) && c->dupacks > 0 && c->dupacks < 3)
		cwnd += c->dupacks * c->mss;
	wnd = RTE_MIN(c->snd_wnd, cwnd);
	return wnd > flight ? wnd - flight : 0;
}

static int
can_send_data(const struct tcb *c)
{
	return c->state == TCPS_ESTABLISHED || c->state == TCPS_CLOSE_WAIT ||
	       c->state == TCPS_FIN_WAIT_1 || c->state == TCPS_CLOSING || c->state == TCPS_LAST_ACK;
}

/* The FIN goes (again) when everything before it is sent. */
static int
fin_due(const struct tcb *c, uint32_t len, uint32_t unsent)
{
	if (!(c->flags & TF_FIN_QUEUED) || len != unsent)
		return 0;
	return !(c->flags & TF_FIN_SENT) || c->snd_nxt + len == c->snd_fin;
}

/*
 * Nagle and sender SWS avoidance for a segment shorter than MSS. Nagle in
 * Minshall's form, as Linux: a short segment waits only while an earlier
 * short one is unacknowledged (RFC 1122 §4.2.3.4 allows either).
 */
static int
small_segment_ok(const struct tcb *c, uint32_t len, uint32_t unsent)
{
	int nagle_on = !(c->flags & TF_NODELAY);

	if (c->flags & TF_FORCE_SMALL)
		return 1;
	if (len == unsent)
		return !nagle_on || !seq_gt(c->snd_sml, c->snd_una);
	/* Window-limited: worth it only for half the largest window seen. */
	return len >= c->max_sndwnd / 2;
}

static void
after_send(struct tcp_worker *tw, struct tcb *c, tcp_seq_t seq, uint32_t len, int fin)
{
	tcp_seq_t end = seq + len + (fin ? 1 : 0);
	int new_data = !seq_lt(seq, c->snd_max); /* RFC 8985 §7.2: new data re-arms the probe */

	if (!new_data) {
		uint32_t segs = len > c->mss ? (len + c->mss - 1) / c->mss : 1; /* a TSO frame's */

		CNT_ADD(tcp_cnt(tw), TcpRetransSegs, segs);
		if (c->flags & TF_AFTER_RTO)
			CNT_ADD(tcp_cnt(tw), TcpExtTCPSlowStartRetrans, segs);
		c->retransmits += segs;
		c->flags &= ~TF_RTT_TIMING; /* Karn: no sample across a retransmission */
	} else if (!(c->flags & (TF_RTT_TIMING | TF_TS)) && len > 0) {
		c->flags |= TF_RTT_TIMING;
		c->rtt_seq = seq;
		c->rtt_start = (uint32_t)tw->tick;
	}
	/*
	 * New data within the delayed-ACK time of the peer's data is a reply:
	 * the connection is interactive, and its ACKs wait for the replies
	 * (Linux's pingpong mode, tcp_event_data_sent).
	 */
	if (new_data && len > 0 && (c->flags & TF_RCVD_DATA) &&
	    (uint32_t)tw->tick - c->rcv_data_tick < tw->cfg->delack_ms * 1000u / TCP_TICK_US)
		c->flags |= TF_PINGPONG;
	if (len > 0 && len < c->mss)
		c->snd_sml = seq + len;
	if (fin && !(c->flags & TF_FIN_SENT)) {
		c->flags |= TF_FIN_SENT;
		c->snd_fin = seq + len;
		tcp_set_state(tw, c, c->state == TCPS_CLOSE_WAIT ? TCPS_LAST_ACK : TCPS_FIN_WAIT_1);
	}
	c->snd_nxt = end;
	if (seq_gt(end, c->snd_max))
		c->snd_max = end;
	/* RFC 8985 §7.2: a probe timeout restarts with each new transmission. */
	if (!tcb_slot_armed(c, TCB_SLOT_RTX) || (c->flags & TF_ZERO_WINDOW) ||
	    tcb_timer_armed(c, TCB_T_TLP)) {
		if (c->flags & TF_ZERO_WINDOW) {
			c->rtt.backoff = 0; /* the window reopened: probing is over (as Linux) */
			c->rtx_count = 0;
		}
		c->flags &= ~TF_ZERO_WINDOW;
		tcp_rtx_arm(tw, c);
	} else if (new_data && !(c->flags & TF_IN_RECOVERY))
		tcp_rtx_arm_probe(tw, c);
}

/* Bytes from SND.NXT to the next SACKed range (or SND.MAX). */
static uint32_t
sack_gap(const struct tcb *c)
{
	tcp_seq_t end = c->snd_max;

	for (unsigned i = 0; i < c->sb.n; i++)
		if (seq_gt(c->sb.r[i].start, c->snd_nxt)) {
			end = seq_min(end, c->sb.r[i].start);
			break;
		}
	return (uint32_t)(end - c->snd_nxt);
}

/* IPv4 total length 65 535 less the IPv4 header and the largest TCP header. */
#define TSO_FRAME_MAX (65535u - 20u - 60u)
/* The smallest segment size NICs cut to (Intel's 710 series: 256; a smaller MSS goes unsegmented). */
#define TSO_MSS_MIN 256u

/*
 * Bytes one frame may carry: a segment, or with TSO as many whole
 * segments as fit in 64 KiB and in the NIC's mbuf limits. Not while a
 * segment would need SACK blocks (cur_mss below mss: the NIC copies one
 * header to all) or CWR (RFC 3168 §6.1.2: on one segment only), nor for
 * an MSS below what NICs cut to (a peer may announce 88 bytes).
 */
static uint32_t
frame_len(struct tcp_worker *tw, struct tcb *c, uint32_t len, uint32_t cur_mss)
{
	const struct tern_port *p = &tw->w->ports[c->port];

	if (len <= cur_mss || !p->tx_tso || cur_mss != c->mss || c->mss < TSO_MSS_MIN ||
	    (c->flags & TF_ECN_CWR))
		return RTE_MIN(len, cur_mss);
	/* Resent data after an RTO never shares a frame with new data: one is timed, one is not. */
	if (seq_lt(c->snd_nxt, c->snd_max)) {
		if ((uint32_t)(c->snd_max - c->snd_nxt) <= cur_mss)
			return RTE_MIN(len, cur_mss); /* one segment across SND.MAX, as without TSO */
		len = RTE_MIN(len, (uint32_t)(c->snd_max - c->snd_nxt));
	}
	len = RTE_MIN(len, TSO_FRAME_MAX / c->mss * c->mss);
	len -= len % c->mss; /* whole segments; the rest goes on its own, through Nagle and SWS */
	return tcp_sndq_tso_len(c, c->snd_nxt, len, c->mss, p->tx_max_segs, p->tx_mtu_segs);
}

/* Sends segments while window, Nagle and SWS allow; returns how many frames. */
static unsigned
send_data(struct tcp_worker *tw, struct tcb *c)
{
	unsigned sent = 0;

	while (can_send_data(c)) {
		uint32_t unsent, len, cur_mss = tcp_cur_mss(tw, c);

		/* After an RTO, what the peer SACKed is not sent again (RFC 6675 §5.1). */
		if (c->sb.n > 0 && seq_lt(c->snd_nxt, c->snd_max))
			c->snd_nxt = seq_min(sb_skip_sacked(&c->sb, c->snd_nxt), c->snd_max);
		unsent = unsent_bytes(c);
		len = RTE_MIN(unsent, usable_window(c));
		if (c->sb.n > 0 && seq_lt(c->snd_nxt, c->snd_max))
			len = RTE_MIN(len, sack_gap(c));
		len = frame_len(tw, c, len, cur_mss);
		int fin = fin_due(c, len, unsent);
		uint8_t flags = TCP_F_ACK;

		if (len == 0 && !fin)
			break;
		/* Nagle and SWS avoidance are about new data (RFC 1122 §4.2.3.4): a resent hole goes. */
		if (len > 0 && len < cur_mss && !fin && !seq_lt(c->snd_nxt, c->snd_max) &&
		    !small_segment_ok(c, len, unsent))
			break;
		if (fin)
			flags |= TCP_F_FIN;
		if (len > 0 && len == unsent)
			flags |= TCP_F_PSH;
		if (tcp_send_segment(tw, c, c->snd_nxt, len, flags) != 0)
			break;
		after_send(tw, c, c->snd_nxt, len, fin);
		sent++;
		if (fin)
			break;
	}
	return sent;
}

/*
 * Data waits with nothing in flight: on a zero window (RFC 9293 §3.8.6.1,
 * probes) or held by sender SWS avoidance on a small one (RFC 1122
 * §4.2.3.4, the override timeout). The persist timer covers both.
 */
static void
maybe_persist(struct tcp_worker *tw, struct tcb *c)
{
	if (unsent_bytes(c) > 0 && c->snd_nxt == c->snd_una && can_send_data(c) &&
	    !tcb_slot_armed(c, TCB_SLOT_RTX)) {
		c->flags |= TF_ZERO_WINDOW;
		tcp_rtx_arm(tw, c);
	}
}

/* RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window. */
static void
idle_restart(struct tcp_worker *tw, struct tcb *c)
{
	uint64_t idle_ticks = (uint32_t)((uint32_t)tw->tick - c->last_snd_tick);

	if (c->snd_nxt == c->snd_una && c->cwnd > 0 &&
	    idle_ticks * TCP_TICK_US > tcp_rtt_current_rto(&c->rtt, &tw->rtt_lim))
		c->cc->on_idle_restart(c);
}

/*
 * Would a window update be worth an ACK of its own? RFC 1122 §4.2.3.3
 * leaves the threshold open; like Linux, only when the window at least
 * doubles and the current one is at most half of what could be offered.
 */
static int
window_update_due(const struct tcb *c)
{
	uint32_t now = seq_gt(c->rcv_adv, c->rcv_nxt) ? (uint32_t)(c->rcv_adv - c->rcv_nxt) : 0;
	uint32_t room = RTE_MIN(c->rcvbuf, 65535u << c->rcv_wscale), next;

	if (2 * (uint64_t)now > room)
		return 0; /* the usual case after input: the window offered is still wide open */
	next = tcp_rcv_space(c);
	return next >= 2 * (uint64_t)now && next - now >= RTE_MIN(c->rcvbuf / 2, (uint32_t)c->mss);
}

void
tcp_output(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t unsent;
	unsigned sent;

	if (c->state < TCPS_SYN_RECEIVED || c->state == TCPS_TIME_WAIT) {
		if (c->state == TCPS_TIME_WAIT && (c->flags & TF_ACK_NOW))
			tcp_send_ack(tw, c);
		return;
	}
	if (c->state == TCPS_SYN_RECEIVED) {
		if (c->flags & TF_ACK_NOW) {
			c->flags &= ~TF_ACK_NOW;
			tcp_send_ack(tw, c);
		}
		return;
	}
	unsent = unsent_bytes(c);
	/* The common case after input: nothing queued, no ACK owed, no recovery, no FIN to send. */
	if (unsent == 0 && !(c->flags & (TF_ACK_NOW | TF_FIN_QUEUED | TF_IN_RECOVERY))) {
		c->flags &= ~TF_FORCE_SMALL;
		if (window_update_due(c))
			tcp_send_ack(tw, c);
		return;
	}
	if (unsent > 0)
		idle_restart(tw, c);
	sent = (c->flags & TF_IN_RECOVERY) && (c->flags & TF_SACK) ?
	       tcp_recovery_send(tw, c, unsent) : send_data(tw, c);
	c->flags &= ~TF_FORCE_SMALL;
	if (sent == 0 && ((c->flags & TF_ACK_NOW) || window_update_due(c)))
		tcp_send_ack(tw, c);
	maybe_persist(tw, c);
}

/* One segment at SND.UNA (fast retransmit, NewReno partial ACKs); returns its payload bytes. */
uint32_t
tcp_retransmit_first(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t len = RTE_MIN(c->sndq.bytes, tcp_cur_mss(tw, c));
	uint8_t flags = TCP_F_ACK;
	int fin = (c->flags & TF_FIN_SENT) && c->snd_una + len == c->snd_fin;

	if (len == 0 && !fin)
		return 0;
	if (fin)
		flags |= TCP_F_FIN;
	if (tcp_send_segment(tw, c, c->snd_una, len, flags) != 0)
		return 0;
	CNT_INC(tcp_cnt(tw), TcpRetransSegs);
	c->retransmits++;
	c->rexmits_episode++;
	c->flags &= ~TF_RTT_TIMING;
	return len;
}
