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

enum proxy_row_kind { PROXY_ROW_FRONTEND, PROXY_ROW_BACKEND, PROXY_ROW_SERVER };

/* One row of HAProxy's show stat: a frontend, a backend or one of its servers. */
struct proxy_row {
	uint8_t kind;                  /* enum proxy_row_kind */
	uint8_t backup;
	uint8_t checked;               /* the backend has active checks */
	char pxname[CFG_NAME_MAX];     /* the frontend or backend */
	char svname[CFG_NAME_MAX];     /* FRONTEND, BACKEND or the server */
	const char *status;            /* OPEN, UP, DOWN, DRAIN, MAINT */
	uint32_t weight;
	uint32_t slim;                 /* maxconn (0: none) */
	struct proxy_stats st;
	uint64_t chkfail, chkdown;
	uint64_t lastchg_s, downtime_s;
	char check[40];                /* the last check's result ("" before the first) */
};

/* Frontends, then each backend followed by its servers: up to max rows; how many. */
unsigned proxy_main_rows(const struct proxy_main *pm, proxy_fetch_fn fetch, void *ctx,
			 struct proxy_row *rows, unsigned max);
/* Rows the table has (for sizing). */
unsigned proxy_main_nrows(const struct proxy_main *pm);

/* The table of frontends, backends and servers (HAProxy's show stat, as text). */
void proxy_main_print(const struct proxy_main *pm, FILE *f, proxy_fetch_fn fetch, void *ctx);

/* Adds b's counts to a (maxima add up too: per-worker maxima, an upper bound). */
void proxy_stats_add(struct proxy_stats *a, const struct proxy_stats *b);

#endif
