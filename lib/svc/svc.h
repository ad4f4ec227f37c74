/* Built-in services selected by [service.NAME] sections: echo, discard, http, client. */
#ifndef TERN_SVC_SVC_H
#define TERN_SVC_SVC_H

#include "core/config.h"
#include "svc_config.h"
#include "tcp/tcp.h"

struct svc_worker;
struct rte_mempool;

/* The main thread's record of the client report (one per running program). */
struct svc_report {
	int reported;
	int stop;
};

/* Starts the configured services' listeners on this worker (state on socket). 0 or -errno. */
int svc_start(struct svc_worker **svw, struct tcp_worker *tw, const struct tern_config *cfg,
	      struct rte_mempool *pool, int socket);
void svc_stop(struct svc_worker *svw);
/* The i-th client service of this worker (config order), or NULL. */
struct client_worker *svc_client(struct svc_worker *svw, unsigned i);
/* Every worker loop: the client services open connections and keep time. */
void svc_tick(struct svc_worker *svw);
/*
 * Main thread: reports the client services once all workers' clients have
 * finished (or, with stopping set, what they did until now). Returns 1
 * when tern should stop (every client finished, exit_when_done).
 */
int svc_poll_clients(struct svc_report *rep, struct svc_worker *const *svws, unsigned n,
		     const struct tern_config *cfg, int stopping);

/* Listener entry points (listen_ctx is the svc_worker). */
int echo_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
int discard_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);
int http_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx);

#endif
