/*
 * The proxy's table as Prometheus families, in the spirit of HAProxy's own
 * exporter: tern_proxy_frontend_* {frontend}, tern_proxy_backend_*
 * {backend} and tern_proxy_server_* {backend, server}. Counts are summed
 * over workers (maxima too: sums of per-worker maxima, as in the table).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "ctl_metrics.h"


#define FE (1u << PROXY_ROW_FRONTEND)
#define BE (1u << PROXY_ROW_BACKEND)
#define SV (1u << PROXY_ROW_SERVER)

/* One column of the table: where a row keeps it, and which kinds of row have it. */
struct column {
	const char *name;            /* after tern_proxy_<kind>_ */
	const char *type;
	const char *help;
	unsigned kinds;
	size_t off;
	uint8_t u32;                 /* a uint32_t (else uint64_t) */
	uint8_t nonzero;             /* no sample when 0 (a limit that is not set) */
};

#define ST(f) offsetof(struct proxy_row, st.f)
#define RW(f) offsetof(struct proxy_row, f)
static const struct column columns[] = {
	{ "current_sessions", "gauge", "sessions open now", FE | BE | SV, ST(scur) },
	{ "max_sessions", "gauge", "most sessions open at once (a sum of per-worker maxima)",
	  FE | BE | SV, ST(smax) },
	{ "limit_sessions", "gauge", "maxconn (absent: no limit)", FE | SV, RW(slim), 1, 1 },
	{ "sessions_total", "counter", "sessions", FE | BE | SV, ST(stot) },
	{ "bytes_in_total", "counter", "bytes from clients", FE | BE | SV, ST(bin) },
	{ "bytes_out_total", "counter", "bytes to clients", FE | BE | SV, ST(bout) },
	{ "current_queue", "gauge", "sessions waiting for a server", BE | SV, ST(qcur) },
	{ "max_queue", "gauge", "most sessions waiting at once (a sum of per-worker maxima)",
	  BE | SV, ST(qmax) },
	{ "denied_connections_total", "counter",
	  "connections refused: maxconn, queue full or no server", FE | BE | SV, ST(dcon) },
	{ "request_errors_total", "counter", "bad PROXY protocol headers from clients", FE,
	  ST(ereq) },
	{ "connection_errors_total", "counter", "failed connections to servers", BE | SV,
	  ST(econ) },
	{ "response_errors_total", "counter", "servers that reset or timed out after connecting",
	  BE | SV, ST(eresp) },
	{ "retries_total", "counter", "connections to a server tried again", BE | SV, ST(wretr) },
	{ "redispatches_total", "counter", "sessions sent to another server after a failure",
	  BE | SV, ST(wredis) },
	{ "selected_total", "counter", "times the balancer chose the server", SV, ST(lbtot) },
	{ "client_aborts_total", "counter", "sessions ended by the client's reset", FE | BE | SV,
	  ST(cli_abrt) },
	{ "server_aborts_total", "counter", "sessions ended by the server's reset", BE | SV,
	  ST(srv_abrt) },
	/* not timeouts_total: tern_proxy_server_timeouts_total is the counter ProxyServerTimeouts */
	{ "sessions_timed_out_total", "counter", "sessions ended by a timeout", FE | BE | SV,
	  ST(timeouts) },
	{ "weight", "gauge", "the server's weight now", SV, RW(weight), 1 },
	{ "check_failures_total", "counter", "failed health checks", SV, RW(chkfail) },
	{ "check_up_down_total", "counter", "transitions from UP to DOWN", SV, RW(chkdown) },
	{ "downtime_seconds_total", "counter", "seconds spent DOWN", SV, RW(downtime_s) },
	{ "last_change_seconds", "gauge", "seconds since the last change of state", SV,
	  RW(lastchg_s) },
};

static const char *const kind_names[] = { "frontend", "backend", "server" };
static const char *const server_states[] = { "UP", "DOWN", "DRAIN", "MAINT" };

/* The labels of a row: frontend, backend, or backend and server. How many. */
static unsigned
row_labels(const struct proxy_row *r, struct prom_label l[2])
{
	l[0] = (struct prom_label){ r->kind == PROXY_ROW_FRONTEND ? "frontend" : "backend",
				    r->pxname };
	l[1] = (struct prom_label){ "server", r->svname };
	return r->kind == PROXY_ROW_SERVER ? 2 : 1;
}

static uint64_t
column_value(const struct proxy_row *r, const struct column *c)
{
	const char *p = (const char *)r + c->off;

	return c->u32 ? *(const uint32_t *)p : *(const uint64_t *)p;
}

/* One family: its header, then a sample per row of its kind. */
static void
text_column(const struct proxy_row *rows, unsigned n, uint8_t kind, const struct column *c,
	    struct prom_buf *b)
{
	char name[96];
	struct prom_label l[2];

	snprintf(name, sizeof(name), "tern_proxy_%s_%s", kind_names[kind], c->name);
	prom_family(b, name, c->type, c->help);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = column_value(&rows[i], c);

		if (rows[i].kind == kind && (v != 0 || !c->nonzero))
			prom_sample(b, name, l, row_labels(&rows[i], l), v);
	}
}

/* tern_proxy_{backend,server}_up, and the server's state and last check as labels. */
static void
text_states(const struct proxy_row *rows, unsigned n, struct prom_buf *b)
{
	struct prom_label l[3];

	for (uint8_t kind = PROXY_ROW_BACKEND; kind <= PROXY_ROW_SERVER; kind++) {
		const char *name = kind == PROXY_ROW_BACKEND ? "tern_proxy_backend_up" :
			"tern_proxy_server_up";

		prom_family(b, name, "gauge", kind == PROXY_ROW_BACKEND ?
			    "1 when one of the backend's servers is UP" : "1 when the server is UP");
		for (unsigned i = 0; i < n; i++)
			if (rows[i].kind == kind)
				prom_sample(b, name, l, row_labels(&rows[i], l),
					    strcmp(rows[i].status, "UP") == 0);
	}
	prom_family(b, "tern_proxy_server_status", "gauge",
		    "1 for the server's state now (UP, DOWN, DRAIN or MAINT), 0 for the others");
	for (unsigned i = 0; i < n; i++)
		for (unsigned s = 0; rows[i].kind == PROXY_ROW_SERVER && s < RTE_DIM(server_states);
		     s++) {
			l[2] = (struct prom_label){ "state", server_states[s] };
			row_labels(&rows[i], l);
			prom_sample(b, "tern_proxy_server_status", l, 3,
				    strcmp(rows[i].status, server_states[s]) == 0);
		}
	prom_family(b, "tern_proxy_server_check_status", "gauge",
		    "1, with the code of the server's last health check (L4OK, L4CON, L7STS...)");
	for (unsigned i = 0; i < n; i++) {
		char code[sizeof(rows[i].check)];

		if (rows[i].kind != PROXY_ROW_SERVER || !rows[i].checked || !rows[i].check[0])
			continue;
		snprintf(code, sizeof(code), "%.*s", (int)strcspn(rows[i].check, " "), rows[i].check);
		l[2] = (struct prom_label){ "check", code };
		row_labels(&rows[i], l);
		prom_sample(b, "tern_proxy_server_check_status", l, 3, 1);
	}
}

struct proxy_row *
ctl_proxy_rows_all(const struct ctl_source *src, unsigned *n)
{
	for (unsigned max = 256; max <= 1u << 16; max *= 2) {
		struct proxy_row *rows = calloc(max, sizeof(*rows));

		if (rows == NULL)
			return NULL;
		*n = src->proxy_rows(src->ctx, rows, max);
		if (*n < max)
			return rows;
		free(rows);
	}
	return NULL;
}

void
ctl_metrics_proxy(const struct ctl_source *src, struct prom_buf *b)
{
	unsigned n = 0;
	struct proxy_row *rows = src->proxy_rows != NULL ? ctl_proxy_rows_all(src, &n) : NULL;

	if (rows == NULL) {
		b->failed = src->proxy_rows != NULL; /* out of memory: the scrape says 500 */
		return;
	}
	if (n == 0) {
		free(rows);
		return; /* no proxy configured */
	}
	for (uint8_t kind = PROXY_ROW_FRONTEND; kind <= PROXY_ROW_SERVER; kind++)
		for (unsigned c = 0; c < RTE_DIM(columns); c++)
			if (columns[c].kinds & (1u << kind))
				text_column(rows, n, kind, &columns[c], b);
	text_states(rows, n, b);
	free(rows);
}
