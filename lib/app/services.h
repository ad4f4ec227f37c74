/* Built-in services selected by [service.NAME] sections: echo, discard, http, client. */
#ifndef TERN_APP_SERVICES_H
#define TERN_APP_SERVICES_H

#include "core/config.h"
#include "tcp/tcp.h"

struct app_worker;

/* Starts the configured services' listeners on this worker. Returns 0 or -errno. */
int services_start(struct app_worker **aw, struct tcp_worker *tw, const struct tern_config *cfg,
		   struct rte_mempool *pool);
void services_stop(struct app_worker *aw);
/* The i-th client service of this worker (config order), or NULL. */
struct client_worker *services_client(struct app_worker *aw, unsigned i);
/* Every worker loop: the client services open connections and keep time. */
void services_tick(struct app_worker *aw);
/*
 * Main thread: reports the client services once all workers' clients have
 * finished (or, with stopping set, what they did until now). Returns 1
 * when tern should stop (every client finished, exit_when_done).
 */
int services_poll_clients(struct app_worker *const *aws, unsigned n, const struct tern_config *cfg,
			  int stopping);

/* Listener entry points (listen_ctx is the app_worker). */
int echo_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
int discard_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
int http_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);

#endif
