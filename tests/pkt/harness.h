/*
 * One tern worker in memory, built by the composition root (stack_build)
 * exactly as tern builds it, on virtual time: injected frames reach it
 * through the worker's rx hook in the production loop (tern_worker_poll:
 * burst input, steering, then timers), and what it sends is captured by
 * the tx hook and kept, stamped with the virtual time, until the runner
 * matches it. No network, no threads. The socket shim is the application
 * (no built-in services).
 */
#ifndef PKT_HARNESS_H
#define PKT_HARNESS_H

#include <stdint.h>

#include "core/config.h"
#include "core/port.h"
#include "core/worker.h"
#include "frame.h"
#include "stack/stack.h"

struct seg_queue {
	struct wire_seg *v;
	int head, n, cap;
};

struct harness {
	struct stack_worker *sw;     /* cache aligned, from rte_zmalloc */
	struct tern_port port;
	struct tern_config cfg;
	struct rte_mbuf *rx[TERN_RX_BURST]; /* frames for the next poll: one burst */
	uint16_t nrx;
	int64_t now_us;              /* virtual time since the script's 0 */
	struct seg_queue out;        /* captured TCP segments, oldest first */
	unsigned other_frames;       /* ARP and the like, not checked */
	unsigned bad_frames;         /* captured frames the port refuses or that do not parse */
	char bad_why[96];            /* what was wrong with the first */
	unsigned pool_base;          /* mbufs in use before the stack started */
	int open, stopped;
	int lro;                     /* the profile's lro */
};

struct harness_profile {
	uint32_t mtu, rcvbuf, sndbuf;
	const char *cc;              /* congestion control; "" or NULL: tern's default */
	const char *syncookies;      /* [tcp] syncookies; "" or NULL: tern's default */
	uint32_t backlog;            /* [tcp] backlog; 0: tern's default */
	uint32_t source_max;         /* [tcp] source_max_connections; 0: no cap (tern's default) */
	const char *ecn;             /* [tcp] ecn ("off", "accept", "on"); "" or NULL: tern's default */
	int no_tso;                  /* 1: the port has no TSO (default: it has, modelled in capture) */
	int lro;                     /* 1: inbound TCP frames above the MTU are marked coalesced */
};

/* EAL without hugepages and one mbuf pool, once per process. Returns 0 or -1. */
int harness_global_init(const char *prog);

/* A fresh stack at virtual time 0. Returns 0 or -1 (message on stderr). */
int harness_open(struct harness *h, const struct harness_profile *p);

/* Aborts every connection (the app hears on_closed) and frees the TCP layer. */
void harness_stop(struct harness *h);
/* Tears the rest down; returns the mbufs still in use (a leak, once the app freed its own). */
int harness_close(struct harness *h);

/* Moves virtual time forward to us (>= now), fires due timers, captures output. */
void harness_goto(struct harness *h, int64_t us);

/* Sends queued frames to the capture (after any call into the stack). */
void harness_flush(struct harness *h);

/* Hands one frame from the peer to tern (a burst of one: queue, then poll). */
void harness_inject(struct harness *h, const uint8_t *frame, size_t len);
/*
 * Queues a frame for the next burst without running the worker; 0, or -1
 * when the burst is full. harness_poll delivers the burst.
 */
int harness_queue(struct harness *h, const uint8_t *frame, size_t len);
/* One worker loop at the current time: the queued burst, timers, output. */
void harness_poll(struct harness *h);

/* The TCP layer (the shim calls its API). */
static inline struct tcp_worker *
harness_tcp(struct harness *h)
{
	return &h->sw->tcp;
}

/* The oldest captured segment not yet taken, or NULL. */
struct wire_seg *harness_front(struct harness *h);
void harness_pop(struct harness *h);

/* Timers armed on the TCP wheel (none: time can jump). */
uint64_t harness_timers(const struct harness *h);

#endif
