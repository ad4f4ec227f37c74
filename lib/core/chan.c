#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "chan.h"
#include "worker.h"

/* Several stacks in one process (tests, benchmarks) need distinct ring names. */
static unsigned chan_serial;

struct tern_msg *
tern_msg_new(uint16_t type, size_t cap)
{
	struct tern_msg *m = calloc(1, sizeof(*m) + cap);

	if (m != NULL) {
		m->type = type;
		m->cap = cap;
	}
	return m;
}

void
tern_msg_free(struct tern_msg *m)
{
	free(m);
}

int
tern_chan_init(struct tern_chan *ch, unsigned worker_index, int socket)
{
	char name[RTE_RING_NAMESIZE];
	unsigned serial = __atomic_fetch_add(&chan_serial, 1, __ATOMIC_RELAXED);

	memset(ch, 0, sizeof(*ch));
	pthread_mutex_init(&ch->lock, NULL);
	snprintf(name, sizeof(name), "tern_req_%u_%u", worker_index, serial);
	ch->req = rte_ring_create(name, TERN_CHAN_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "tern_rep_%u_%u", worker_index, serial);
	ch->rep = rte_ring_create(name, TERN_CHAN_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "tern_note_%u_%u", worker_index, serial);
	ch->notes = rte_ring_create(name, TERN_CHAN_NOTES, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	return ch->req != NULL && ch->rep != NULL && ch->notes != NULL ? 0 : -ENOMEM;
}

static void
ring_drain_free(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		tern_msg_free(m);
	rte_ring_free(r);
}

void
tern_chan_fini(struct tern_chan *ch)
{
	ring_drain_free(ch->req);
	ring_drain_free(ch->rep);
	ring_drain_free(ch->notes);
	ch->req = ch->rep = ch->notes = NULL;
	pthread_mutex_destroy(&ch->lock);
}

/*
 * Replies owed are bounded by the reply ring's room, so a worker's reply
 * always fits and the worker never has to drop (or hold) one.
 */
static int
send_locked(struct tern_chan *ch, struct tern_msg *m)
{
	int wants_reply = !(m->flags & TERN_MSG_NO_REPLY);

	if (wants_reply && ch->owed >= rte_ring_get_capacity(ch->rep))
		return -ENOBUFS;
	m->seq = ++ch->next_seq;
	if (rte_ring_sp_enqueue(ch->req, m) != 0)
		return -ENOBUFS;
	ch->owed += wants_reply;
	return 0;
}

int
tern_chan_send(struct tern_worker *w, struct tern_msg *m)
{
	int rc;

	pthread_mutex_lock(&w->chan.lock);
	rc = send_locked(&w->chan, m);
	pthread_mutex_unlock(&w->chan.lock);
	return rc;
}

struct tern_msg *
tern_chan_reply(struct tern_worker *w)
{
	void *m = NULL;

	pthread_mutex_lock(&w->chan.lock);
	if (rte_ring_sc_dequeue(w->chan.rep, &m) != 0)
		m = NULL;
	else
		w->chan.owed--;
	pthread_mutex_unlock(&w->chan.lock);
	return m;
}

/* The reply to seq, freeing stale ones on the way; NULL when not there yet. */
static struct tern_msg *
reply_for(struct tern_chan *ch, uint32_t seq)
{
	void *v;

	while (rte_ring_sc_dequeue(ch->rep, &v) == 0) {
		struct tern_msg *m = v;

		ch->owed--;
		if (m->seq == seq && !m->abandoned)
			return m;
		tern_msg_free(m); /* a reply its caller stopped waiting for */
	}
	return NULL;
}

int
tern_chan_call(struct tern_worker *w, struct tern_msg *m, unsigned timeout_ms)
{
	struct tern_chan *ch = &w->chan;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() * timeout_ms / 1000;
	struct tern_msg *r = NULL;
	int rc;

	pthread_mutex_lock(&ch->lock);
	rc = send_locked(ch, m);
	while (rc == 0 && (r = reply_for(ch, m->seq)) == NULL) {
		if (rte_get_timer_cycles() > deadline) {
			__atomic_store_n(&m->abandoned, 1, __ATOMIC_RELEASE);
			rc = -ETIMEDOUT;
			break;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20000 }, NULL);
	}
	pthread_mutex_unlock(&ch->lock);
	return rc;
}

unsigned
tern_chan_broadcast(struct tern_worker *const *workers, unsigned n, uint16_t type,
		    const void *body, size_t len)
{
	unsigned sent = 0;

	for (unsigned i = 0; i < n; i++) {
		struct tern_msg *m = tern_msg_new(type, len);

		if (m == NULL)
			break;
		memcpy(m->body, body, len);
		m->len = len;
		m->flags = TERN_MSG_NO_REPLY;
		if (tern_chan_send(workers[i], m) != 0) {
			tern_msg_free(m);
			continue;
		}
		sent++;
	}
	return sent;
}

int
tern_chan_notify(struct tern_worker *w, uint16_t type, const void *body, size_t len)
{
	struct tern_msg *m = tern_msg_new(type, len);

	if (m == NULL)
		return -ENOMEM;
	memcpy(m->body, body, len);
	m->len = len;
	m->worker = w->index;
	if (rte_ring_sp_enqueue(w->chan.notes, m) != 0) {
		tern_msg_free(m);
		return -ENOBUFS;
	}
	return 0;
}

struct tern_msg *
tern_chan_note(struct tern_worker *w)
{
	void *m = NULL;

	/* Only the control side's main loop takes notes: a single consumer. */
	return rte_ring_sc_dequeue(w->chan.notes, &m) == 0 ? m : NULL;
}

/* Core's own requests; the rest go to the program (ops->msg). */
static void
serve_one(struct tern_worker *w, struct tern_msg *m)
{
	struct tern_loop_stats *ls = (struct tern_loop_stats *)m->body;

	switch (m->type) {
	case TERN_MSG_COUNTERS:
		if (w->counters == NULL || m->cap < w->counters->total * sizeof(uint64_t))
			break;
		tern_counters_read(w->counters, w, (uint64_t *)m->body);
		m->len = w->counters->total * sizeof(uint64_t);
		m->status = 0;
		return;
	case TERN_MSG_LOOP_STATS:
		if (m->cap < sizeof(*ls))
			break;
		*ls = (struct tern_loop_stats){ .loops = w->loops, .busy_loops = w->busy_loops,
			.requests_served = w->chan.served, .now = w->now };
		m->len = sizeof(*ls);
		m->status = 0;
		return;
	case TERN_MSG_CAPTURE:
		if (m->len != sizeof(w->capture))
			break;
		memcpy(&w->capture, m->body, sizeof(w->capture));
		m->status = 0;
		return;
	default:
		if (w->ops->msg != NULL)
			w->ops->msg(w, m);
		return;
	}
	m->status = -EINVAL;
}

void
tern_chan_serve(struct tern_worker *w)
{
	void *v[TERN_CHAN_PER_LOOP];
	unsigned n = rte_ring_sc_dequeue_burst(w->chan.req, v, TERN_CHAN_PER_LOOP, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct tern_msg *m = v[i];
		uint64_t t0 = rte_rdtsc();

		m->worker = w->index;
		m->status = -ENOTSUP;
		serve_one(w, m);
		m->served_tsc = rte_rdtsc() - t0;
		w->chan.served++;
		if (m->flags & TERN_MSG_NO_REPLY)
			tern_msg_free(m);
		else if (rte_ring_sp_enqueue(w->chan.rep, m) != 0)
			rte_panic("control channel: reply ring of worker %u full\n", w->index);
	}
}
