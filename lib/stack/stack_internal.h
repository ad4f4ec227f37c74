/* Shared between the files of lib/stack; not part of its interface. */
#ifndef TERN_STACK_INTERNAL_H
#define TERN_STACK_INTERNAL_H

#include <stdio.h>

#include "core/runtime.h"
#include "proxy/proxy.h"
#include "svc/svc.h"

struct proxy_main;

/* What the main lcore keeps for the program (rt->main_state). */
struct stack_main {
	struct svc_report svc;
	struct proxy_main *proxy;
	int proxy_ready;             /* proxy_main_create was tried */
	int aborted;                 /* the grace time ran out: sessions were reset */
	uint64_t aborted_at;         /* TSC */
};

/* Worker side: a proxy note to the control side (counted when lost). */
void stack_proxy_notify(struct tern_worker *w, const struct proxy_note *n);

/* Control side (stack_main.c): the runtime's program hooks. */
int stack_main_poll(struct tern_runtime *rt, int stopping);
void stack_print(struct tern_runtime *rt, FILE *f, int running);
unsigned stack_stop_begin(struct tern_runtime *rt);
int stack_stop_poll(struct tern_runtime *rt, int grace_over);
void stack_main_fini(struct tern_runtime *rt);

#endif
