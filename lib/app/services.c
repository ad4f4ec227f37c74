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
	http_worker_fini(aw);
	rte_free(aw);
}
