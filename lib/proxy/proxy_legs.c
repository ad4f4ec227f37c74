/* The event callbacks of the two legs of a session (tcp.h's struct tern_conn_ops). */
#include "proxy_internal.h"

static void
client_open(struct tcb *c, void *ctx)
{
	struct proxy_sess *s = ctx;

	(void)c;
	sess_enter(s);
	if (s->state == SESS_NEW)
		sess_connect(s->pw, s);
	sess_leave(s->pw, s);
}

static void
server_open(struct tcb *c, void *ctx)
{
	struct proxy_sess *s = ctx;
	struct proxy_worker *pw = s->pw;

	(void)c;
	sess_enter(s);
	if (s->state == SESS_CONNECTING) {
		s->state = SESS_OPEN;
		s->since = s->last[LEG_SERVER] = pw->tick;
		pw->be[s->be].srv[s->srv].fails = 0;
		splice_send_header(pw, s);
		splice_forward(pw, s, LEG_CLIENT); /* what the client sent meanwhile, and its FIN */
	}
	sess_leave(pw, s);
}

static void
leg_data(struct proxy_sess *s, int leg, struct rte_mbuf *m)
{
	sess_enter(s);
	splice_take(s->pw, s, leg, m);
	sess_leave(s->pw, s);
}

static void
client_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	(void)c;
	leg_data(ctx, LEG_CLIENT, m);
}

static void
server_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	(void)c;
	leg_data(ctx, LEG_SERVER, m);
}

/* Room on leg: what waits from the other leg goes now. */
static void
leg_writable(struct proxy_sess *s, int leg)
{
	sess_enter(s);
	splice_forward(s->pw, s, !leg);
	sess_leave(s->pw, s);
}

static void
client_writable(struct tcb *c, void *ctx)
{
	(void)c;
	leg_writable(ctx, LEG_CLIENT);
}

static void
server_writable(struct tcb *c, void *ctx)
{
	(void)c;
	leg_writable(ctx, LEG_SERVER);
}

/* A FIN becomes ours on the other leg after the data before it (half-close both ways). */
static void
leg_fin(struct proxy_sess *s, int leg)
{
	sess_enter(s);
	s->fin[leg] = 1;
	s->last[leg] = s->pw->tick;
	splice_forward(s->pw, s, leg);
	sess_leave(s->pw, s);
}

static void
client_fin(struct tcb *c, void *ctx)
{
	(void)c;
	leg_fin(ctx, LEG_CLIENT);
}

static void
server_fin(struct tcb *c, void *ctx)
{
	(void)c;
	leg_fin(ctx, LEG_SERVER);
}

static void
leg_closed(struct proxy_sess *s, int leg, enum tern_close_reason why)
{
	sess_enter(s);
	sess_end_leg(s->pw, s, leg, why);
	sess_leave(s->pw, s);
}

static void
client_closed(struct tcb *c, void *ctx, enum tern_close_reason why)
{
	(void)c;
	leg_closed(ctx, LEG_CLIENT, why);
}

static void
server_closed(struct tcb *c, void *ctx, enum tern_close_reason why)
{
	(void)c;
	leg_closed(ctx, LEG_SERVER, why);
}

const struct tern_conn_ops proxy_client_ops = {
	.on_open = client_open,
	.on_data = client_data,
	.on_writable = client_writable,
	.on_peer_fin = client_fin,
	.on_closed = client_closed,
};

const struct tern_conn_ops proxy_server_ops = {
	.on_open = server_open,
	.on_data = server_data,
	.on_writable = server_writable,
	.on_peer_fin = server_fin,
	.on_closed = server_closed,
};
