/*
 * The lab on two lcores over net_ring ports (bench/lab_ring.c, tern-bench
 * only): after lab_add and lab_attach (whose segments must each join two
 * ports), every node's ports become net_ring ports on a pair of rings per
 * segment, and one node runs on an lcore of its own.
 */
#ifndef TERN_BENCH_LAB_RING_H
#define TERN_BENCH_LAB_RING_H

#include "lab.h"

struct lab_ring {
	struct lab *l;
	struct rte_ring *ring[LAB_SEGMENTS][2];   /* [s][0]: member 0 to member 1, [s][1]: back */
	int port[LAB_NODES][TERN_MAX_PORTS];      /* ethdev port of each node's port, -1: none */
	struct lab_node *away;                    /* the node on the other lcore */
	int stop;                                 /* set by the caller's lcore when done */
};

/* Returns 0, or -1 with err (call lab_ring_detach either way). */
int lab_ring_attach(struct lab_ring *lr, struct lab *l, char *err, size_t errlen);

/*
 * Polls away on lcore and the other nodes on the caller's lcore until
 * done(ctx) or max_s seconds; 0 when done. Each node's busy_cycles counts
 * the TSC cycles of its loops that found packets.
 */
int lab_ring_run(struct lab_ring *lr, struct lab_node *away, unsigned lcore,
		 int (*done)(void *ctx), void *ctx, double max_s);

/* Before lab_destroy: closes the ports, frees what is still on the wire. */
void lab_ring_detach(struct lab_ring *lr);

#endif
