#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "app_internal.h"
#include "core/log.h"
#include "services.h"

int
services_start(struct app_worker **out, struct tcp_worker *tw, const struct tern_config *cfg,
	       struct rte_mempool *pool)
{
	struct app_worker *aw = rte_zmalloc("tern_app", sizeof(*aw), RTE_CACHE_LINE_SIZE);
	int rc = 0;

	if (aw == NULL)
		return -ENOMEM;
	aw->tw = tw;
	aw->pool = pool;
	aw->max_conns = cfg->tcp.max_connections;
	for (uint32_t i = 0; i < cfg->nservices && rc == 0; i++) {
		const struct tern_service_cfg *s = &cfg->services[i];

		if (s->type == TERN_SVC_CLIENT) {
			rc = client_start(&aw->clients[aw->nclients], tw, s);
			if (rc == 0)
				aw->nclients++;
			else
				TLOG(ERR, "service %s: cannot start the client: %s", s->name,
				     rte_strerror(-rc));
			continue;
		}
		tern_accept_fn fn = s->type == TERN_SVC_ECHO ? echo_accept :
				    s->type == TERN_SVC_DISCARD ? discard_accept : http_accept;

		if (s->type == TERN_SVC_HTTP && aw->http == NULL)
			rc = http_worker_init(aw);
		if (rc == 0)
			rc = tern_listen(tw, s->port, fn, aw);
		if (rc == 0 && s->cc[0] != '\0')
			rc = tern_listen_set_cc(tw, s->port, s->cc);
		if (rc != 0)
			TLOG(ERR, "service %s: cannot listen on port %u: %s", s->name, s->port,
			     rte_strerror(-rc));
	}
	*out = aw;
	return rc;
}

void
services_stop(struct app_worker *aw)
{
	if (aw == NULL)
		return;
	for (uint32_t i = 0; i < aw->nclients; i++)
		client_stop(aw->clients[i]);
	http_worker_fini(aw);
	rte_free(aw);
}

struct client_worker *
services_client(struct app_worker *aw, unsigned i)
{
	return aw != NULL && i < aw->nclients ? aw->clients[i] : NULL;
}

void
services_tick(struct app_worker *aw)
{
	for (uint32_t i = 0; i < aw->nclients; i++)
		client_tick(aw->clients[i]);
}

int
services_poll_clients(struct app_worker *const *aws, unsigned n, const struct tern_config *cfg,
		      int stopping)
{
	static int reported, stop; /* main thread only */
	const struct client_result *res[TERN_MAX_WORKERS];
	unsigned nclients = n > 0 && aws[0] != NULL ? aws[0]->nclients : 0;

	if (reported || nclients == 0)
		return stop;
	for (unsigned w = 0; w < n && !stopping; w++)
		for (uint32_t i = 0; i < aws[w]->nclients; i++)
			if (!client_done(aws[w]->clients[i]))
				return 0;
	stop = !stopping;
	for (uint32_t i = 0, svc = 0; i < nclients; i++, svc++) {
		while (cfg->services[svc].type != TERN_SVC_CLIENT)
			svc++;
		for (unsigned w = 0; w < n; w++)
			res[w] = client_result(aws[w]->clients[i]);
		client_report(&cfg->services[svc], res, n);
		stop &= cfg->services[svc].exit_when_done != 0;
	}
	reported = 1;
	return stop;
}
