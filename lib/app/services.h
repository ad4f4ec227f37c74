/* Built-in services selected by [service.NAME] sections: echo, discard, http. */
#ifndef TERN_APP_SERVICES_H
#define TERN_APP_SERVICES_H

#include "core/config.h"
#include "tcp/tcp.h"

struct app_worker;

/* Starts the configured services' listeners on this worker. Returns 0 or -errno. */
int services_start(struct app_worker **aw, struct tcp_worker *tw, const struct tern_config *cfg,
		   struct rte_mempool *pool);
void services_stop(struct app_worker *aw);

/* Listener entry points (listen_ctx is the app_worker). */
int echo_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
int discard_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
int http_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);

#endif
