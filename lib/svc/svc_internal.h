/* Shared by the services of lib/svc. */
#ifndef TERN_SVC_INTERNAL_H
#define TERN_SVC_INTERNAL_H

#include "tcp/tcp.h"

#include "client.h"

struct http_conn;

struct svc_worker {
	struct tcp_worker *tw;
	uint32_t max_conns;
	struct http_conn *http;   /* indexed by tern_conn_id() */
	struct rte_mempool *pool; /* for response bodies */
	uint32_t nclients;
	struct client_worker *clients[SVC_MAX]; /* one per client service, in config order */
};

int http_worker_init(struct svc_worker *svw);
void http_worker_fini(struct svc_worker *svw);

#endif
