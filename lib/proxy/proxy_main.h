/*
 * The proxy's control side, on the main lcore: the one place that decides
 * each server's state (from worker 0's check results, every worker's
 * failure notes and the operator), builds Maglev tables, and says what must
 * be broadcast to every worker. It never touches a worker: the composition
 * root carries notes in and events out over the control channel.
 */
#ifndef TERN_PROXY_MAIN_H
#define TERN_PROXY_MAIN_H

#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "proxy.h"

struct proxy_main;

/* Sends ev to every worker (the composition root's broadcast). */
typedef void (*proxy_emit_fn)(void *ctx, const struct proxy_event *ev);

/* NULL when the configuration has no proxy (or out of memory: logged). */
struct proxy_main *proxy_main_create(const struct tern_config *cfg);
void proxy_main_free(struct proxy_main *pm);

/* A note from a worker: rise and fall counted, state changes logged and emitted. */
void proxy_main_note(struct proxy_main *pm, const struct proxy_note *n, proxy_emit_fn emit,
		     void *ctx);

/*
 * The operator: "ready", "drain" or "maint", or a weight (0-256), for
 * backend/server. 0, or -ENOENT (no such server) / -EINVAL (bad value).
 */
int proxy_main_set(struct proxy_main *pm, const char *backend, const char *server,
		   const char *what, proxy_emit_fn emit, void *ctx);

/* Maglev tables replaced since the last call; free them once every worker moved on. */
unsigned proxy_main_retired(const struct proxy_main *pm);
void proxy_main_free_retired(struct proxy_main *pm);

/*
 * Sums one worker's counts into the running totals: fetch(ctx, backend,
 * out, max) fills a worker's entries as proxy_stats_copy does.
 */
typedef unsigned (*proxy_fetch_fn)(void *ctx, uint32_t backend, struct proxy_stats *out,
				   unsigned max);

/* The table of frontends, backends and servers (HAProxy's show stat, as text). */
void proxy_main_print(const struct proxy_main *pm, FILE *f, proxy_fetch_fn fetch, void *ctx);

/* Adds b's counts to a (maxima add up too: per-worker maxima, an upper bound). */
void proxy_stats_add(struct proxy_stats *a, const struct proxy_stats *b);

#endif
