/*
 * Connection lifecycle: a TCB from its first SYN to its release, option
 * negotiation, and the delivery of application events once the stack has
 * finished the state change that caused them.
 */
#include "tcp_internal.h"
#include "tcp_limits.h"

void
tcp_conn_init(struct tcp_worker *tw, struct tcb *c)
{
	const struct tern_port *p = &tw->w->ports[c->port];

	c->tw = tw;
	c->cc = tw->cc;
	c->ooo_head = OOO_NIL;
	c->sndbuf = tw->cfg->sndbuf;
	c->rcvbuf = tw->cfg->rcvbuf;
	c->mss_offer = p->mtu - 40;
	c->mss = 536; /* RFC 9293 §3.7.1 default until the peer says */
	c->rcv_wscale = tw->rcv_wscale;
	if (!tw->cfg->nagle)
		c->flags |= TF_NODELAY;
	tcp_isn_and_ts_offset(tw, c);
	tcp_conn_set_iss(c, c->iss);
	tcp_rtt_init(&c->rtt, &tw->rtt_lim);
	c->last_snd_tick = (uint32_t)tw->tick;
	c->last_rcv_tick = c->last_data_tick = (uint32_t)tw->tick;
}

/* ISS and every send-side number that starts there (a SYN cookie replaces the RFC 6528 one). */
void
tcp_conn_set_iss(struct tcb *c, tcp_seq_t iss)
{
	c->iss = iss;
	c->snd_una = c->snd_nxt = c->snd_max = iss;
	c->recover = iss;
	c->ecn_recover = iss;
	c->sb.high_rxt = c->sb.rxt_fence = c->sb.rack_edge = iss;
	c->snd_sml = iss;
}

/* What the peer's SYN offers (RFC 9293 §3.7.1, RFC 7323 §2-3, RFC 2018 §2). */
void
tcp_options_negotiate(struct tcp_worker *tw, struct tcb *c, const struct tcp_opts *o)
{
	const struct tcp_cfg *cfg = tw->cfg;
	uint16_t peer = (o->flags & TCP_OPTF_MSS) ? o->mss : 536;

	c->mss = RTE_MIN(peer, c->mss_offer);
	if (c->mss < 64)
		c->mss = 64; /* a tiny MSS is an attack on our CPU, not a path property */
	if (cfg->window_scaling && (o->flags & TCP_OPTF_WSCALE)) {
		c->flags |= TF_WSCALE;
		c->snd_wscale = o->wscale;
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (cfg->sack && (o->flags & TCP_OPTF_SACK_PERM))
		c->flags |= TF_SACK;
	if (cfg->timestamps && (o->flags & TCP_OPTF_TS)) {
		c->flags |= TF_TS;
		c->ts_recent = o->ts_val;
		c->ts_recent_tick = (uint32_t)tw->tick;
		if (c->mss > 12)
			c->mss -= 12; /* room for the option on every segment (RFC 7323 §2.2 note) */
	}
}

void
tcp_set_state(struct tcp_worker *tw, struct tcb *c, enum tcp_state st)
{
	int was = c->state == TCPS_ESTABLISHED || c->state == TCPS_CLOSE_WAIT;
	int is = st == TCPS_ESTABLISHED || st == TCPS_CLOSE_WAIT;

	/* RFC 4022 tcpCurrEstab: ESTABLISHED or CLOSE-WAIT. */
	if (was && !is)
		tcp_cnt(tw)->TcpCurrEstab--;
	else if (!was && is)
		tcp_cnt(tw)->TcpCurrEstab++;
	if (c->state == TCPS_SYN_RECEIVED && c->listener != NULL) {
		c->listener->syn_recv--;
		if (st == TCPS_ESTABLISHED)
			c->listener = NULL;
	}
	if (c->state == TCPS_TIME_WAIT)
		tcp_tw_unlink(tw, c);
	if (st == TCPS_TIME_WAIT) {
		CNT_INC(tcp_cnt(tw), TcpExtTW);
		tcp_tw_link(tw, c); /* at the tail, also when it enters again */
		tcp_limits_release(tw, c); /* reclaimable: caps count live connections */
		tcp_autotune_lock(tw, c);
	}
	/* Per-state gauges: two adds per state change spare a scrape paging through every TCB. */
	tw->nstate[c->state]--;
	tw->nstate[st]++;
	c->state = st;
}

/* SYN-SENT or SYN-RECEIVED to ESTABLISHED: the window opens and the app hears of it. */
void
tcp_established(struct tcp_worker *tw, struct tcb *c)
{
	struct tcp_listener *l = c->listener;

	tcp_set_state(tw, c, TCPS_ESTABLISHED);
	/* The SYN's window was unscaled: the scaled one needs no ACK of its own, the next segment carries it. */
	if (seq_gt(c->rcv_nxt + tcp_rcv_space(c), c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + tcp_rcv_space(c);
	tcp_timer_cancel(tw, c, TCB_SLOT_RTX);
	c->rtx_count = 0;
	/* RFC 6298 §5.7: after a SYN timeout without an RTT sample, data starts with RTO >= 3 s. */
	if ((c->flags & TF_SYN_TIMEDOUT) && !c->rtt.have_sample) {
		c->rtt.rto_us = RTE_MAX(c->rtt.rto_us, 3000000u);
		c->rtt.backoff = 0;
	}
	c->cc->init(c);
	tcp_autotune_start(tw, c);
	if (c->flags & TF_ECN)
		CNT_INC(tcp_cnt(tw), TcpExtTCPECNNegotiated);
	tcp_keep_restart(tw, c);
	if (l != NULL && l->accept(c, l->ctx, &c->ops, &c->ctx) != 0) {
		c->ops = NULL;
		tcp_drop(tw, c, TERN_CLOSE_ABORTED, 1);
		return;
	}
	c->listener = NULL;
	tcb_event(c, TCB_EV_OPEN);
}

/* The connection ends now: RST when asked, queues freed, app told. Freed at tcb_leave. */
void
tcp_drop(struct tcp_worker *tw, struct tcb *c, enum tern_close_reason why, int send_rst)
{
	if (c->state == TCPS_CLOSED)
		return;
	if (send_rst && c->state >= TCPS_SYN_RECEIVED && c->state != TCPS_TIME_WAIT)
		tcp_send_rst(tw, c);
	for (unsigned i = 0; i < TCB_NSLOTS; i++)
		tcp_timer_cancel(tw, c, i);
	tcp_flow_del(tw, c);
	tcp_set_state(tw, c, TCPS_CLOSED);
	if (c->listener != NULL) /* an embryo never reached the app */
		c->listener = NULL;
	tcp_sndq_purge(c);
	tcp_ooo_purge(tw, c);
	c->close_reason = why;
	tcb_event(c, TCB_EV_CLOSED);
	if (c->busy == 0) {
		tcb_enter(c);
		tcb_leave(tw, c);
	}
}

/* RFC 6191 §2: a SYN may reopen a TIME-WAIT connection when it is provably newer. */
int
tcp_time_wait_reusable(struct tcp_worker *tw, const struct tcb *c, const struct tcp_seg *s)
{
	(void)tw;
	if ((c->flags & TF_TS) && (s->opts.flags & TCP_OPTF_TS))
		return seq_gt(s->opts.ts_val, c->ts_recent);
	return seq_gt(s->seq, c->rcv_nxt);
}

/* Delivers one pending event; returns 0 when none was left. */
static int
deliver_one(struct tcb *c)
{
	const struct tern_conn_ops *ops = (c->flags & TF_APP_CLOSED) ? NULL : c->ops;
	uint8_t ev = c->events;

	if (ev & TCB_EV_OPEN) {
		c->events &= ~TCB_EV_OPEN;
		if (ops && ops->on_open)
			ops->on_open(c, c->ctx);
	} else if (ev & TCB_EV_DATA) {
		struct rte_mbuf *m = c->rcv_deliver;

		c->events &= ~TCB_EV_DATA;
		c->rcv_deliver = NULL;
		if (m != NULL && ops && ops->on_data)
			ops->on_data(c, c->ctx, m);
		else if (m != NULL) {
			c->rcv_unconsumed -= RTE_MIN(c->rcv_unconsumed, rte_pktmbuf_pkt_len(m));
			rte_pktmbuf_free(m);
		}
	} else if (ev & TCB_EV_WRITABLE) {
		c->events &= ~TCB_EV_WRITABLE;
		if (ops && ops->on_writable)
			ops->on_writable(c, c->ctx);
	} else if (ev & TCB_EV_PEER_FIN) {
		c->events &= ~TCB_EV_PEER_FIN;
		if (ops && ops->on_peer_fin)
			ops->on_peer_fin(c, c->ctx);
	} else if (ev & TCB_EV_CLOSED) {
		c->events &= ~TCB_EV_CLOSED;
		c->flags |= TF_APP_CLOSED;
		if (ops && ops->on_closed)
			ops->on_closed(c, c->ctx, c->close_reason);
	} else
		return 0;
	return 1;
}

/* TIME-WAIT and the closed end of LAST-ACK no longer concern the app. */
static void
maybe_app_done(struct tcb *c)
{
	if (c->state == TCPS_TIME_WAIT && !(c->flags & TF_APP_CLOSED) &&
	    !(c->events & TCB_EV_CLOSED)) {
		c->close_reason = TERN_CLOSE_NORMAL;
		tcb_event(c, TCB_EV_CLOSED);
	}
}

void
tcb_leave_api(struct tcp_worker *tw, struct tcb *c)
{
	if (c->busy == 1 && tw->batching && !(c->flags & TF_BATCHED) &&
	    tw->nbatched < TCP_BATCH_MAX) {
		c->flags |= TF_BATCHED; /* stays entered until tcp_batch_flush */
		tw->batched[tw->nbatched++] = c;
		return;
	}
	tcb_leave(tw, c);
}

void
tcp_batch_flush(struct tcp_worker *tw)
{
	tw->batching = 0; /* what the flushed callbacks send goes at once */
	for (unsigned i = 0; i < tw->nbatched; i++) {
		struct tcb *c = tw->batched[i];

		c->flags &= ~TF_BATCHED;
		tcb_leave(tw, c);
	}
	tw->nbatched = 0;
}

void
tcb_leave(struct tcp_worker *tw, struct tcb *c)
{
	if (--c->busy > 0)
		return;
	c->busy = 1;
	/*
	 * Events first, output once after them: what a callback sends carries
	 * the ACK input asked for, instead of a pure ACK going out before it.
	 */
	do
		maybe_app_done(c);
	while (deliver_one(c));
	if (c->state != TCPS_CLOSED)
		tcp_output(tw, c);
	c->busy = 0;
	if (c->state == TCPS_CLOSED) {
		rte_pktmbuf_free(c->rcv_deliver);
		c->rcv_deliver = NULL;
		tcb_free(tw, c);
	}
}
