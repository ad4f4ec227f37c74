/*
 * One scrape: every worker is asked once (counters, loop, TCP states), then
 * the text is written family by family, as the format wants every sample of
 * a name together. A worker that does not answer is reported down rather
 * than failing the scrape: the rest of tern is still worth seeing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_ethdev.h>

#include "ctl_metrics.h"

/* What the workers said, gathered before any text is written. */
struct view {
	unsigned n, total;
	uint8_t *up;
	uint64_t *cnt;                         /* n * total, worker by worker */
	struct tern_loop_stats *loop;
	uint32_t (*states)[TERN_TCP_NSTATES];
	unsigned *in_use, *size;
};

static void
view_free(struct view *v)
{
	free(v->up);
	free(v->cnt);
	free(v->loop);
	free(v->states);
	free(v->in_use);
	free(v->size);
}

static int
gather(const struct ctl_source *src, struct view *v)
{
	size_t n = src->nworkers + 1; /* + 1: never a calloc of 0 */

	v->n = src->nworkers;
	v->total = src->layout->total;
	v->up = calloc(n, sizeof(*v->up));
	v->cnt = calloc(n * v->total + 1, sizeof(*v->cnt));
	v->loop = calloc(n, sizeof(*v->loop));
	v->states = calloc(n, sizeof(*v->states));
	v->in_use = calloc(n, sizeof(*v->in_use));
	v->size = calloc(n, sizeof(*v->size));
	if (v->up == NULL || v->cnt == NULL || v->loop == NULL || v->states == NULL ||
	    v->in_use == NULL || v->size == NULL)
		return -ENOMEM;
	for (unsigned w = 0; w < v->n; w++) {
		/* In order, stopping at the first failure: a stuck worker costs one timeout. */
		v->up[w] = src->counters(src->ctx, w, v->cnt + (size_t)w * v->total) == 0 &&
			   src->loop_stats(src->ctx, w, &v->loop[w]) == 0 &&
			   src->tcp_states(src->ctx, w, v->states[w]) == 0;
		src->pool(src->ctx, w, &v->in_use[w], &v->size[w]);
	}
	return 0;
}

/* The worker label of w (value kept in buf). */
static struct prom_label
worker_label(unsigned w, char buf[12])
{
	snprintf(buf, 12, "%u", w);
	return (struct prom_label){ "worker", buf };
}

/* Every counter of the layout, one family each, a sample per answering worker. */
static void
text_counters(const struct ctl_source *src, const struct view *v, struct prom_buf *b)
{
	for (unsigned k = 0; k < v->total; k++) {
		const struct tern_counter_info *ci = tern_counter_at(src->layout, k);
		char name[160], help[256], wb[12];
		const char *type;

		if (ci == NULL || prom_counter_name(ci->name, ci->kind, name, sizeof(name), &type) < 0)
			continue; /* the unit tests check that every counter has a name */
		/* the name tern prints at exit and ternctl stats shows, then what it counts */
		snprintf(help, sizeof(help), "%s: %s", ci->name, ci->desc);
		prom_family(b, name, type, help);
		for (unsigned w = 0; w < v->n; w++) {
			struct prom_label l = worker_label(w, wb);

			if (v->up[w])
				prom_sample(b, name, &l, 1, v->cnt[(size_t)w * v->total + k]);
		}
	}
}

enum wfield { W_UP, W_LOOPS, W_BUSY, W_REQUESTS, W_IN_USE, W_SIZE };

static const struct {
	const char *name, *type, *help;
	enum wfield f;
} worker_families[] = {
	{ "tern_worker_up", "gauge", "1 when the worker answered this scrape's requests in time",
	  W_UP },
	{ "tern_worker_loops_total", "counter", "turns of the worker's poll loop", W_LOOPS },
	{ "tern_worker_busy_loops_total", "counter", "loop turns that found packets", W_BUSY },
	{ "tern_worker_control_requests_total", "counter",
	  "control channel requests the worker served", W_REQUESTS },
	{ "tern_mbuf_pool_in_use", "gauge", "mbufs of the worker's pool in use", W_IN_USE },
	{ "tern_mbuf_pool_size", "gauge", "mbufs in the worker's pool", W_SIZE },
};

static uint64_t
worker_value(const struct view *v, unsigned w, enum wfield f)
{
	switch (f) {
	case W_UP: return v->up[w];
	case W_LOOPS: return v->loop[w].loops;
	case W_BUSY: return v->loop[w].busy_loops;
	case W_REQUESTS: return v->loop[w].requests_served;
	case W_IN_USE: return v->in_use[w];
	default: return v->size[w];
	}
}

static void
text_workers(const struct view *v, struct prom_buf *b)
{
	char wb[12];

	for (unsigned i = 0; i < RTE_DIM(worker_families); i++) {
		enum wfield f = worker_families[i].f;
		/* up and the pool are known even of a worker that did not answer */
		int always = f == W_UP || f == W_IN_USE || f == W_SIZE;

		prom_family(b, worker_families[i].name, worker_families[i].type,
			    worker_families[i].help);
		for (unsigned w = 0; w < v->n; w++) {
			struct prom_label l = worker_label(w, wb);

			if (always || v->up[w])
				prom_sample(b, worker_families[i].name, &l, 1, worker_value(v, w, f));
		}
	}
	prom_family(b, "tern_tcp_connections", "gauge",
		    "connections in each TCP state (ss's names; LISTEN: listeners)");
	for (unsigned w = 0; w < v->n; w++) {
		struct prom_label l[2] = { worker_label(w, wb), { "state", NULL } };

		for (uint8_t s = 1; v->up[w] && s < TERN_TCP_NSTATES; s++) { /* not CLOSED */
			l[1].value = tern_tcp_state_ss(s);
			prom_sample(b, "tern_tcp_connections", l, 2, v->states[w][s]);
		}
	}
}

static const struct {
	const char *name, *help;
	size_t off;
} port_families[] = {
#define P(name, field, help) { "tern_ethdev_" name "_total", help, \
			       offsetof(struct rte_eth_stats, field) }
	P("rx_packets", ipackets, "packets the port received (ethdev ipackets)"),
	P("tx_packets", opackets, "packets the port sent (ethdev opackets)"),
	P("rx_bytes", ibytes, "bytes the port received (ethdev ibytes)"),
	P("tx_bytes", obytes, "bytes the port sent (ethdev obytes)"),
	P("rx_missed", imissed, "packets the port dropped: RX queues full (ethdev imissed)"),
	P("rx_errors", ierrors, "erroneous packets the port received (ethdev ierrors)"),
	P("tx_errors", oerrors, "packets the port failed to send (ethdev oerrors)"),
	P("rx_nombuf", rx_nombuf, "receive buffer allocation failures (ethdev rx_nombuf)"),
#undef P
};

/* The ports' ethdev statistics, with tern's port number as the port label. */
static void
text_ports(const struct ctl_source *src, struct prom_buf *b)
{
	struct rte_eth_stats st[RTE_DIM(src->port_ids)];
	int ok[RTE_DIM(src->port_ids)];
	unsigned np = RTE_MIN(src->nports, RTE_DIM(src->port_ids));
	char pb[12];

	for (unsigned p = 0; p < np; p++)
		ok[p] = rte_eth_stats_get(src->port_ids[p], &st[p]) == 0;
	for (unsigned i = 0; np > 0 && i < RTE_DIM(port_families); i++) {
		prom_family(b, port_families[i].name, "counter", port_families[i].help);
		for (unsigned p = 0; p < np; p++) {
			struct prom_label l = { "port", pb };

			snprintf(pb, sizeof(pb), "%u", p);
			if (ok[p])
				prom_sample(b, port_families[i].name, &l, 1,
					    *(const uint64_t *)((const char *)&st[p] +
								port_families[i].off));
		}
	}
}

/* The endpoint's own answers and dropped clients. */
static void
text_self(const struct ctl_metrics_stats *self, struct prom_buf *b)
{
	char cb[12];

	prom_family(b, "tern_metrics_answers_total", "counter",
		    "answers of this endpoint, by HTTP status");
	for (unsigned i = 0; i < CTL_HTTP_NCODES; i++) {
		struct prom_label l = { "code", cb };

		snprintf(cb, sizeof(cb), "%d", ctl_http_codes[i]);
		prom_sample(b, "tern_metrics_answers_total", &l, 1, self->answers[i]);
	}
	prom_family(b, "tern_metrics_clients_dropped_total", "counter",
		    "clients of this endpoint closed unanswered: too slow, or to make room");
	prom_sample(b, "tern_metrics_clients_dropped_total", NULL, 0, self->dropped);
}

int
ctl_metrics_text(const struct ctl_source *src, const struct ctl_metrics_stats *self,
		 struct prom_buf *b)
{
	struct view v = { 0 };
	int rc = gather(src, &v);

	if (rc == 0) {
		text_counters(src, &v, b);
		text_workers(&v, b);
		ctl_metrics_proxy(src, b);
		text_ports(src, b);
		if (self != NULL)
			text_self(self, b);
	}
	view_free(&v);
	return rc != 0 || b->failed ? -ENOMEM : 0;
}
