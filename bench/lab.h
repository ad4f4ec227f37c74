/*
 * A lab in memory: several whole tern workers in one process, each built
 * by stack_build from its own configuration text, their ports attached to
 * Ethernet segments (a switch each: frames go to the member with their
 * destination MAC, broadcasts to every other member), handed over as a NIC
 * with checksum offloads would. Time is virtual: every lab_poll moves it
 * forward by a fixed step, so what a test sees never depends on how fast
 * the machine is (benchmarks use the TSC instead: lab_use_tsc). A tamper
 * hook per link may drop frames.
 *
 * Used by the proxy's in-memory tests (a client, the proxy, servers) and
 * by tern-bench proxy.
 */
#ifndef TERN_BENCH_LAB_H
#define TERN_BENCH_LAB_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "core/config.h"
#include "core/port.h"
#include "stack/stack.h"

#define LAB_NODES 8
#define LAB_SEGMENTS 4
#define LAB_SEG_PORTS 8         /* node ports per segment */
#define LAB_STEP_NS 2000        /* virtual time per lab_poll */

struct lab;
struct lab_node;

/* Returns 1 to drop m on its way out of node's port. */
typedef int (*lab_tamper_fn)(void *ctx, const struct lab_node *from, uint16_t port,
			     const struct rte_mbuf *m);
/* Called after every lab_poll (before time moves on): a test's own work between loops. */
typedef void (*lab_poll_fn)(void *ctx);

struct lab_node {
	char name[16];
	struct lab *lab;
	struct tern_config cfg;
	struct tern_port ports[TERN_MAX_PORTS];
	struct rte_mempool *pool;
	struct stack_worker *sw;
	struct rte_ring *rx[TERN_MAX_PORTS];   /* frames the segment delivered to this port */
	int seg[TERN_MAX_PORTS];               /* the segment each port is on, -1: none */
	uint64_t frames_out, dropped;
	uint64_t busy_cycles;                  /* TSC cycles in its loops (lab_use_tsc only) */
};

struct lab_member {
	struct lab_node *node;
	uint16_t port;
};

struct lab_segment {
	unsigned n;
	struct lab_member m[LAB_SEG_PORTS];
};

struct lab {
	unsigned n;
	struct lab_node node[LAB_NODES];
	struct lab_segment seg[LAB_SEGMENTS];
	uint64_t now;                          /* virtual TSC (1 tick = 1 ns), or the TSC */
	int tsc;                               /* lab_use_tsc: real time */
	int tso_lro;                           /* ports hand over frames of up to 64 KiB whole
						* (TSO on send, LRO on receive); set before lab_add */
	lab_tamper_fn tamper;
	void *tamper_ctx;
	lab_poll_fn after_poll;                /* NULL: none */
	void *after_poll_ctx;
};

/* Starts the virtual clock (EAL must be up; the lab needs a TSC rate of 1 GHz: tern_clock_init). */
void lab_init(struct lab *l);

/*
 * Real time instead of virtual (benchmarks; before lab_add, with
 * tern_clock_init at the TSC's rate): every node polls at the TSC's
 * present, and the cycles each one spends are counted in busy_cycles.
 */
void lab_use_tsc(struct lab *l);

/*
 * A node from configuration text (INI, as a file would hold: its ports'
 * device keys are ignored). Returns the node, or NULL with err.
 */
struct lab_node *lab_add(struct lab *l, const char *name, const char *ini, unsigned mbufs,
			 char *err, size_t errlen);
/* Puts node's port on segment seg (0 .. LAB_SEGMENTS-1); its members know each other's MACs. */
void lab_attach(struct lab_node *x, uint16_t port, unsigned seg);

/* One loop of every node, then time moves LAB_STEP_NS on. */
void lab_poll(struct lab *l);
/* Polls until done(ctx) says so or max_ms of virtual time passed; 0 when done. */
int lab_run(struct lab *l, int (*done)(void *ctx), void *ctx, unsigned max_ms);

/* Stops every node and frees everything; returns the mbufs not back in their pools (0). */
unsigned lab_destroy(struct lab *l);

#endif
