/*
 * The protocol stack as one worker sees it: lib/net and lib/tcp composed
 * into the worker's burst handlers. Lives above net and tcp so that no
 * lower layer calls up into a higher one.
 */
#ifndef TERN_STACK_STACK_H
#define TERN_STACK_STACK_H

#include "core/runtime.h"
#include "core/worker.h"
#include "net/net.h"
#include "tcp/tcp_worker.h"

struct app_worker;

struct stack_worker {
	struct tern_worker w;   /* first: the runtime allocates and passes this */
	struct net_worker net;
	struct tcp_worker tcp;
	struct app_worker *app;
	int announced;
};

/* The app description the runtime needs to run the stack. */
extern const struct tern_app stack_app;

#endif
