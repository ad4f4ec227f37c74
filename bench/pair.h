/*
 * Two whole tern stacks in one process, back to back in memory: a client
 * (the `client` service) and an `http` server, 198.18.0.2 and 198.18.0.1.
 * What one side transmits goes to the other's receive ring, marked as a NIC
 * pair with checksum offloads would hand it over; a tamper hook may drop
 * chosen frames on the way (loss tests without netem). Used by tern-bench
 * conn and by the in-memory loss tests (tests/unit/test_pair.c).
 */
#ifndef TERN_BENCH_PAIR_H
#define TERN_BENCH_PAIR_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "svc/client.h"
#include "core/config.h"
#include "svc/svc_config.h"
#include "core/port.h"
#include "stack/stack.h"

#define PAIR_SERVER_IP 0xc6120001u /* 198.18.0.1 */
#define PAIR_CLIENT_IP 0xc6120002u /* 198.18.0.2 */

/* Returns 1 to drop frame m, sent by the server (from_server) or the client. */
typedef int (*pair_tamper_fn)(void *ctx, int from_server, const struct rte_mbuf *m);

struct pair_side {
	struct tern_config cfg;
	struct tern_port port;
	struct rte_mempool *pool;
	struct stack_worker *sw;
	struct rte_ring *rx;          /* frames the other side sent */
	struct pair_side *peer;
	struct pair *pair;
	int is_server;
	int wire;                     /* enum pair_wire_kind */
	uint64_t frames_out, ring_full, tampered, tso_frames;
};

struct pair {
	struct pair_side server, client;
	pair_tamper_fn tamper;
	void *tamper_ctx;
};

/* What the in-memory wire models. */
enum pair_wire_kind {
	PAIR_WIRE_MSS = 0,   /* NICs without TSO: tern sends segments of one MSS */
	PAIR_WIRE_TSO,       /* the sender's NIC segments frames of up to 64 KiB; the receiver gets segments */
	PAIR_WIRE_TSO_LRO,   /* and the receiver's NIC coalesces them again (LRO): frames pass whole,
			      * as Linux's loopback passes GSO packets */
};

struct pair_opts {
	struct svc_cfg client;            /* the client service: mode, concurrency, path, duration */
	int wire;                         /* enum pair_wire_kind */
	uint32_t max_connections;         /* per side */
	uint32_t msl_ms;
	uint32_t mbufs;                   /* per side */
	uint32_t sndbuf, rcvbuf;          /* 0: [tcp] defaults */
};

/* Builds both stacks (the pair must stay at its address). Returns 0 or -1 with err. */
int pair_create(struct pair *p, const struct pair_opts *o, char *err, size_t errlen);
/* Polls both sides until the client has finished, at most max_s seconds. Returns 0 when it finished. */
int pair_run(struct pair *p, double max_s);
struct client_worker *pair_client(struct pair *p);
/* Stops both stacks, frees everything; returns the mbufs not back in their pools (0). */
unsigned pair_destroy(struct pair *p);

/*
 * The two-lcore layout (pair_ring.c, tern-bench only): after pair_create,
 * each side gets a net_ring port (the other's TX ring is its RX ring) in
 * place of the tx_hook, and its own lcore runs tern_worker_poll.
 */
struct pair_wire {
	struct pair *p;
	struct rte_ring *ring[2];     /* [0] client -> server, [1] server -> client */
	int port[2];                  /* ethdev ports of [0] the client, [1] the server */
	int stop;                     /* set by the client's lcore when it is done */
};

int pair_wire_attach(struct pair_wire *wi, struct pair *p, char *err, size_t errlen);
/* The server on server_lcore, the client on the calling lcore until it has finished (0) or max_s. */
int pair_wire_run(struct pair_wire *wi, unsigned server_lcore, double max_s);
/* Before pair_destroy: closes the ports, frees what is still on the wire. */
void pair_wire_detach(struct pair_wire *wi);

/*
 * A started net_ring port receiving from rx and sending to tx, its frames
 * marked as a checksum-offloading NIC hands them over (with tso_lro, TSO
 * frames pass whole and arrive as LRO frames); tp gets its id and TSO when
 * tso_lro. The caller takes its worker's hooks away. Returns the port or
 * -1 with err (also when DPDK has no net_ring PMD).
 */
int bench_wire_port(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		    struct rte_mempool *pool, int tso_lro, struct tern_port *tp, char *err,
		    size_t errlen);

/* Stops and closes a port of bench_wire_port (and its callback); -1 is no port. */
void bench_wire_port_close(int port);

/*
 * 0, or -1 with err when sw (called who) counted a drop that a wire
 * modelling NICs never causes (over the MTU unmarked, checksums,
 * truncation, a full TX backlog), or when the wire itself lost `lost` of
 * the frames who sent: the figure of such a run is the wire's, not tern's.
 */
int bench_wire_check(const struct stack_worker *sw, const char *who, uint64_t lost, char *err,
		     size_t errlen);

/* Frees the mbufs still in *r (any pool's), then the ring; *r becomes NULL (NULL: nothing). */
void bench_ring_free(struct rte_ring **r);
/* Frees what a worker's TX backlogs still hold (its ports are about to close). */
void bench_backlog_free(struct tern_worker *w, uint16_t nports);

/* An mbuf pool for in-memory runs (objects may straddle 4 KiB pages: nothing is DMAed). */
struct rte_mempool *bench_pool_create(const char *name, unsigned n);
extern int bench_huge;

#endif
