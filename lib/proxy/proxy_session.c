/*
 * A session from the client's accepted connection to the end of both legs:
 * the server choice, connection attempts with retries and redispatch, the
 * server's queue, and what the end of either leg does to the other.
 */
#include <errno.h>

#include <rte_errno.h>

#include "proxy_internal.h"

struct proxy_sess *
sess_alloc(struct proxy_worker *pw)
{
	struct proxy_sess *s;
	uint32_t i = pw->free_head;

	if (i == UINT32_MAX)
		return NULL;
	s = &pw->sess[i];
	pw->free_head = s->next_free;
	*s = (struct proxy_sess){ .pw = pw, .srv = -1, .next_free = UINT32_MAX };
	pw->used++;
	return s;
}

static void
sess_free(struct proxy_worker *pw, struct proxy_sess *s)
{
	for (int d = 0; d < 2; d++) {
		rte_pktmbuf_free(s->pending[d]);
		s->pending[d] = NULL;
	}
	wheel_cancel(&pw->wheel, &s->timer);
	pw->fe[s->fe].cur--;
	pw->fe[s->fe].st.scur--;
	pw->be[s->be].st.scur--;
	s->state = SESS_FREE;
	s->next_free = pw->free_head;
	pw->free_head = (uint32_t)(s - pw->sess);
	pw->used--;
}

void
sess_enter(struct proxy_sess *s)
{
	s->busy++;
}

/* At the outermost callback: a session whose legs are both gone is freed. */
void
sess_leave(struct proxy_worker *pw, struct proxy_sess *s)
{
	if (--s->busy > 0 || s->state == SESS_FREE)
		return;
	if (!s->alive[LEG_CLIENT] && !s->alive[LEG_SERVER])
		sess_free(pw, s);
	else
		sess_timer_arm(pw, s);
}

struct tcb *
sess_leg(struct proxy_worker *pw, const struct proxy_sess *s, int leg)
{
	return s->alive[leg] ? tern_conn_deref(pw->tw, s->leg[leg]) : NULL;
}

/* Resets whatever legs are left (each one's on_closed follows). */
void
sess_abort(struct proxy_worker *pw, struct proxy_sess *s)
{
	if (s->state == SESS_QUEUED)
		queue_remove(&pw->be[s->be].srv[s->srv], s);
	s->state = SESS_DONE;
	for (int leg = 0; leg < 2; leg++) {
		struct tcb *c = sess_leg(pw, s, leg);

		if (c != NULL)
			tern_abort(c);
	}
}

static void sess_dequeued(struct proxy_worker *pw, struct proxy_sess *s);

/* The server leg's slot on its server is free again: the head of its queue may go. */
void
sess_server_done(struct proxy_worker *pw, struct proxy_sess *s)
{
	struct proxy_server *srv;
	struct proxy_sess *next;

	if (s->srv < 0)
		return;
	srv = &pw->be[s->be].srv[s->srv];
	srv->conns--;
	srv->st.scur--;
	next = srv->qhead;
	if (next == NULL || (srv->maxconn != 0 && srv->conns >= srv->maxconn))
		return;
	queue_remove(srv, next);
	sess_enter(next);
	sess_dequeued(pw, next);
	sess_leave(pw, next);
}

/* The client is reset (counted by the caller): no server will have it. */
static void
give_up(struct proxy_worker *pw, struct proxy_sess *s)
{
	sess_abort(pw, s);
}

/* One connection attempt to server i; 0, or -1 when it could not even start (counted). */
static int
attempt(struct proxy_worker *pw, struct proxy_sess *s, int i)
{
	struct proxy_backend *b = &pw->be[s->be];
	struct proxy_server *srv = &b->srv[i];
	const struct proxy_source_cfg *src = b->cfg->nsources ?
		&b->cfg->sources[b->next_source++ % b->cfg->nsources] : NULL;
	struct tern_connect_opts o = { 0 };
	struct tcb *c;

	if (src != NULL)
		o = (struct tern_connect_opts){ .src = rte_cpu_to_be_32(src->addr),
			.sport_lo = src->port_lo, .sport_hi = src->port_hi };
	s->srv = i;
	s->tries++;
	s->hdr_sent = 0;
	srv->conns++;
	srv->st.lbtot++;
	stats_open(&srv->st);
	c = tern_connect_ex(pw->tw, srv->addr, rte_be_to_cpu_16(srv->port), &o, &proxy_server_ops, s);
	if (c == NULL) {
		srv->st.econ++;
		b->st.econ++;
		CNT_INC(pw->cnt, ProxyConnectFailures);
		sess_server_done(pw, s);
		s->srv = -1;
		return -1;
	}
	s->leg[LEG_SERVER] = tern_conn_ref(c);
	s->alive[LEG_SERVER] = 1;
	s->state = SESS_CONNECTING;
	s->since = pw->tick;
	return 0;
}

/* Waits on server i's queue; 0, or -1 when it is full (the client is reset, counted). */
static int
enqueue(struct proxy_worker *pw, struct proxy_sess *s, int i)
{
	struct proxy_server *srv = &pw->be[s->be].srv[i];

	if (srv->qlen >= srv->maxqueue) {
		CNT_INC(pw->cnt, ProxyQueueFull);
		srv->st.dcon++;
		pw->be[s->be].st.dcon++;
		return -1;
	}
	s->srv = i;
	s->qnext = NULL;
	if (srv->qtail != NULL)
		srv->qtail->qnext = s;
	else
		srv->qhead = s;
	srv->qtail = s;
	srv->qlen++;
	if (++srv->st.qcur > srv->st.qmax)
		srv->st.qmax = srv->st.qcur;
	s->state = SESS_QUEUED;
	s->since = pw->tick;
	return 0;
}

/* Chooses a server (another one than exclude when there is one) and connects or queues. */
static void
connect_to(struct proxy_worker *pw, struct proxy_sess *s, int exclude)
{
	const struct proxy_backend_cfg *bc = pw->be[s->be].cfg;
	int i;

	if (pw->stopping) {
		give_up(pw, s);
		return;
	}
	while ((i = pick_server(pw, s, exclude)) >= 0) {
		struct proxy_server *srv = &pw->be[s->be].srv[i];

		if (srv->maxconn != 0 && srv->conns >= srv->maxconn) {
			if (enqueue(pw, s, i) != 0)
				give_up(pw, s);
			return;
		}
		if (attempt(pw, s, i) == 0)
			return;
		if (s->tries > bc->retries) {
			CNT_INC(pw->cnt, ProxyConnectGiveUp);
			give_up(pw, s);
			return;
		}
		CNT_INC(pw->cnt, ProxyRetries);
		pw->be[s->be].st.wretr++;
		exclude = bc->redispatch ? i : -1;
	}
	CNT_INC(pw->cnt, ProxyRefusedNoServer);
	pw->be[s->be].st.dcon++;
	give_up(pw, s);
}

void
sess_connect(struct proxy_worker *pw, struct proxy_sess *s)
{
	connect_to(pw, s, -1);
}

void
sess_requeue(struct proxy_worker *pw, unsigned be, int i)
{
	struct proxy_server *srv = &pw->be[be].srv[i];
	struct proxy_sess *s;

	while ((s = srv->qhead) != NULL) {
		queue_remove(srv, s);
		sess_enter(s);
		s->srv = -1;
		connect_to(pw, s, i);
		sess_leave(pw, s);
	}
}

/* Out of its server's queue (the server has room now): connect to it. */
static void
sess_dequeued(struct proxy_worker *pw, struct proxy_sess *s)
{
	int i = s->srv;

	s->srv = -1;
	if (attempt(pw, s, i) != 0)
		connect_to(pw, s, i);
}

/*
 * Passive health: `fall` failed connections or resets in a row on this
 * worker tell the control side (which takes the server down while checks
 * are on, and the checks bring it back).
 */
static void
server_failed(struct proxy_worker *pw, unsigned be, int i)
{
	const struct proxy_backend_cfg *bc = pw->be[be].cfg;
	struct proxy_server *srv = &pw->be[be].srv[i];

	if (++srv->fails == bc->fall && bc->check != PROXY_CHECK_NONE && pw->notify != NULL)
		pw->notify(pw->w, &(struct proxy_note){ .kind = PROXY_NOTE_FAILURES,
			.backend = (uint16_t)be, .server = (uint16_t)i });
}

/* The server leg failed before it opened: retry (maybe elsewhere) or reset the client. */
static void
connect_failed(struct proxy_worker *pw, struct proxy_sess *s)
{
	const struct proxy_backend_cfg *bc = pw->be[s->be].cfg;
	struct proxy_server *srv = &pw->be[s->be].srv[s->srv];
	int failed = s->srv;

	srv->st.econ++;
	pw->be[s->be].st.econ++;
	CNT_INC(pw->cnt, ProxyConnectFailures);
	server_failed(pw, s->be, failed);
	sess_server_done(pw, s);
	s->srv = -1;
	if (s->state == SESS_DONE || !s->alive[LEG_CLIENT])
		return;
	if (s->tries > bc->retries) {
		CNT_INC(pw->cnt, ProxyConnectGiveUp);
		give_up(pw, s);
		return;
	}
	CNT_INC(pw->cnt, ProxyRetries);
	pw->be[s->be].st.wretr++;
	srv->st.wretr++;
	if (bc->redispatch && bc->nservers > 1) {
		CNT_INC(pw->cnt, ProxyRedispatches);
		pw->be[s->be].st.wredis++;
		srv->st.wredis++;
	}
	connect_to(pw, s, bc->redispatch ? failed : -1);
}

/* ---- the client leg ------------------------------------------------------------------ */

int
sess_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	struct proxy_frontend *fe = listen_ctx;
	struct proxy_worker *pw = fe->pw;
	struct proxy_sess *s;

	if (pw->refusing) {
		CNT_INC(pw->cnt, ProxyRefusedStopping);
		return -1;
	}
	if (fe->cur >= fe->maxconn) {
		CNT_INC(pw->cnt, ProxyRefusedMaxconn);
		fe->st.dcon++;
		return -1;
	}
	if ((s = sess_alloc(pw)) == NULL) {
		CNT_INC(pw->cnt, ProxyRefusedNoSession);
		fe->st.dcon++;
		return -1;
	}
	s->fe = (uint16_t)(fe - pw->fe);
	s->be = (uint16_t)fe->cfg->backend_index;
	s->leg[LEG_CLIENT] = tern_conn_ref(c);
	s->alive[LEG_CLIENT] = 1;
	tern_conn_addrs(c, &s->vaddr, &s->vport, &s->caddr, &s->cport);
	s->last[LEG_CLIENT] = s->last[LEG_SERVER] = s->since = pw->tick;
	s->state = fe->cfg->accept_proxy != PROXY_PP_NONE ? SESS_WAIT_HDR : SESS_NEW;
	fe->cur++;
	stats_open(&fe->st);
	stats_open(&pw->be[s->be].st);
	CNT_INC(pw->cnt, ProxySessions);
	*ops = &proxy_client_ops;
	*ctx = s;
	return 0;
}

/*
 * A leg is gone. An orderly close leaves the other leg to finish its own
 * data and FIN; anything else resets it. A server leg that never opened is
 * a failed attempt: retried, maybe elsewhere.
 */
void
sess_end_leg(struct proxy_worker *pw, struct proxy_sess *s, int leg, enum tern_close_reason why)
{
	int connecting = leg == LEG_SERVER && s->state == SESS_CONNECTING;
	int abort = why != TERN_CLOSE_NORMAL && s->state != SESS_DONE;

	s->alive[leg] = 0;
	if (connecting) {
		/* What the client sent meanwhile waits for the next attempt. */
		connect_failed(pw, s);
		return;
	}
	rte_pktmbuf_free(s->pending[!leg]); /* nobody left to take it */
	s->pending[!leg] = NULL;
	if (abort && leg == LEG_CLIENT) {
		CNT_INC(pw->cnt, ProxyClientAborts);
		pw->fe[s->fe].st.cli_abrt++;
		pw->be[s->be].st.cli_abrt++;
	} else if (abort && s->srv >= 0) {
		struct proxy_server *srv = &pw->be[s->be].srv[s->srv];

		CNT_INC(pw->cnt, ProxyServerAborts);
		srv->st.srv_abrt++;
		srv->st.eresp++;
		pw->be[s->be].st.srv_abrt++;
		pw->be[s->be].st.eresp++;
		server_failed(pw, s->be, s->srv);
	}
	if (leg == LEG_SERVER) {
		sess_server_done(pw, s);
		s->srv = -1;
	}
	if (abort)
		sess_abort(pw, s);
}
