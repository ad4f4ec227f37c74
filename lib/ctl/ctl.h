/*
 * The control plane: what an operator reads and steers while tern runs.
 * Telemetry commands run on DPDK's telemetry thread, the Prometheus
 * endpoint and the capture writer on the main lcore (ctl_poll); all of
 * them reach the workers only through the source's functions, which the
 * composition root makes safe to call from any thread (the control
 * channel, a lock around the proxy's control side).
 */
#ifndef TERN_CTL_CTL_H
#define TERN_CTL_CTL_H

#include <stdint.h>

#include "core/chan.h"
#include "core/config.h"
#include "core/counters.h"
#include "proxy/proxy_main.h"
#include "tcp/tcp.h"

struct tern_capture;

struct ctl_source {
	void *ctx;
	unsigned nworkers;
	const struct tern_counter_layout *layout;
	uint16_t nports;
	uint16_t port_ids[8];          /* ethdev port of each tern port */
	/* A worker's counters (layout->total values). 0 or -errno. */
	int (*counters)(void *ctx, unsigned worker, uint64_t *out);
	/* A worker's loop statistics. 0 or -errno. */
	int (*loop_stats)(void *ctx, unsigned worker, struct tern_loop_stats *out);
	/* mbufs of a worker's pool in use, and its size. */
	void (*pool)(void *ctx, unsigned worker, unsigned *in_use, unsigned *size);
	/*
	 * A page of a worker's connections from cursor (see tern_conn_page), or
	 * with cursor UINT32_MAX its listeners. 0 or -errno.
	 */
	int (*conns)(void *ctx, unsigned worker, uint32_t cursor, struct tern_conn_row *rows,
		     uint32_t max, uint32_t *nrows, uint32_t *next);
	/* How many of a worker's connections are in each TCP state (tern_tcp_states). 0 or -errno. */
	int (*tcp_states)(void *ctx, unsigned worker, uint32_t out[TERN_TCP_NSTATES]);
	/* The proxy's table (0 rows without a proxy); how many rows filled. */
	unsigned (*proxy_rows)(void *ctx, struct proxy_row *rows, unsigned max);
	/* proxy_main_set: "ready", "drain", "maint" or a weight. 0 or -errno. */
	int (*proxy_set)(void *ctx, const char *backend, const char *server, const char *what);
	/*
	 * Hands a worker its share of a capture (core/capture.h), or with NULL
	 * takes it back. 0: from its next loop the worker uses cap, or (NULL)
	 * never touches the previous one again. -ETIMEDOUT: it has not answered
	 * yet and will do so later; other -errno: it never will.
	 */
	int (*capture)(void *ctx, unsigned worker, struct tern_capture *cap);
};

struct ctl;

/* Registers the telemetry commands (once per process) and opens what [ctl] asks for. NULL: logged. */
struct ctl *ctl_start(const struct tern_config *cfg, const struct ctl_source *src);
/* Main lcore, every loop: serves the metrics endpoint, writes captured packets. */
void ctl_poll(struct ctl *c);
/* How soon ctl_poll wants to run again, in µs; 0: the main loop's usual pace will do. */
unsigned ctl_poll_us(struct ctl *c);
/*
 * Once the workers have stopped, before their state goes away: telemetry
 * commands answer "stopped" from now on; a running capture is ended and
 * its file closed.
 */
void ctl_stop(struct ctl *c);

#endif
