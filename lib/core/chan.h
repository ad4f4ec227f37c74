/*
 * The control channel: typed messages between the control side (the main
 * lcore, or a telemetry thread) and one worker, never mbufs.
 *
 * Each worker has a bounded request ring and a reply ring, both single
 * producer and single consumer. The worker serves at most
 * TERN_CHAN_PER_LOOP requests per loop, each handler bounded by its own
 * budget (a page of connections is at most a few hundred rows), so a
 * worker is never held for long; a request that finds the ring full fails
 * at once with -ENOBUFS, it never waits on a worker. Control-side callers
 * are serialised per worker by a mutex, which only the control side takes.
 *
 * Message types belong to the program that composes the modules
 * (lib/stack: enum stack_msg); core only carries them.
 */
#ifndef TERN_CORE_CHAN_H
#define TERN_CORE_CHAN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ring.h>

#define TERN_CHAN_RING 64        /* requests in flight per worker (and replies) */
#define TERN_CHAN_PER_LOOP 4     /* requests a worker serves per loop */
#define TERN_CHAN_NOTES 1024     /* notes from a worker not yet taken by the control side */

#define TERN_MSG_NO_REPLY 1u     /* the worker frees it once served (broadcast events) */

/* Message types core serves itself; a program's own start at TERN_MSG_PROGRAM. */
enum tern_msg_type {
	TERN_MSG_COUNTERS = 1,   /* reply: the worker's counters, uint64_t[layout total] */
	TERN_MSG_LOOP_STATS,     /* reply: struct tern_loop_stats */
	/*
	 * body: a struct tern_capture * (capture.h) the worker uses from now on,
	 * or NULL: once this is answered the worker never touches the previous one.
	 */
	TERN_MSG_CAPTURE,
	TERN_MSG_PROGRAM = 16,
};

/* A worker's loop, as `ternctl workers` shows it. */
struct tern_loop_stats {
	uint64_t loops, busy_loops;   /* loops, and loops that found packets */
	uint64_t requests_served;     /* control requests */
	uint64_t now;                 /* its TSC when it answered */
};

struct tern_msg {
	uint16_t type;               /* the program's message type */
	uint16_t flags;              /* TERN_MSG_* */
	int32_t status;              /* set by the worker: 0 or -errno */
	uint32_t seq;                /* matches a reply to its call */
	uint16_t worker;             /* the index of the worker that served it */
	uint8_t abandoned;           /* the caller gave up waiting: free on arrival */
	uint64_t served_tsc;         /* TSC cycles the handler took */
	size_t cap;                  /* bytes of body */
	size_t len;                  /* bytes of body in use (request, then reply) */
	uint8_t body[] __attribute__((aligned(8)));
};

struct tern_chan {
	struct rte_ring *req;        /* control -> worker */
	struct rte_ring *rep;        /* worker -> control */
	struct rte_ring *notes;      /* worker -> control, unasked (health check results...) */
	pthread_mutex_t lock;        /* control side only */
	uint32_t next_seq;
	unsigned owed;               /* replies not yet taken (control side, under lock) */
	uint64_t served;             /* requests this worker served (its own count) */
};

/* A message with room for cap bytes of body, zeroed. NULL when out of memory. */
struct tern_msg *tern_msg_new(uint16_t type, size_t cap);
void tern_msg_free(struct tern_msg *m);

/* Rings named after the worker, on its NUMA node. 0 or -errno. */
int tern_chan_init(struct tern_chan *ch, unsigned worker_index, int socket);
/* Frees the rings and every message still in them. */
void tern_chan_fini(struct tern_chan *ch);

struct tern_worker;

/* Control side: queues m for worker w. 0 (w owns m now), or -ENOBUFS when the ring is full. */
int tern_chan_send(struct tern_worker *w, struct tern_msg *m);
/* Control side: the next reply, or NULL. The caller owns it. */
struct tern_msg *tern_chan_reply(struct tern_worker *w);
/*
 * Control side: sends m and waits up to timeout_ms for its reply (the
 * worker must be polling on another lcore). 0: m holds the reply;
 * -ENOBUFS: ring full, the caller keeps m; -ETIMEDOUT: no reply in time,
 * m now belongs to the channel (freed when its reply arrives).
 */
int tern_chan_call(struct tern_worker *w, struct tern_msg *m, unsigned timeout_ms);
/* Control side: a copy of body to every worker, no reply. Returns how many took it. */
unsigned tern_chan_broadcast(struct tern_worker *const *workers, unsigned n, uint16_t type,
			     const void *body, size_t len);

/* Worker side, from its loop: serves what is waiting (bounded). */
void tern_chan_serve(struct tern_worker *w);

/*
 * Worker side: tells the control side something it did not ask for (a
 * copy of body). 0, or -ENOBUFS / -ENOMEM: not sent (the caller counts it).
 */
int tern_chan_notify(struct tern_worker *w, uint16_t type, const void *body, size_t len);
/* Control side: the next note of worker w, or NULL. The caller owns it. */
struct tern_msg *tern_chan_note(struct tern_worker *w);

#endif
