#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "svc_internal.h"
#include "core/log.h"
#include "svc.h"

int
svc_start(struct svc_worker **out, struct tcp_worker *tw, const struct tern_config *cfg,
	  struct rte_mempool *pool, int socket)
{
	struct svc_worker *svw = rte_zmalloc_socket("tern_svc", sizeof(*svw), RTE_CACHE_LINE_SIZE, socket);
	int rc = 0;

	if (svw == NULL)
		return -ENOMEM;
	svw->tw = tw;
	svw->pool = pool;
	svw->max_conns = tcp_config(cfg)->max_connections;
	for (uint32_t i = 0; i < svc_count(cfg) && rc == 0; i++) {
		const struct svc_cfg *s = svc_config(cfg, i);

		if (s->type == SVC_CLIENT) {
			rc = client_start(&svw->clients[svw->nclients], tw, s);
			if (rc == 0)
				svw->nclients++;
			else
				TLOG(ERR, "service %s: cannot start the client: %s", s->name,
				     rte_strerror(-rc));
			continue;
		}
		tern_accept_fn fn = s->type == SVC_ECHO ? echo_accept :
				    s->type == SVC_DISCARD ? discard_accept : http_accept;

		if (s->type == SVC_HTTP && svw->http == NULL)
			rc = http_worker_init(svw);
		if (rc == 0)
			rc = tern_listen(tw, s->port, fn, svw);
		if (rc == 0 && s->cc[0] != '\0')
			rc = tern_listen_set_cc(tw, s->port, s->cc);
		if (rc != 0)
			TLOG(ERR, "service %s: cannot listen on port %u: %s", s->name, s->port,
			     rte_strerror(-rc));
	}
	*out = svw;
	return rc;
}

void
svc_stop(struct svc_worker *svw)
{
	if (svw == NULL)
		return;
	for (uint32_t i = 0; i < svw->nclients; i++)
		client_stop(svw->clients[i]);
	http_worker_fini(svw);
	rte_free(svw);
}

struct client_worker *
svc_client(struct svc_worker *svw, unsigned i)
{
	return svw != NULL && i < svw->nclients ? svw->clients[i] : NULL;
}

void
svc_tick(struct svc_worker *svw)
{
	for (uint32_t i = 0; i < svw->nclients; i++)
		client_tick(svw->clients[i]);
}

int
svc_poll_clients(struct svc_report *rep, struct svc_worker *const *svws, unsigned n,
		 const struct tern_config *cfg, int stopping)
{
	const struct client_result *res[TERN_MAX_WORKERS];
	unsigned nclients = n > 0 && svws[0] != NULL ? svws[0]->nclients : 0;

	if (rep->reported || nclients == 0)
		return rep->stop;
	for (unsigned w = 0; w < n && !stopping; w++)
		for (uint32_t i = 0; i < svws[w]->nclients; i++)
			if (!client_done(svws[w]->clients[i]))
				return 0;
	rep->stop = !stopping;
	for (uint32_t i = 0, k = 0; i < nclients; i++, k++) {
		while (svc_config(cfg, k)->type != SVC_CLIENT)
			k++;
		for (unsigned w = 0; w < n; w++)
			res[w] = client_result(svws[w]->clients[i]);
		client_report(svc_config(cfg, k), res, n);
		rep->stop &= svc_config(cfg, k)->exit_when_done != 0;
	}
	rep->reported = 1;
	return rep->stop;
}
