/* Shared between the files of lib/stack; not part of its interface. */
#ifndef TERN_STACK_INTERNAL_H
#define TERN_STACK_INTERNAL_H

#include <pthread.h>

#include <stdio.h>

#include "core/runtime.h"
#include "proxy/proxy.h"
#include "svc/svc.h"

struct proxy_main;

/* What the main lcore keeps for the program (rt->main_state). */
struct stack_main {
	struct svc_report svc;
	/* The proxy's control side: the main lcore and telemetry commands take the lock. */
	pthread_mutex_t proxy_lock;
	struct proxy_main *proxy;
	int proxy_ready;             /* proxy_main_create was tried (and the lock set up) */
	struct ctl *ctl;             /* the control plane, from the first poll to the stop */
	int workers_stopped;         /* set once they have (atomic: telemetry threads read it) */
	int aborted;                 /* the grace time ran out: sessions were reset */
	uint64_t aborted_at;         /* TSC */
};

/* The proxy's counts summed over workers, for proxy_main_rows and _print. */
struct fetch_ctx {
	struct tern_runtime *rt;
	int running;                 /* ask the workers through the channel (else read them) */
	uint32_t sessions;
};
unsigned stack_proxy_fetch(void *ctx, uint32_t backend, struct proxy_stats *out, unsigned max);
/* proxy_emit_fn: an event to every worker (ctx: the runtime). */
void stack_proxy_broadcast(void *ctx, const struct proxy_event *ev);

/* The control plane's view of the runtime (stack_ctl.c); NULL when it could not start. */
struct ctl *stack_ctl_start(struct tern_runtime *rt);

/* Worker side: a proxy note to the control side (counted when lost). */
void stack_proxy_notify(struct tern_worker *w, const struct proxy_note *n);

/* Control side (stack_main.c): the runtime's program hooks. */
int stack_main_poll(struct tern_runtime *rt, int stopping);
unsigned stack_main_poll_us(struct tern_runtime *rt);
void stack_print(struct tern_runtime *rt, FILE *f, int running);
unsigned stack_stop_begin(struct tern_runtime *rt);
int stack_stop_poll(struct tern_runtime *rt, int grace_over);
void stack_main_fini(struct tern_runtime *rt);

#endif
