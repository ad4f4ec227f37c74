#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "client.h"
#include "client_parse.h"
#include "core/clock.h"
#include "core/log.h"
#include "pattern.h"

/* After the run, connections still busy this long are aborted (counted as errors). */
#define CLIENT_GRACE_S 5

enum slot_state { SLOT_FREE = 0, SLOT_CONNECTING, SLOT_BUSY, SLOT_CLOSING,
		  SLOT_IDLE /* paced rps: answered, kept alive until a request is due */ };

struct client_slot {
	struct tcb *c;
	struct client_worker *cw;
	uint8_t state;
	uint8_t answered;          /* the current connection completed a response */
	uint8_t in_idle;           /* on the idle stack (paced rps), at idle_pos */
	uint32_t idle_pos;
	uint64_t t0;               /* TSC: request sent (rps) or connect started (cps) */
	uint64_t retry_tsc;        /* after an error: not reopened before this (1 ms) */
	struct http_answer ans;
};

struct client_worker {
	const struct svc_cfg *cfg;
	struct tcp_worker *tw;
	uint64_t hz;
	uint64_t begin_tsc, end_tsc, abort_tsc;
	int running, finished;
	int warm;                  /* a first connection opened: the path (ARP) is known */
	uint32_t open_conns;
	uint32_t *free_slots;      /* stack of slot indices with no connection */
	uint32_t nfree;
	int paced;                 /* rate > 0: open loop */
	uint64_t sched_start;      /* rate: the schedule's origin (TSC) */
	uint64_t sched_k;          /* rate: requests (cps: connections) issued on it */
	uint64_t next_due;         /* rate: when the next one is due: start + k * hz / rate */
	uint32_t *idle_slots;      /* paced rps: connections waiting for a due request */
	uint32_t nidle;
	char request[TERN_DEVARGS_LEN + 96];
	uint32_t request_len;
	int check_pattern;
	struct client_result res;
	struct client_slot *slots;
};

static const struct tern_conn_ops client_ops;

static uint64_t
tsc_to_ns(const struct client_worker *cw, uint64_t cycles)
{
	return (uint64_t)((double)cycles * 1e9 / (double)cw->hz);
}

/* t0: when the request counts from (its scheduled time when paced). */
static void
send_request(struct client_slot *s, uint64_t t0)
{
	struct client_worker *cw = s->cw;

	http_answer_reset(&s->ans, cw->check_pattern);
	s->state = SLOT_BUSY;
	if (cw->cfg->mode == SVC_CLIENT_RPS)
		s->t0 = t0;
	if (tern_send_bytes(s->c, cw->request, cw->request_len) != cw->request_len) {
		cw->res.errors++; /* a fresh connection always has room for one request */
		s->state = SLOT_CLOSING;
		tern_abort(s->c);
	}
}

/* A kept-alive connection with nothing to send until a request is due (paced rps). */
static void
idle_push(struct client_slot *s)
{
	s->state = SLOT_IDLE;
	if (s->in_idle)
		return;
	s->in_idle = 1;
	s->idle_pos = s->cw->nidle;
	s->cw->idle_slots[s->cw->nidle++] = (uint32_t)(s - s->cw->slots);
}

/* Off the idle stack, wherever the slot is going (a no-op when it is not on it). */
static void
idle_remove(struct client_slot *s)
{
	struct client_worker *cw = s->cw;
	uint32_t last;

	if (!s->in_idle)
		return;
	s->in_idle = 0;
	last = cw->idle_slots[--cw->nidle]; /* the last takes its place */
	cw->idle_slots[s->idle_pos] = last;
	cw->slots[last].idle_pos = s->idle_pos;
}

/* The idle connection longest waiting, off the stack. */
static struct client_slot *
idle_pop(struct client_worker *cw)
{
	struct client_slot *s = &cw->slots[cw->idle_slots[--cw->nidle]];

	s->in_idle = 0;
	return s;
}

/* Rate: the next due time, from the schedule's origin (no drift from rounding an interval). */
static void
schedule_next(struct client_worker *cw)
{
	cw->sched_k++;
	cw->next_due = cw->sched_start +
		       (uint64_t)((unsigned __int128)cw->sched_k * cw->hz / cw->cfg->rate);
}

static int
open_slot(struct client_worker *cw, uint32_t idx, uint64_t t0)
{
	struct client_slot *s = &cw->slots[idx];

	s->c = tern_connect(cw->tw, rte_cpu_to_be_32(cw->cfg->target), (uint16_t)cw->cfg->port,
			    &client_ops, s);
	if (s->c == NULL) {
		cw->res.errors++; /* no TCB or source port now: tried again next loop */
		cw->free_slots[cw->nfree++] = idx;
		return -1;
	}
	s->state = SLOT_CONNECTING;
	s->answered = 0;
	s->t0 = t0;
	cw->open_conns++;
	cw->res.connections++;
	return 0;
}

static void
client_open(struct tcb *c, void *ctx)
{
	struct client_slot *s = ctx;

	(void)c;
	s->cw->warm = 1;
	tern_set_nodelay(s->c, 1);
	if (s->cw->paced && s->cw->cfg->mode == SVC_CLIENT_RPS)
		idle_push(s);
	else
		send_request(s, tern_now(s->cw->tw));
}

/* One answer complete: record it, then the next request or the end of the connection. */
static void
answer_done(struct client_slot *s)
{
	struct client_worker *cw = s->cw;
	uint64_t now = tern_now(cw->tw);

	cw->res.requests++;
	cw->res.end_tsc = now;
	lat_record(&cw->res.lat, tsc_to_ns(cw, now - s->t0));
	s->answered = 1;
	if (cw->cfg->requests != 0 && cw->res.requests >= cw->cfg->requests)
		cw->running = 0;
	if (cw->cfg->mode == SVC_CLIENT_RPS && cw->running && s->ans.keep_alive) {
		if (cw->paced)
			idle_push(s);
		else
			send_request(s, now);
		return;
	}
	s->state = SLOT_CLOSING;
	tern_close(s->c);
}

static void
client_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct client_slot *s = ctx;
	struct client_worker *cw = s->cw;

	/* Consumed first: closing with unread bytes would reset the connection (RFC 1122 4.2.2.13). */
	tern_consumed(c, rte_pktmbuf_pkt_len(m));
	for (struct rte_mbuf *seg = m; seg != NULL; seg = seg->next) {
		enum http_answer_status st;

		if (s->state != SLOT_BUSY) {
			cw->res.errors++; /* bytes nobody asked for */
			idle_remove(s);
			s->state = SLOT_CLOSING;
			tern_abort(c);
			break;
		}
		st = http_answer_feed(&s->ans, rte_pktmbuf_mtod(seg, const char *),
				      rte_pktmbuf_data_len(seg));
		if (st == HTTP_ANSWER_BAD || st == HTTP_ANSWER_EXTRA) {
			cw->res.errors++;
			s->state = SLOT_CLOSING;
			tern_abort(c);
			break;
		}
		if (st == HTTP_ANSWER_DONE) {
			cw->res.bytes += s->ans.body_len;
			cw->res.bad_bodies += s->ans.bad_bytes != 0;
			answer_done(s);
		}
	}
	rte_pktmbuf_free(m);
}

static void
client_peer_fin(struct tcb *c, void *ctx)
{
	struct client_slot *s = ctx;

	if (s->state == SLOT_IDLE) {
		idle_remove(s); /* a server may close an idle keep-alive connection */
		s->state = SLOT_CLOSING;
		if (!s->answered) { /* but one that never answered refuses: an error, and a pause */
			s->cw->res.errors++;
			s->retry_tsc = tern_now(s->cw->tw) + s->cw->hz / 1000;
		}
	} else if (s->state != SLOT_CLOSING) {
		s->cw->res.errors++; /* closed before the answer was complete */
		s->state = SLOT_CLOSING;
	}
	tern_close(c);
}

static void
client_closed(struct tcb *c, void *ctx, enum tern_close_reason reason)
{
	struct client_slot *s = ctx;
	struct client_worker *cw = s->cw;

	(void)c;
	idle_remove(s);
	if (s->state == SLOT_IDLE)
		s->state = SLOT_CLOSING;
	/* A reset after the last answer of a connection closed first by the client is no error. */
	if (s->state != SLOT_CLOSING || (reason != TERN_CLOSE_NORMAL && !s->answered)) {
		cw->res.errors++;
		s->retry_tsc = tern_now(cw->tw) + cw->hz / 1000; /* a refusing server is not hammered */
	}
	s->c = NULL;
	s->state = SLOT_FREE;
	cw->open_conns--;
	cw->free_slots[cw->nfree++] = (uint32_t)(s - cw->slots);
}

static const struct tern_conn_ops client_ops = {
	.on_open = client_open,
	.on_data = client_data,
	.on_peer_fin = client_peer_fin,
	.on_closed = client_closed,
};

static int
build_request(struct client_worker *cw)
{
	int n = snprintf(cw->request, sizeof(cw->request),
			 "GET %s HTTP/1.1\r\nHost: %u.%u.%u.%u\r\n%s\r\n", cw->cfg->path,
			 cw->cfg->target >> 24, (cw->cfg->target >> 16) & 255,
			 (cw->cfg->target >> 8) & 255, cw->cfg->target & 255,
			 cw->cfg->mode == SVC_CLIENT_CPS ? "Connection: close\r\n" : "");

	if (n < 0 || (size_t)n >= sizeof(cw->request))
		return -EINVAL;
	cw->request_len = (uint32_t)n;
	cw->check_pattern = strncmp(cw->cfg->path, "/bytes/", 7) == 0;
	return 0;
}

int
client_start(struct client_worker **out, struct tcp_worker *tw, const struct svc_cfg *cfg)
{
	struct client_worker *cw = rte_zmalloc("tern_client", sizeof(*cw), RTE_CACHE_LINE_SIZE);

	if (cw == NULL)
		return -ENOMEM;
	bytes_pattern_init(); /* at set-up: no worker runs yet */
	cw->cfg = cfg;
	cw->tw = tw;
	cw->hz = tern_tsc_hz;
	cw->slots = rte_zmalloc("tern_client_slots", sizeof(*cw->slots) * cfg->concurrency, 0);
	cw->free_slots = rte_malloc("tern_client_free", sizeof(uint32_t) * cfg->concurrency, 0);
	cw->idle_slots = rte_malloc("tern_client_idle", sizeof(uint32_t) * cfg->concurrency, 0);
	cw->paced = cfg->rate != 0;
	if (cw->slots == NULL || cw->free_slots == NULL || cw->idle_slots == NULL ||
	    build_request(cw) != 0) {
		client_stop(cw);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cfg->concurrency; i++) {
		cw->slots[i].cw = cw;
		cw->free_slots[cw->nfree++] = cfg->concurrency - 1 - i;
	}
	cw->begin_tsc = tern_now(cw->tw) + cw->hz * cfg->start_ms / 1000;
	*out = cw;
	return 0;
}

/* Past the grace period: what is still open will not finish by itself. */
static void
abort_stragglers(struct client_worker *cw)
{
	for (uint32_t i = 0; i < cw->cfg->concurrency; i++) {
		struct client_slot *s = &cw->slots[i];

		if (s->c != NULL) {
			if (s->state != SLOT_CLOSING)
				cw->res.errors++;
			s->state = SLOT_CLOSING;
			s->answered = 1; /* counted once, here */
			tern_abort(s->c);
		}
	}
}

/* Whether the next free slot may connect now (a refused one waits its retry time). */
static int
slot_ready(const struct client_worker *cw, uint64_t now)
{
	return cw->nfree > 0 && cw->slots[cw->free_slots[cw->nfree - 1]].retry_tsc <= now;
}

/*
 * Open loop (rate): what is due goes out on an idle connection (rps) or a
 * new one (cps), timed from when it was due, so a request that waited for
 * a connection counts its wait (no coordinated omission).
 */
static void
paced_tick(struct client_worker *cw, uint64_t now)
{
	if (!cw->warm) { /* the schedule starts once the path (ARP) is known */
		cw->sched_start = cw->next_due = now;
		cw->sched_k = 0;
	}
	if (cw->cfg->mode == SVC_CLIENT_RPS) {
		/* Every connection stays open; requests take turns on them. */
		while (cw->warm && slot_ready(cw, now) && open_slot(cw, cw->free_slots[--cw->nfree], now) == 0)
			;
		if (!cw->warm && cw->nfree == cw->cfg->concurrency && slot_ready(cw, now))
			open_slot(cw, cw->free_slots[--cw->nfree], now);
		while (now >= cw->next_due && cw->nidle > 0) {
			send_request(idle_pop(cw), cw->next_due);
			schedule_next(cw);
		}
		return;
	}
	while (now >= cw->next_due && slot_ready(cw, now) &&
	       (cw->warm || cw->nfree == cw->cfg->concurrency) &&
	       open_slot(cw, cw->free_slots[--cw->nfree], cw->next_due) == 0)
		schedule_next(cw);
}

/* The end of the run: connections waiting for a due request close. */
static void
close_idle(struct client_worker *cw)
{
	while (cw->nidle > 0) {
		struct client_slot *s = idle_pop(cw);

		s->state = SLOT_CLOSING;
		tern_close(s->c);
	}
}

void
client_tick(struct client_worker *cw)
{
	uint64_t now;

	if (cw->finished)
		return;
	now = tern_now(cw->tw);
	if (!cw->running && cw->res.start_tsc == 0) {
		if (now < cw->begin_tsc)
			return;
		cw->running = 1;
		cw->res.start_tsc = now;
		cw->sched_start = cw->next_due = now;
		cw->end_tsc = cw->cfg->duration_ms ? now + cw->hz * cw->cfg->duration_ms / 1000 : 0;
	}
	if (cw->running && cw->end_tsc != 0 && now >= cw->end_tsc) {
		cw->running = 0;
		if (cw->paced) { /* due times start + k * hz / rate up to the end, k from 0 */
			uint64_t due = (uint64_t)((unsigned __int128)(cw->end_tsc - cw->sched_start) *
						  cw->cfg->rate / cw->hz) + 1;

			cw->res.unsent = due > cw->sched_k ? due - cw->sched_k : 0;
		}
	}
	if (cw->running && cw->paced) {
		paced_tick(cw, now);
		return;
	}
	if (cw->running) {
		/* One connection first, so that the others do not pile up behind ARP. */
		uint32_t n = cw->warm ? cw->nfree : cw->nfree == cw->cfg->concurrency;

		while (n-- > 0 && slot_ready(cw, now) &&
		       open_slot(cw, cw->free_slots[--cw->nfree], now) == 0)
			;
		return;
	}
	close_idle(cw);
	if (cw->abort_tsc == 0)
		cw->abort_tsc = now + cw->hz * CLIENT_GRACE_S;
	if (cw->open_conns > 0 && now >= cw->abort_tsc)
		abort_stragglers(cw);
	if (cw->open_conns == 0) {
		if (cw->res.end_tsc == 0)
			cw->res.end_tsc = now;
		__atomic_store_n(&cw->finished, 1, __ATOMIC_RELEASE);
	}
}

int
client_done(const struct client_worker *cw)
{
	return __atomic_load_n(&cw->finished, __ATOMIC_ACQUIRE);
}

const struct client_result *
client_result(const struct client_worker *cw)
{
	return &cw->res;
}

void
client_stop(struct client_worker *cw)
{
	if (cw == NULL)
		return;
	rte_free(cw->slots);
	rte_free(cw->free_slots);
	rte_free(cw->idle_slots);
	rte_free(cw);
}

/* Sums the workers' results; the run lasts from the earliest start to the latest end. */
static void
sum_results(struct client_result *sum, const struct client_result *const *r, unsigned n)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < n; w++) {
		sum->requests += r[w]->requests;
		sum->connections += r[w]->connections;
		sum->errors += r[w]->errors;
		sum->bad_bodies += r[w]->bad_bodies;
		sum->unsent += r[w]->unsent;
		sum->bytes += r[w]->bytes;
		if (r[w]->start_tsc != 0 && (sum->start_tsc == 0 || r[w]->start_tsc < sum->start_tsc))
			sum->start_tsc = r[w]->start_tsc;
		if (r[w]->end_tsc > sum->end_tsc)
			sum->end_tsc = r[w]->end_tsc;
		lat_merge(&sum->lat, &r[w]->lat);
	}
}

void
client_report(const struct svc_cfg *cfg, const struct client_result *const *r, unsigned n)
{
	static struct client_result sum; /* main thread; too large for the stack */
	double secs, us[4];
	const double q[4] = { 0.5, 0.99, 0.999, 1.0 };

	sum_results(&sum, r, n);
	secs = sum.end_tsc > sum.start_tsc ?
	       (double)(sum.end_tsc - sum.start_tsc) / (double)tern_tsc_hz : 0.0;
	for (int i = 0; i < 4; i++)
		us[i] = (double)lat_quantile(&sum.lat, q[i]) / 1000.0;
	printf("client %s: %s, %u connection(s) x %u worker(s), %.2f s: %" PRIu64 " requests "
	       "(%.0f/s), %" PRIu64 " connections (%.0f/s), %" PRIu64 " errors, %" PRIu64
	       " bad bodies, %" PRIu64 " due but unsent; latency us p50 %.1f p99 %.1f p999 %.1f "
	       "max %.1f\n",
	       cfg->name, cfg->mode == SVC_CLIENT_CPS ? "cps" : "rps", cfg->concurrency, n, secs,
	       sum.requests, secs > 0 ? sum.requests / secs : 0.0, sum.connections,
	       secs > 0 ? sum.connections / secs : 0.0, sum.errors, sum.bad_bodies, sum.unsent,
	       us[0], us[1], us[2], us[3]);
	printf("client-json: {\"bench\":\"tern-client\",\"service\":\"%s\",\"mode\":\"%s\","
	       "\"workers\":%u,\"concurrency\":%u,\"path\":\"%s\",\"seconds\":%.3f,"
	       "\"requests\":%" PRIu64 ",\"connections\":%" PRIu64 ",\"errors\":%" PRIu64 ","
	       "\"bad_bodies\":%" PRIu64 ",\"unsent\":%" PRIu64 ",\"body_bytes\":%" PRIu64 ","
	       "\"offered\":%u,\"rate\":%.1f,"
	       "\"cps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}\n",
	       cfg->name, cfg->mode == SVC_CLIENT_CPS ? "cps" : "rps", n, cfg->concurrency,
	       cfg->path, secs, sum.requests, sum.connections, sum.errors, sum.bad_bodies, sum.unsent,
	       sum.bytes, cfg->rate * n,
	       secs > 0 ? sum.requests / secs : 0.0, secs > 0 ? sum.connections / secs : 0.0,
	       us[0], us[1], us[2], us[3]);
	fflush(stdout);
}
