/* Shared by the services of lib/app. */
#ifndef TERN_APP_INTERNAL_H
#define TERN_APP_INTERNAL_H

#include "tcp/tcp.h"

#include "client.h"

struct http_conn;

struct app_worker {
	struct tcp_worker *tw;
	uint32_t max_conns;
	struct http_conn *http;   /* indexed by tern_conn_id() */
	struct rte_mempool *pool; /* for response bodies */
	uint32_t nclients;
	struct client_worker *clients[TERN_MAX_SERVICES]; /* one per client service, in config order */
};

int http_worker_init(struct app_worker *aw);
void http_worker_fini(struct app_worker *aw);

#endif
