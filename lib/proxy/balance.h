/*
 * Server choice for a new connection, independent of the TCP stack:
 *
 *  - roundrobin: nginx's smooth weighted round-robin. Each pick adds every
 *    eligible server's weight to its current value, takes the server with
 *    the largest current value (the first in the array on a tie) and takes
 *    the total weight off it. Over a cycle of sum(weights) picks each
 *    server is picked exactly its weight times, interleaved (5,1,1 gives
 *    a a b a c a a), and the sequence is deterministic.
 *  - leastconn: the eligible server with the fewest connections per unit
 *    of weight (conns / weight); ties go round-robin.
 *
 * Eligibility follows HAProxy: weight 0 is never picked; backup servers
 * are used only when no non-backup server is eligible, and then only the
 * first eligible backup unless all_backups (HAProxy's "option
 * allbackups") spreads the load over all of them.
 *
 * O(n) per pick. The caller owns the array and keeps conns up to date
 * (increment on a pick that connects, decrement on close).
 */
#ifndef TERN_PROXY_BALANCE_H
#define TERN_PROXY_BALANCE_H

#include <stdint.h>

enum balance_algo {
	BALANCE_ROUNDROBIN,
	BALANCE_LEASTCONN,
};

struct balance_server {
	uint32_t weight;        /* 0: not eligible (down, drained) */
	uint32_t conns;         /* current connections, for leastconn */
	uint8_t backup;
	int64_t current;        /* roundrobin state, zeroed by balance_reset */
};

struct balance {
	struct balance_server *srv;
	unsigned n;
	enum balance_algo algo;
	uint8_t all_backups;
	unsigned lc_next;       /* leastconn: where the next tie-breaking scan starts */
};

void balance_init(struct balance *b, struct balance_server *srv, unsigned n,
		  enum balance_algo algo);

/*
 * Restarts the roundrobin cycle and the leastconn tie-break. Optional after
 * a change of weights or of the eligible set: without it the picks adapt
 * within a cycle.
 */
void balance_reset(struct balance *b);

/* The index of the chosen server, or -1 when none is eligible. */
int balance_pick(struct balance *b);

#endif
