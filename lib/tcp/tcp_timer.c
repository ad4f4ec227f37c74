/*
 * Connection timers on the worker's wheel (enum tcb_timer): retransmission
 * (RFC 6298 §5), SYN and SYN,ACK retries, persist: zero-window probes
 * (RFC 9293 §3.8.6.1) and the SWS override (RFC 1122 §4.2.3.4), tail loss
 * probe and reordering window (RFC 8985 §7, §6.3), delayed ACK
 * (RFC 1122 §4.2.3.2), keepalive (RFC 1122 §4.2.3.6), FIN-WAIT-2 and
 * TIME-WAIT (RFC 9293 §3.6). Expiry dispatches on the kind armed.
 */
#include "tcp_internal.h"

static uint64_t
ms_to_ticks(uint64_t ms)
{
	return ms * 1000 / TCP_TICK_US;
}

void
tcp_timer_arm(struct tcp_worker *tw, struct tcb *c, enum tcb_timer kind, uint64_t ms)
{
	struct wheel_timer *t = &c->timers[tcb_timer_slot(kind)];

	t->tag = kind;
	wheel_arm(&tw->wheel, t, tw->tick + RTE_MAX(ms_to_ticks(ms), (uint64_t)1));
}

void
tcp_timer_cancel(struct tcp_worker *tw, struct tcb *c, enum tcb_timer_slot slot)
{
	wheel_cancel(&tw->wheel, &c->timers[slot]);
}

/* Arms the RTX slot for the RTO, or for the probe when pto_us is not 0. */
static void
rtx_arm(struct tcp_worker *tw, struct tcb *c, uint32_t rto_us, uint32_t pto_us)
{
	struct wheel_timer *t = &c->timers[TCB_SLOT_RTX];
	enum tcb_timer kind = (c->flags & TF_ZERO_WINDOW) ? TCB_T_PERSIST : TCB_T_RTO;
	uint64_t expire;

	if (pto_us != 0) {
		kind = TCB_T_TLP;
		rto_us = pto_us;
	}
	expire = tw->tick + RTE_MAX((uint64_t)rto_us / TCP_TICK_US, (uint64_t)1);
	/* RFC 8985 §6.3: a pending reordering window comes first (reo_tick is stale without SACKed data). */
	if (c->sb.n > 0 && c->reo_tick != 0) {
		int32_t in = (int32_t)(c->reo_tick - (uint32_t)tw->tick);
		uint64_t reo = tw->tick + (uint64_t)RTE_MAX(in, 1);

		if (reo < expire) {
			expire = reo;
			kind = TCB_T_REORDER;
		}
	}
	/*
	 * Lazy re-arm: nearly every ACK moves the deadline later, and re-filing
	 * the timer would write the list neighbours (other connections' cache
	 * lines) each time. A later deadline and its kind are only noted; the
	 * timer stays filed, and tcp_timer_expired files it again if it comes
	 * too early.
	 */
	c->rtx_deadline = expire;
	t->tag = kind;
	if (wheel_armed(t) && t->expire <= expire)
		return;
	wheel_arm(&tw->wheel, t, expire);
}

void
tcp_rtx_arm(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t rto_us = tcp_rtt_current_rto(&c->rtt, &tw->rtt_lim);

	rtx_arm(tw, c, rto_us, tcp_tlp_timeout(tw, c, rto_us)); /* no probe in recovery or persist mode */
}

void
tcp_rtx_arm_probe(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t rto_us = tcp_rtt_current_rto(&c->rtt, &tw->rtt_lim);
	uint32_t pto_us = tcp_tlp_timeout(tw, c, rto_us);

	if (pto_us != 0)
		rtx_arm(tw, c, rto_us, pto_us);
}

void
tcp_enter_time_wait(struct tcp_worker *tw, struct tcb *c)
{
	tcp_set_state(tw, c, TCPS_TIME_WAIT);
	tcp_timer_cancel(tw, c, TCB_SLOT_RTX);
	tcp_timer_cancel(tw, c, TCB_SLOT_DELACK);
	tcp_timer_arm(tw, c, TCB_T_TIME_WAIT, 2ull * tw->cfg->msl_ms);
}

/*
 * The persist timer: a zero window gets a probe of one byte of new data
 * (RFC 9293 §3.8.6.1), counted as sent so the peer's ACK of it is
 * acceptable; a small window that sender SWS avoidance left unused gets
 * what it allows (RFC 1122 §4.2.3.4, the override timeout).
 */
static void
persist_probe(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t len = RTE_MIN(c->sndq.bytes, 1u);

	if (c->snd_wnd > 0) {
		c->flags &= ~TF_ZERO_WINDOW;
		c->flags |= TF_FORCE_SMALL; /* tcp_output, when the handler leaves the TCB */
		c->rtx_count = 0;
		return;
	}
	/*
	 * RFC 6429: an orphan (the application closed it) may be given up
	 * although its probes are answered, as Linux's tcp_orphan_retries: its
	 * resources serve nobody while the peer keeps the window shut.
	 */
	if ((c->flags & TF_RCV_CLOSED) && ++c->rtx_count > tw->cfg->orphan_probes) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPAbortOnOrphanProbes);
		tcp_drop(tw, c, TERN_CLOSE_TIMEOUT, 1);
		return;
	}
	CNT_INC(tcp_cnt(tw), TcpExtTCPWinProbe);
	if (len > 0 && tcp_send_segment(tw, c, c->snd_una, len, TCP_F_ACK) == 0) {
		c->snd_nxt = seq_max(c->snd_nxt, c->snd_una + len);
		c->snd_max = seq_max(c->snd_max, c->snd_nxt);
	}
	tcp_rtt_backoff(&c->rtt);
	c->flags |= TF_ZERO_WINDOW;
	tcp_rtx_arm(tw, c); /* answered probes go on without limit, an orphan's orphan_probes times */
}

static void
rto_handshake(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t limit = c->state == TCPS_SYN_SENT ? tw->cfg->syn_retries : tw->cfg->synack_retries;

	/*
	 * An embryo whose SYN,ACK never left, its peer silent to ARP for a
	 * whole RTO (a spoofed source), gives its backlog slot back now rather
	 * than after the retry schedule (RFC 4987 §3.3, a shorter SYN-RECEIVED timer).
	 */
	if (c->state == TCPS_SYN_RECEIVED && (c->flags & TF_PASSIVE) &&
	    !net_neighbour_known(tw->net, c->port, c->raddr)) {
		CNT_INC(tcp_cnt(tw), TcpExtSynAckUnresolved);
		tcp_drop(tw, c, TERN_CLOSE_TIMEOUT, 0);
		return;
	}
	if (++c->rtx_count > limit) {
		if (c->state == TCPS_SYN_SENT)
			CNT_INC(tcp_cnt(tw), TcpAttemptFails);
		tcp_drop(tw, c, TERN_CLOSE_TIMEOUT, 0);
		return;
	}
	tcp_rtt_backoff(&c->rtt);
	c->flags |= TF_SYN_TIMEDOUT;
	c->snd_nxt = c->iss;
	CNT_INC(tcp_cnt(tw), TcpRetransSegs);
	tcp_timer_cancel(tw, c, TCB_SLOT_RTX);
	tcp_send_syn(tw, c);
}

/* RFC 6298 §5.4-5.6 and RFC 5681 §3.1: back off, shrink cwnd, go back to SND.UNA. */
static void
rto_data(struct tcp_worker *tw, struct tcb *c)
{
	if (++c->rtx_count > tw->cfg->retries) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPAbortOnTimeout);
		tcp_drop(tw, c, TERN_CLOSE_TIMEOUT, 1);
		return;
	}
	CNT_INC(tcp_cnt(tw), TcpExtTCPTimeouts);
	tcp_recovery_on_rto(tw, c);
	tcp_rtt_backoff(&c->rtt);
	tcp_rtx_arm(tw, c);
	/* tcp_output, run when the timer handler leaves the TCB, resends from SND.UNA. */
}

static void
rto_expired(struct tcp_worker *tw, struct tcb *c)
{
	if (c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECEIVED)
		rto_handshake(tw, c);
	else if (c->snd_wnd == 0)
		persist_probe(tw, c); /* a closed window is not a reason to give up */
	else if (c->snd_una != c->snd_max)
		rto_data(tw, c);
}

/*
 * [tcp] idle_timeout_ms: ms left before c has gone that long without
 * data either way (UINT32_MAX: no timeout, 0: it is due).
 */
static uint32_t
idle_left_ms(const struct tcp_worker *tw, const struct tcb *c)
{
	uint32_t limit = tw->cfg->idle_timeout_ms;
	uint32_t idle_ms = ((uint32_t)tw->tick - c->last_data_tick) * (TCP_TICK_US / 1000);

	if (limit == 0)
		return UINT32_MAX;
	return idle_ms >= limit ? 0 : limit - idle_ms;
}

/* The keepalive slot's timer in a state it watches: keepalive, the idle timeout, or both. */
static int
keep_slot_watches(const struct tcb *c)
{
	return c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT_2 ||
	       c->state == TCPS_CLOSE_WAIT;
}

/* The keepalive slot again in ms, or sooner when the idle timeout falls first. */
static void
keep_arm(struct tcp_worker *tw, struct tcb *c, uint32_t ms)
{
	ms = RTE_MIN(ms, idle_left_ms(tw, c));
	if (ms != UINT32_MAX)
		tcp_timer_arm(tw, c, TCB_T_KEEPALIVE, RTE_MAX(ms, 1u));
}

void
tcp_keep_restart(struct tcp_worker *tw, struct tcb *c)
{
	if (c->state == TCPS_ESTABLISHED)
		keep_arm(tw, c, tw->cfg->keepalive ? tw->cfg->keepalive_idle_ms : UINT32_MAX);
}

/*
 * RFC 1122 §4.2.3.6 on a connection the application still holds: also
 * when half-closed either way (FIN-WAIT-2 after tern_shutdown, CLOSE-WAIT),
 * since data may still flow one way, as Linux does. An orphan in
 * FIN-WAIT-2 has the FIN-WAIT-2 timer in this slot instead. The idle
 * timeout is checked first: keepalive answers are not data.
 */
static void
keepalive_expired(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t idle_rcv;

	if (!keep_slot_watches(c))
		return;
	if (idle_left_ms(tw, c) == 0) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPAbortOnIdle);
		tcp_drop(tw, c, TERN_CLOSE_TIMEOUT, 1);
		return;
	}
	if (!tw->cfg->keepalive) {
		keep_arm(tw, c, UINT32_MAX);
		return;
	}
	idle_rcv = (uint32_t)tw->tick - c->last_rcv_tick;
	if (idle_rcv < ms_to_ticks(tw->cfg->keepalive_idle_ms)) {
		keep_arm(tw, c, tw->cfg->keepalive_idle_ms - idle_rcv * TCP_TICK_US / 1000);
		c->keep_probes = 0;
		return;
	}
	if (++c->keep_probes > tw->cfg->keepalive_probes) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPAbortOnKeepalive);
		tcp_drop(tw, c, TERN_CLOSE_TIMEOUT, 1);
		return;
	}
	/* RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1 draws an ACK from a live peer. */
	tcp_send_segment(tw, c, c->snd_una - 1, 0, TCP_F_ACK);
	keep_arm(tw, c, tw->cfg->keepalive_interval_ms);
}

void
tcp_timer_expired(struct timer_wheel *wheel, struct wheel_timer *t, void *ctx)
{
	struct tcp_worker *tw = ctx;
	enum tcb_timer kind = t->tag;
	enum tcb_timer_slot slot = tcb_timer_slot(kind);
	struct tcb *c = (struct tcb *)((char *)(t - slot) - offsetof(struct tcb, timers));

	if (slot == TCB_SLOT_RTX && c->rtx_deadline > tw->tick) {
		wheel_arm(wheel, t, c->rtx_deadline); /* moved later since it was filed */
		return;
	}
	tcb_enter(c);
	switch (kind) {
	case TCB_T_RTO:
		rto_expired(tw, c);
		break;
	case TCB_T_PERSIST:
		persist_probe(tw, c);
		break;
	case TCB_T_TLP:
		tcp_tlp_fire(tw, c);
		break;
	case TCB_T_REORDER:
		tcp_recovery_reo_timeout(tw, c);
		break;
	case TCB_T_DELACK:
		if (c->flags & TF_DELACK) {
			CNT_INC(tcp_cnt(tw), TcpExtDelayedACKs);
			/* No reply took the ACK along: not interactive after all (as Linux). */
			c->flags = (c->flags | TF_ACK_NOW) & ~TF_PINGPONG;
		}
		break;
	case TCB_T_KEEPALIVE:
		keepalive_expired(tw, c);
		break;
	case TCB_T_FIN_WAIT2:
	case TCB_T_TIME_WAIT:
		tcp_drop(tw, c, TERN_CLOSE_NORMAL, 0);
		break;
	case TCB_T_NKINDS:
		break;
	}
	tcb_leave(tw, c);
}
