/*
 * The control plane's source: what lib/ctl may read and steer, each
 * function safe on any thread (telemetry's included): workers are asked
 * through the control channel, the proxy's control side under its lock.
 */
#include <errno.h>
#include <string.h>

#include "ctl/ctl.h"
#include "stack.h"
#include "stack_internal.h"

#define CALL_MS 1000

/* Sends m to worker i and waits; 0 with the reply in m, or -errno (m freed unless timed out). */
static int
call(struct tern_runtime *rt, unsigned i, struct tern_msg *m)
{
	int rc;

	if (m == NULL)
		return -ENOMEM;
	if (i >= rt->cfg.workers) {
		tern_msg_free(m);
		return -EINVAL;
	}
	rc = tern_chan_call(rt->peers[i], m, CALL_MS);
	if (rc == 0 && m->status != 0)
		rc = m->status;
	if (rc != 0 && rc != -ETIMEDOUT)
		tern_msg_free(m);
	return rc;
}

static int
src_counters(void *ctx, unsigned worker, uint64_t *out)
{
	struct tern_runtime *rt = ctx;
	size_t len = stack_counters()->total * sizeof(uint64_t);
	struct tern_msg *m = tern_msg_new(TERN_MSG_COUNTERS, len);
	int rc = call(rt, worker, m);

	if (rc != 0)
		return rc;
	memcpy(out, m->body, len);
	tern_msg_free(m);
	return 0;
}

static int
src_loop_stats(void *ctx, unsigned worker, struct tern_loop_stats *out)
{
	struct tern_msg *m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(*out));
	int rc = call(ctx, worker, m);

	if (rc != 0)
		return rc;
	memcpy(out, m->body, sizeof(*out));
	tern_msg_free(m);
	return 0;
}

static void
src_pool(void *ctx, unsigned worker, unsigned *in_use, unsigned *size)
{
	struct tern_runtime *rt = ctx;

	*in_use = *size = 0;
	if (worker < rt->cfg.workers && rt->pools[worker] != NULL) {
		*in_use = rte_mempool_in_use_count(rt->pools[worker]);
		*size = rt->pools[worker]->size;
	}
}

static int
src_tcp_states(void *ctx, unsigned worker, uint32_t *out)
{
	struct tern_msg *m = tern_msg_new(STACK_MSG_TCP_STATES, sizeof(struct stack_tcp_states));
	int rc = call(ctx, worker, m);

	if (rc != 0)
		return rc;
	memcpy(out, m->body, sizeof(struct stack_tcp_states));
	tern_msg_free(m);
	return 0;
}

static int
src_conns(void *ctx, unsigned worker, uint32_t cursor, struct tern_conn_row *rows, uint32_t max,
	  uint32_t *nrows, uint32_t *next)
{
	struct tern_msg *m = tern_msg_new(STACK_MSG_CONNS, stack_conns_size(max));
	struct stack_conns *page = m != NULL ? (struct stack_conns *)m->body : NULL;
	int rc;

	if (page == NULL)
		return -ENOMEM;
	page->listeners = cursor == UINT32_MAX;
	page->cursor = page->listeners ? 0 : cursor;
	page->max_rows = max;
	m->len = sizeof(*page);
	rc = call(ctx, worker, m);
	if (rc != 0)
		return rc;
	*nrows = RTE_MIN(page->nrows, max);
	*next = page->next_cursor;
	memcpy(rows, page->rows, *nrows * sizeof(*rows));
	tern_msg_free(m);
	return 0;
}

static unsigned
src_proxy_rows(void *ctx, struct proxy_row *rows, unsigned max)
{
	struct tern_runtime *rt = ctx;
	struct stack_main *sm = rt->main_state;
	struct fetch_ctx fc = { .rt = rt, .running = 1 };
	unsigned n;

	pthread_mutex_lock(&sm->proxy_lock);
	n = proxy_main_rows(sm->proxy, stack_proxy_fetch, &fc, rows, max);
	pthread_mutex_unlock(&sm->proxy_lock);
	return n;
}

static int
src_proxy_set(void *ctx, const char *backend, const char *server, const char *what)
{
	struct tern_runtime *rt = ctx;
	struct stack_main *sm = rt->main_state;
	int rc;

	pthread_mutex_lock(&sm->proxy_lock);
	rc = proxy_main_set(sm->proxy, backend, server, what, stack_proxy_broadcast, rt);
	pthread_mutex_unlock(&sm->proxy_lock);
	return rc;
}

/*
 * A worker's capture share, through the channel while the workers run (the
 * worker sets it itself, and its answer is the barrier); set directly once
 * they have stopped (tern is shutting down and the capture is being closed).
 */
static int
src_capture(void *ctx, unsigned worker, struct tern_capture *cap)
{
	struct tern_runtime *rt = ctx;
	struct stack_main *sm = rt->main_state;
	struct tern_msg *m;
	int rc;

	if (worker >= rt->cfg.workers)
		return -EINVAL;
	if (__atomic_load_n(&sm->workers_stopped, __ATOMIC_ACQUIRE)) {
		rt->peers[worker]->capture = cap;
		return 0;
	}
	m = tern_msg_new(TERN_MSG_CAPTURE, sizeof(cap));
	if (m == NULL)
		return -ENOMEM;
	memcpy(m->body, &cap, sizeof(cap));
	m->len = sizeof(cap);
	rc = call(rt, worker, m);
	if (rc == 0)
		tern_msg_free(m);
	return rc;
}

struct ctl *
stack_ctl_start(struct tern_runtime *rt)
{
	struct ctl_source src = {
		.ctx = rt, .nworkers = rt->cfg.workers, .layout = stack_counters(),
		.nports = RTE_MIN(rt->nports_up, (uint16_t)RTE_DIM(src.port_ids)),
		.counters = src_counters, .loop_stats = src_loop_stats, .pool = src_pool,
		.conns = src_conns, .tcp_states = src_tcp_states, .proxy_rows = src_proxy_rows,
		.proxy_set = src_proxy_set, .capture = src_capture,
	};

	for (uint16_t p = 0; p < src.nports; p++)
		src.port_ids[p] = rt->ports[p].port_id;
	return ctl_start(&rt->cfg, &src);
}
