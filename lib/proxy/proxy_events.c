/* What the control side broadcasts to every worker's proxy. */
#include <rte_byteorder.h>

#include "core/log.h"
#include "proxy_internal.h"

static void
server_state(struct proxy_worker *pw, const struct proxy_event *ev)
{
	struct proxy_backend *b;
	struct proxy_server *srv;

	if (ev->backend >= pw->nbe || ev->server >= pw->be[ev->backend].cfg->nservers)
		return;
	b = &pw->be[ev->backend];
	srv = &b->srv[ev->server];
	srv->state = ev->state;
	srv->weight = ev->weight;
	if (srv->state == PROXY_SRV_UP)
		srv->fails = 0;
	server_refresh_weights(b);
	if (srv->state == PROXY_SRV_DOWN || srv->state == PROXY_SRV_MAINT)
		sess_requeue(pw, ev->backend, (int)ev->server);
}

static void
close_listeners(struct proxy_worker *pw)
{
	if (pw->refusing)
		return;
	pw->refusing = 1;
	for (unsigned f = 0; f < pw->nfe; f++)
		for (unsigned i = 0; i < pw->fe[f].cfg->nbinds; i++) {
			const struct proxy_bind *bd = &pw->fe[f].cfg->binds[i];

			tern_unlisten_on(pw->tw, rte_cpu_to_be_32(bd->addr), bd->port);
		}
}

static void
abort_all(struct proxy_worker *pw)
{
	for (uint32_t i = 0; i < pw->nsess; i++) {
		struct proxy_sess *s = &pw->sess[i];

		if (s->state == SESS_FREE || s->state == SESS_DONE)
			continue;
		CNT_INC(pw->cnt, ProxyStopAborts);
		sess_enter(s);
		sess_abort(pw, s);
		sess_leave(pw, s);
	}
}

void
proxy_event(struct proxy_worker *pw, const struct proxy_event *ev)
{
	if (pw == NULL)
		return;
	switch (ev->kind) {
	case PROXY_EV_SERVER:
		server_state(pw, ev);
		break;
	case PROXY_EV_MAGLEV:
		if (ev->backend < pw->nbe)
			pw->be[ev->backend].maglev = ev->table;
		break;
	case PROXY_EV_REFUSE:
		close_listeners(pw);
		break;
	case PROXY_EV_ABORT_ALL:
		close_listeners(pw);
		abort_all(pw);
		break;
	default:
		break;
	}
}
