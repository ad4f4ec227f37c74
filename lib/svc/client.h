/*
 * The client service ([service.NAME] type = client): tern as a load
 * generator. Each worker keeps `concurrency` connections to target:port
 * busy with HTTP/1.1 GETs of `path`: in rps mode on keep-alive connections
 * (one request outstanding per connection), in cps mode one request per
 * connection (Connection: close). It counts requests, connections and
 * errors and records every request's latency (rps: request sent to last
 * byte of the answer; cps: connect to last byte), and checks bodies of
 * /bytes/N against their pattern (byte i = i mod 251).
 */
#ifndef TERN_SVC_CLIENT_H
#define TERN_SVC_CLIENT_H

#include <stdint.h>

#include "svc_config.h"
#include "latency.h"
#include "tcp/tcp.h"

struct client_worker;

/* What one worker's client measured. */
struct client_result {
	uint64_t requests, connections, errors, bad_bodies;
	uint64_t unsent;            /* rate: due before the end but never sent (the client fell behind) */
	uint64_t bytes;             /* body bytes received */
	uint64_t start_tsc, end_tsc;
	struct latency_hist lat;
};

int client_start(struct client_worker **out, struct tcp_worker *tw, const struct svc_cfg *cfg);
/* Called from the worker loop: opens connections, ends the run on time. */
void client_tick(struct client_worker *cw);
/* 1 once the run is over and every connection has closed. */
int client_done(const struct client_worker *cw);
const struct client_result *client_result(const struct client_worker *cw);
void client_stop(struct client_worker *cw);

/* Prints the summed results of n workers (a table line and a JSON line). */
void client_report(const struct svc_cfg *cfg, const struct client_result *const *r,
		   unsigned n);

#endif
