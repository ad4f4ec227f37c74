/*
 * The composition root: lib/net, lib/tcp and the services composed into
 * one worker, in the production order (rx burst -> net -> steering -> TCP
 * burst input -> services -> output -> tx, then timers). tern, tern-pkt,
 * the unit tests and tern-bench all build workers with stack_build; an
 * in-memory worker (rx/tx hooks and a virtual clock, see core/worker.h)
 * is an option of that one build, not a second wiring.
 *
 * It also owns what only the whole program knows: the configuration
 * schema (every module's sections), where each module's counters sit in
 * the worker struct, and the control channel's message types.
 */
#ifndef TERN_STACK_STACK_H
#define TERN_STACK_STACK_H

#include <stdint.h>

#include "core/chan.h"
#include "core/config.h"
#include "core/counters.h"
#include "core/runtime.h"
#include "core/worker.h"
#include "net/net.h"
#include "proxy/proxy.h"
#include "tcp/tcp.h"
#include "tcp/tcp_worker.h"

struct svc_worker;

struct stack_worker {
	struct tern_worker w;   /* first: the runtime allocates and passes this */
	struct net_worker net;
	struct tcp_worker tcp;
	struct svc_worker *svc;
	struct proxy_worker *proxy;   /* NULL: no frontend configured */
	struct proxy_counters proxy_cnt;
	int announced;
	uint64_t events;        /* broadcast events received (STACK_MSG_EVENT) */
	uint64_t last_event_arg;
};

/* Options of stack_build. */
#define STACK_NO_SERVICES 1u  /* the caller is the application (tern-pkt's socket shim) */

/*
 * Builds sw from cfg and env (see struct tern_worker_env: in-memory hooks
 * included). On failure whatever was built is torn down. 0 or -errno.
 */
int stack_build(struct stack_worker *sw, const struct tern_config *cfg,
		const struct tern_worker_env *env, unsigned flags);
/* Aborts every connection (their applications hear on_closed), then frees everything. */
void stack_teardown(struct stack_worker *sw);

/* The configuration sections tern reads, every module's. */
extern const struct cfg_schema stack_schema;
/* Where a stack_worker holds each module's counters. */
const struct tern_counter_layout *stack_counters(void);
/* One counter of one worker by name (tests, benchmarks); aborts on an unknown name. */
uint64_t stack_counter(const struct stack_worker *sw, const char *name);

/* The program tern runs. */
extern const struct tern_program stack_program;

/* ---- control channel: the message types of the whole program ------------------- */

enum stack_msg {
	STACK_MSG_CONNS = TERN_MSG_PROGRAM, /* a page of connections: struct stack_conns */
	STACK_MSG_EVENT,                    /* a broadcast event: struct stack_event, no reply */
	STACK_MSG_PROXY_STATS,              /* one worker's proxy counts: struct stack_proxy_stats */
	STACK_NOTE_PROXY,                   /* worker -> control: struct proxy_note */
	STACK_MSG_TCP_STATES,               /* connections per TCP state: struct stack_tcp_states */
};

/* STACK_MSG_TCP_STATES: the reply only (tern_tcp_states). */
struct stack_tcp_states {
	uint32_t n[TERN_TCP_NSTATES];
};

/* STACK_MSG_PROXY_STATS: the request sets backend (or PROXY_STATS_FRONTENDS) and max. */
struct stack_proxy_stats {
	uint32_t backend;
	uint32_t max;
	uint32_t n;               /* entries the worker has (may exceed max) */
	uint32_t sessions;        /* open sessions on the worker */
	struct proxy_stats st[];
};

static inline size_t
stack_proxy_stats_size(uint32_t max)
{
	return sizeof(struct stack_proxy_stats) + (size_t)max * sizeof(struct proxy_stats);
}

/* STACK_MSG_CONNS: the request sets cursor and max_rows; the reply fills the rest. */
struct stack_conns {
	uint32_t listeners;       /* 1: the listeners instead (tern_listen_rows; one page) */
	uint32_t cursor;          /* where to start (0: the beginning) */
	uint32_t max_rows;        /* rows the message has room for */
	uint32_t next_cursor;     /* where the next page starts; UINT32_MAX: the end */
	uint32_t nrows;
	struct tern_conn_row rows[];
};

/* The message body size for a page of max_rows rows. */
static inline size_t
stack_conns_size(uint32_t max_rows)
{
	return sizeof(struct stack_conns) + (size_t)max_rows * sizeof(struct tern_conn_row);
}

enum stack_event_kind {
	STACK_EV_PING = 1,        /* does nothing but count: proves the path (tests) */
	STACK_EV_PROXY,           /* data holds a struct proxy_event */
};

/* STACK_MSG_EVENT: small and typed; what health checks broadcast. */
struct stack_event {
	uint16_t kind;            /* enum stack_event_kind */
	uint16_t len;
	uint64_t arg;
	uint8_t data[48];
};

#endif
