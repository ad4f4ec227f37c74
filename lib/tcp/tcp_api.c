/*
 * The application interface of tcp.h. Calls that queue, consume or close
 * are TCB entry points: output and events follow them.
 */
#include <string.h>

#include <rte_errno.h>

#include "core/steer.h"
#include "tcp_internal.h"
#include "tcp_limits.h"

static const char *const reason_names[] = {
	[TERN_CLOSE_NORMAL] = "normal", [TERN_CLOSE_RESET] = "reset",
	[TERN_CLOSE_REFUSED] = "refused", [TERN_CLOSE_TIMEOUT] = "timeout",
	[TERN_CLOSE_ABORTED] = "aborted",
};

const char *
tern_close_reason_name(enum tern_close_reason r)
{
	return (unsigned)r < RTE_DIM(reason_names) ? reason_names[r] : "?";
}

/* The listener exactly on addr:port (addr 0: the one on every address), or NULL. */
static struct tcp_listener *
listener_exact(struct tcp_worker *tw, rte_be32_t addr, uint16_t port)
{
	struct tcp_listener *l = tcp_listener_find(tw, addr, port);

	return l != NULL && l->addr == addr ? l : NULL;
}

int
tern_listen_on(struct tcp_worker *tw, rte_be32_t addr, uint16_t port, tern_accept_fn accept,
	       void *listen_ctx)
{
	struct tcp_listener *free_slot = NULL;

	if (port == 0 || accept == NULL)
		return -EINVAL;
	if (listener_exact(tw, addr, port) != NULL)
		return -EADDRINUSE;
	for (unsigned i = 0; i < TCP_MAX_LISTENERS && free_slot == NULL; i++)
		if (!tw->listeners[i].used)
			free_slot = &tw->listeners[i];
	if (free_slot == NULL)
		return -ENOSPC;
	*free_slot = (struct tcp_listener){ .used = 1, .addr = addr, .port = port, .accept = accept,
					    .ctx = listen_ctx };
	tw->listeners_by_port[port & 0xff] |= 1ull << (free_slot - tw->listeners);
	return 0;
}

int
tern_listen(struct tcp_worker *tw, uint16_t port, tern_accept_fn accept, void *listen_ctx)
{
	return tern_listen_on(tw, 0, port, accept, listen_ctx);
}

int
tern_unlisten_on(struct tcp_worker *tw, rte_be32_t addr, uint16_t port)
{
	struct tcp_listener *l = port ? listener_exact(tw, addr, port) : NULL;

	if (l == NULL)
		return -ENOENT;
	for (uint32_t i = 0; i < tw->ntcbs; i++) {
		struct tcb *c = &tw->tcbs[i];

		if (!(c->flags & TF_FREED) && c->listener == l)
			tcp_drop(tw, c, TERN_CLOSE_ABORTED, 1);
	}
	tcp_limits_forget_listener(tw, l);
	tw->listeners_by_port[port & 0xff] &= ~(1ull << (l - tw->listeners));
	*l = (struct tcp_listener){ 0 };
	return 0;
}

int
tern_unlisten(struct tcp_worker *tw, uint16_t port)
{
	return tern_unlisten_on(tw, 0, port);
}

int
tern_listen_set_cc(struct tcp_worker *tw, uint16_t port, const char *cc)
{
	struct tcp_listener *l = listener_exact(tw, 0, port);
	const struct tcp_cc_ops *ops = tcp_cc_find(cc);

	if (l == NULL)
		return -ENOENT;
	if (ops == NULL)
		return -EINVAL;
	l->cc = ops;
	return 0;
}

/* The port dst is reached from, and our address there (o->src if it is one of the port's). */
static int
connect_route(struct tcp_worker *tw, rte_be32_t dst, const struct tern_connect_opts *o,
	      rte_be32_t *src)
{
	int p = net_route(tw->net, dst);

	if (p < 0)
		return -ENETUNREACH;
	*src = o != NULL && o->src != 0 ? o->src : tw->w->ports[p].addr;
	if (!net_is_local(tw->net, (uint16_t)p, *src))
		return -EADDRNOTAVAIL;
	return p;
}

struct tcb *
tern_connect(struct tcp_worker *tw, rte_be32_t dst, uint16_t port,
	     const struct tern_conn_ops *ops, void *ctx)
{
	return tern_connect_ex(tw, dst, port, NULL, ops, ctx);
}

struct tcb *
tern_connect_ex(struct tcp_worker *tw, rte_be32_t dst, uint16_t port,
		const struct tern_connect_opts *o, const struct tern_conn_ops *ops, void *ctx)
{
	rte_be32_t src;
	int p = connect_route(tw, dst, o, &src), rc;
	struct tcb *c;

	if (p < 0) {
		rte_errno = -p;
		return NULL;
	}
	if ((c = tcb_alloc(tw)) == NULL) {
		rte_errno = ENOBUFS;
		return NULL;
	}
	c->port = p;
	c->laddr = src;
	c->raddr = dst;
	c->rport = rte_cpu_to_be_16(port);
	rc = tcp_pick_source_port(tw, &tw->w->ports[p], src, dst, c->rport,
				  o != NULL ? o->sport_lo : 0, o != NULL ? o->sport_hi : 0, &c->lport);
	if (rc != 0 || tcp_flow_add(tw, c) < 0) {
		tcb_free(tw, c);
		rte_errno = rc != 0 ? -rc : EADDRNOTAVAIL;
		return NULL;
	}
	tcb_enter(c);
	tcp_conn_init(tw, c);
	c->ops = ops;
	c->ctx = ctx;
	tcp_set_state(tw, c, TCPS_SYN_SENT);
	CNT_INC(tcp_cnt(tw), TcpActiveOpens);
	tcp_send_syn(tw, c);
	tcb_leave(tw, c);
	return c;
}

void
tern_consumed(struct tcb *c, uint32_t n)
{
	struct tcp_worker *tw = tcp_worker_of(c);

	c->rcv_unconsumed -= RTE_MIN(n, c->rcv_unconsumed);
	tcb_enter(c);
	tcp_autotune_rcv(tw, c);
	tcb_leave_api(tw, c); /* output decides whether the update is worth an ACK */
}

void
tern_shutdown(struct tcb *c)
{
	if (c->state == TCPS_CLOSED || (c->flags & TF_FIN_QUEUED))
		return;
	tcb_enter(c);
	if (c->state == TCPS_SYN_SENT)
		tcp_drop(tcp_worker_of(c), c, TERN_CLOSE_ABORTED, 0);
	else
		c->flags |= TF_FIN_QUEUED;
	tcb_leave_api(tcp_worker_of(c), c);
}

void
tern_close(struct tcb *c)
{
	struct tcp_worker *tw = tcp_worker_of(c);

	if (c->state == TCPS_CLOSED)
		return;
	tcb_enter(c);
	c->flags |= TF_RCV_CLOSED;
	if (c->rcv_unconsumed > 0 || c->rcv_deliver != NULL) {
		/* RFC 1122 §4.2.2.13: closing with unread data resets. */
		CNT_INC(tcp_cnt(tw), TcpExtTCPAbortOnClose);
		tcp_drop(tw, c, TERN_CLOSE_ABORTED, 1);
	} else if (c->state == TCPS_SYN_SENT)
		tcp_drop(tw, c, TERN_CLOSE_ABORTED, 0);
	else {
		c->flags |= TF_FIN_QUEUED;
		if (c->state == TCPS_FIN_WAIT_2)
			tcp_timer_arm(tw, c, TCB_T_FIN_WAIT2, tw->cfg->fin_wait2_ms);
	}
	tcb_leave(tw, c);
}

void
tern_close_lingering(struct tcb *c)
{
	struct tcp_worker *tw = tcp_worker_of(c);

	if (c->state == TCPS_CLOSED)
		return;
	tcb_enter(c);
	c->flags |= TF_LINGER;
	c->rcv_unconsumed = 0; /* what the app holds is given up, not reset */
	tcb_leave(tw, c);
	tern_close(c);
}

void
tern_abort(struct tcb *c)
{
	struct tcp_worker *tw = tcp_worker_of(c);

	if (c->state == TCPS_CLOSED)
		return;
	tcb_enter(c);
	tcp_drop(tw, c, TERN_CLOSE_ABORTED, 1);
	tcb_leave(tw, c);
}

void
tern_set_ctx(struct tcb *c, void *ctx)
{
	c->ctx = ctx;
}

uint64_t
tern_now(const struct tcp_worker *tw)
{
	return tw->w->now;
}

uint32_t
tern_conn_id(const struct tcb *c)
{
	return c->idx;
}

uint32_t
tern_unconsumed(const struct tcb *c)
{
	return c->rcv_unconsumed;
}

void
tern_conn_info(const struct tcb *c, struct tern_tcp_info *info)
{
	const struct tcp_worker *tw = c->tw;
	tcp_seq_t edge = sb_lost_edge(&c->sb, c->snd_una, c->mss);
	uint32_t flight = tcp_flight(c);

	memset(info, 0, sizeof(*info));
	info->state = c->state;
	info->in_recovery = !!(c->flags & TF_IN_RECOVERY);
	info->mss = c->mss;
	info->cwnd = c->cwnd;
	info->ssthresh = c->ssthresh;
	info->srtt_us = c->rtt.srtt_us;
	info->rttvar_us = c->rtt.rttvar_us;
	info->rto_us = tcp_rtt_current_rto(&c->rtt, &tw->rtt_lim);
	info->snd_wnd = c->snd_wnd;
	info->rcv_wnd = tcp_rcv_window(tw, c);
	info->flight = flight;
	info->sacked = sb_sacked_bytes(&c->sb);
	info->lost = sb_unsacked(&c->sb, c->snd_una, edge); /* below the IsLost edge (RFC 6675 §4) */
	info->retransmits = c->retransmits;
	info->unsent = c->sndq.bytes > flight ? c->sndq.bytes - flight : 0;
	info->unconsumed = c->rcv_unconsumed;
	info->snd_wscale = (c->flags & TF_WSCALE) ? c->snd_wscale : 0xff;
	info->rcv_wscale = (c->flags & TF_WSCALE) ? c->rcv_wscale : 0xff;
	if (tcb_synchronized(c)) { /* the SYNs took a sequence number each */
		info->bytes_acked = c->snd_una - c->iss - 1;
		info->bytes_received = c->rcv_nxt - c->irs - 1;
		/* ... and so did the FINs */
		if ((c->flags & TF_FIN_SENT) && seq_gt(c->snd_una, c->snd_fin))
			info->bytes_acked--;
		if (c->flags & TF_PEER_FIN)
			info->bytes_received--;
	}
	info->cc = c->cc ? c->cc->name : "?";
}

const char *
tern_tcp_state_ss(uint8_t state)
{
	static const char *const names[TCPS_NSTATES] = {
		[TCPS_CLOSED] = "UNCONN", [TCPS_LISTEN] = "LISTEN", [TCPS_SYN_SENT] = "SYN-SENT",
		[TCPS_SYN_RECEIVED] = "SYN-RECV", [TCPS_ESTABLISHED] = "ESTAB",
		[TCPS_FIN_WAIT_1] = "FIN-WAIT-1", [TCPS_FIN_WAIT_2] = "FIN-WAIT-2",
		[TCPS_CLOSE_WAIT] = "CLOSE-WAIT", [TCPS_CLOSING] = "CLOSING",
		[TCPS_LAST_ACK] = "LAST-ACK", [TCPS_TIME_WAIT] = "TIME-WAIT",
	};

	return state < TCPS_NSTATES ? names[state] : "UNKNOWN";
}

void
tern_tcp_states(const struct tcp_worker *tw, uint32_t out[TERN_TCP_NSTATES])
{
	RTE_BUILD_BUG_ON(TERN_TCP_NSTATES != TCPS_NSTATES);
	memcpy(out, tw->nstate, sizeof(tw->nstate));
	out[TCPS_CLOSED] = 0;
	out[TCPS_LISTEN] = 0;
	for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
		out[TCPS_LISTEN] += tw->listeners[i].used;
}

void
tern_set_nodelay(struct tcb *c, int nodelay)
{
	if (nodelay)
		c->flags |= TF_NODELAY;
	else
		c->flags &= ~TF_NODELAY;
}

void
tern_conn_addrs(const struct tcb *c, rte_be32_t *laddr, rte_be16_t *lport, rte_be32_t *raddr,
		rte_be16_t *rport)
{
	*laddr = c->laddr;
	*lport = c->lport;
	*raddr = c->raddr;
	*rport = c->rport;
}

struct tern_conn_ref
tern_conn_ref(const struct tcb *c)
{
	return (struct tern_conn_ref){ .idx = c->idx, .gen = c->gen };
}

struct tcb *
tern_conn_deref(struct tcp_worker *tw, struct tern_conn_ref ref)
{
	struct tcb *c;

	if (ref.gen == 0 || ref.idx >= tw->ntcbs)
		return NULL;
	c = &tw->tcbs[ref.idx];
	return c->gen == ref.gen && !(c->flags & TF_FREED) ? c : NULL;
}

uint32_t
tern_listen_rows(struct tcp_worker *tw, struct tern_conn_row *rows, uint32_t max)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < TCP_MAX_LISTENERS && n < max; i++) {
		const struct tcp_listener *l = &tw->listeners[i];

		if (!l->used)
			continue;
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].laddr = l->addr;
		rows[n].lport = rte_cpu_to_be_16(l->port);
		rows[n].info.state = TCPS_LISTEN;
		rows[n].info.unconsumed = l->syn_recv;
		rows[n].info.unsent = tw->cfg->backlog;
		rows[n].info.cc = l->cc != NULL ? l->cc->name : tw->cc->name;
		n++;
	}
	return n;
}

uint32_t
tern_conn_page(struct tcp_worker *tw, uint32_t cursor, struct tern_conn_row *rows, uint32_t max,
	       uint32_t *nrows)
{
	uint32_t end = cursor + RTE_MIN((uint32_t)TERN_CONN_PAGE_SCAN, tw->ntcbs - RTE_MIN(cursor, tw->ntcbs));
	uint32_t i, n = 0;

	for (i = cursor; i < end && n < max; i++) {
		const struct tcb *c = &tw->tcbs[i];

		if (c->flags & TF_FREED)
			continue;
		rows[n].ref = tern_conn_ref(c);
		tern_conn_addrs(c, &rows[n].laddr, &rows[n].lport, &rows[n].raddr, &rows[n].rport);
		tern_conn_info(c, &rows[n].info);
		n++;
	}
	*nrows = n;
	return i >= tw->ntcbs ? UINT32_MAX : i;
}
