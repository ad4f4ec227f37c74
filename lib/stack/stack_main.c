/*
 * The program's control side, on the main lcore: the client services'
 * report, the proxy's notes in and its events out over the control
 * channel, its counts table, and the graceful stop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "core/log.h"
#include "ctl/ctl.h"
#include "proxy/proxy_config.h"
#include "proxy/proxy_main.h"
#include "stack.h"
#include "stack_internal.h"

#define CALL_MS 1000                 /* how long a worker may take to answer */

void
stack_proxy_notify(struct tern_worker *w, const struct proxy_note *n)
{
	struct stack_worker *sw = (struct stack_worker *)w;

	if (tern_chan_notify(w, STACK_NOTE_PROXY, n, sizeof(*n)) != 0)
		CNT_INC(&sw->proxy_cnt, ProxyNotesLost);
}

void
stack_proxy_broadcast(void *ctx, const struct proxy_event *ev)
{
	struct tern_runtime *rt = ctx;
	struct stack_event se = { .kind = STACK_EV_PROXY, .len = sizeof(*ev) };
	unsigned sent;

	RTE_BUILD_BUG_ON(sizeof(*ev) > sizeof(se.data));
	memcpy(se.data, ev, sizeof(*ev));
	sent = tern_chan_broadcast(rt->peers, rt->cfg.workers, STACK_MSG_EVENT, &se, sizeof(se));
	if (sent != rt->cfg.workers)
		TLOG(ERR, "proxy: an event reached %u of %u workers (control rings full)", sent,
		     rt->cfg.workers);
}

/* Every worker has served everything sent before: retired Maglev tables can go. */
static void
barrier_free_retired(struct tern_runtime *rt, struct proxy_main *pm)
{
	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		struct tern_msg *m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(struct tern_loop_stats));
		int rc = m != NULL ? tern_chan_call(rt->peers[i], m, CALL_MS) : -ENOMEM;

		if (rc != -ETIMEDOUT)
			tern_msg_free(m);
		if (rc != 0)
			return; /* kept until a later barrier: a leak is better than a use after free */
	}
	proxy_main_free_retired(pm);
}

/* The proxy's control side and its lock, once (the first poll or print). */
static void
proxy_ready(struct tern_runtime *rt, struct stack_main *sm)
{
	if (sm->proxy_ready)
		return;
	pthread_mutex_init(&sm->proxy_lock, NULL);
	sm->proxy = proxy_main_create(&rt->cfg);
	sm->proxy_ready = 1;
}

static void
proxy_poll(struct tern_runtime *rt, struct stack_main *sm)
{
	pthread_mutex_lock(&sm->proxy_lock);
	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		struct tern_msg *m;

		while ((m = tern_chan_note(rt->peers[i])) != NULL) {
			if (m->type == STACK_NOTE_PROXY && m->len == sizeof(struct proxy_note))
				proxy_main_note(sm->proxy, (const struct proxy_note *)m->body,
						stack_proxy_broadcast, rt);
			tern_msg_free(m);
		}
	}
	if (proxy_main_retired(sm->proxy) > 0)
		barrier_free_retired(rt, sm->proxy);
	pthread_mutex_unlock(&sm->proxy_lock);
}

int
stack_main_poll(struct tern_runtime *rt, int stopping)
{
	struct stack_main *sm = rt->main_state;
	struct svc_worker *svws[TERN_MAX_WORKERS];

	proxy_ready(rt, sm);
	if (!stopping) {
		if (sm->ctl == NULL)
			sm->ctl = stack_ctl_start(rt);
		proxy_poll(rt, sm);
		ctl_poll(sm->ctl);
	} else {
		/* The workers have stopped: no telemetry command may reach them now. */
		__atomic_store_n(&sm->workers_stopped, 1, __ATOMIC_RELEASE);
		ctl_stop(sm->ctl);
		sm->ctl = NULL;
	}
	for (unsigned i = 0; i < rt->cfg.workers; i++)
		svws[i] = ((struct stack_worker *)rt->peers[i])->svc;
	return svc_poll_clients(&sm->svc, svws, rt->cfg.workers, &rt->cfg, stopping);
}

/* Sooner than every 50 ms while the control plane asks for it (a capture's writer). */
unsigned
stack_main_poll_us(struct tern_runtime *rt)
{
	struct stack_main *sm = rt->main_state;

	return sm != NULL ? ctl_poll_us(sm->ctl) : 0;
}

/* proxy_fetch_fn: one backend's counts summed over the workers. */
unsigned
stack_proxy_fetch(void *ctx, uint32_t backend, struct proxy_stats *out, unsigned max)
{
	struct fetch_ctx *fc = ctx;
	struct proxy_stats *one = calloc(max ? max : 1, sizeof(*one));
	unsigned n = 0;

	fc->sessions = 0;
	for (unsigned w = 0; one != NULL && w < fc->rt->cfg.workers; w++) {
		struct stack_worker *sw = (struct stack_worker *)fc->rt->peers[w];
		unsigned k = 0;

		if (!fc->running) {
			k = proxy_stats_copy(sw->proxy, backend, one, max);
			fc->sessions += proxy_sessions(sw->proxy);
		} else {
			struct tern_msg *m = tern_msg_new(STACK_MSG_PROXY_STATS, stack_proxy_stats_size(max));
			struct stack_proxy_stats *ps = m != NULL ? (void *)m->body : NULL;
			int rc;

			if (ps == NULL)
				break;
			ps->backend = backend;
			ps->max = max;
			m->len = sizeof(*ps);
			rc = tern_chan_call(&sw->w, m, CALL_MS);
			if (rc == 0 && m->status == 0) {
				k = RTE_MIN(ps->n, max);
				memcpy(one, ps->st, k * sizeof(*one));
				fc->sessions += ps->sessions;
			}
			if (rc != -ETIMEDOUT)
				tern_msg_free(m);
		}
		for (unsigned i = 0; i < RTE_MIN(k, max); i++)
			proxy_stats_add(&out[i], &one[i]);
		n = RTE_MAX(n, k);
	}
	free(one);
	return n;
}

void
stack_print(struct tern_runtime *rt, FILE *f, int running)
{
	struct stack_main *sm = rt->main_state;
	struct fetch_ctx fc = { .rt = rt, .running = running };

	if (sm == NULL || rt->nbuilt < rt->cfg.workers)
		return;
	proxy_ready(rt, sm);
	pthread_mutex_lock(&sm->proxy_lock);
	proxy_main_print(sm->proxy, f, stack_proxy_fetch, &fc);
	pthread_mutex_unlock(&sm->proxy_lock);
}

unsigned
stack_stop_begin(struct tern_runtime *rt)
{
	struct proxy_event ev = { .kind = PROXY_EV_REFUSE };
	unsigned grace = proxy_configured(&rt->cfg) ? proxy_global_config(&rt->cfg)->grace_ms : 0;

	if (grace == 0)
		return 0;
	stack_proxy_broadcast(rt, &ev);
	TLOG(NOTICE, "stopping: new connections are refused, open ones have %u ms to finish", grace);
	return grace;
}

/* Sessions open on every worker (through the control channel). */
static uint32_t
open_sessions(struct tern_runtime *rt)
{
	struct fetch_ctx fc = { .rt = rt, .running = 1 };
	struct proxy_stats st[PROXY_MAX_FRONTENDS] = { 0 };

	stack_proxy_fetch(&fc, PROXY_STATS_FRONTENDS, st, PROXY_MAX_FRONTENDS);
	return fc.sessions;
}

int
stack_stop_poll(struct tern_runtime *rt, int grace_over)
{
	struct stack_main *sm = rt->main_state;
	uint32_t open = open_sessions(rt);

	if (open == 0)
		return 1;
	if (!grace_over)
		return 0;
	if (!sm->aborted) {
		struct proxy_event ev = { .kind = PROXY_EV_ABORT_ALL };

		TLOG(NOTICE, "stopping: grace time over, resetting %u open sessions", open);
		stack_proxy_broadcast(rt, &ev);
		sm->aborted = 1;
		sm->aborted_at = rte_get_timer_cycles();
	}
	/* The resets are out after a loop or two; never wait more than a second. */
	return rte_get_timer_cycles() - sm->aborted_at > rte_get_timer_hz();
}

void
stack_main_fini(struct tern_runtime *rt)
{
	struct stack_main *sm = rt->main_state;

	if (sm == NULL)
		return;
	__atomic_store_n(&sm->workers_stopped, 1, __ATOMIC_RELEASE);
	ctl_stop(sm->ctl);
	sm->ctl = NULL;
	proxy_main_free(sm->proxy);
	if (sm->proxy_ready)
		pthread_mutex_destroy(&sm->proxy_lock);
}
