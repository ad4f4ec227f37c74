/* The proxy's counts as rows in HAProxy's vocabulary, and as the table printed at exit and on SIGUSR1. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "proxy_internal.h"
#include "proxy_main.h"
#include "proxy_main_internal.h"

void
proxy_stats_add(struct proxy_stats *a, const struct proxy_stats *b)
{
	const uint64_t *src = (const uint64_t *)b;
	uint64_t *dst = (uint64_t *)a;

	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

static const char *const state_names[] = { "UP", "DOWN", "DRAIN", "MAINT" };

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

unsigned
proxy_main_nrows(const struct proxy_main *pm)
{
	unsigned n = pm != NULL ? proxy_frontend_count(pm->cfg) : 0;

	for (unsigned b = 0; pm != NULL && b < pm->nbe; b++)
		n += 1 + pm->be[b].cfg->nservers;
	return n;
}

static void
server_row(const struct pm_backend *be, unsigned i, const struct proxy_stats *st, uint64_t now,
	   struct proxy_row *r)
{
	const struct pm_server *s = &be->srv[i];
	const struct proxy_server_cfg *sc = &be->cfg->servers[i];
	uint64_t down = s->downtime_ms + (s->state == PROXY_SRV_DOWN ? now - s->down_since_ms : 0);

	*r = (struct proxy_row){ .kind = PROXY_ROW_SERVER, .backup = (uint8_t)sc->backup,
		.checked = be->cfg->check != PROXY_CHECK_NONE, .status = state_names[s->state],
		.weight = s->weight, .slim = sc->maxconn, .st = *st, .chkfail = s->chkfail,
		.chkdown = s->chkdown, .lastchg_s = (now - s->lastchg_ms) / 1000,
		.downtime_s = down / 1000 };
	snprintf(r->pxname, sizeof(r->pxname), "%s", be->cfg->name);
	snprintf(r->svname, sizeof(r->svname), "%s", sc->name);
	snprintf(r->check, sizeof(r->check), "%s", s->check);
}

/* A backend's row and its servers' rows; how many were filled (at most max). */
static unsigned
backend_rows(const struct proxy_main *pm, unsigned b, const struct proxy_stats *st,
	     struct proxy_row *rows, unsigned max)
{
	const struct pm_backend *be = &pm->be[b];
	uint64_t now = now_ms();
	unsigned n = 0;
	int up = 0;

	for (unsigned i = 0; i < be->cfg->nservers; i++)
		up |= be->srv[i].state == PROXY_SRV_UP;
	if (max == 0)
		return 0;
	rows[n] = (struct proxy_row){ .kind = PROXY_ROW_BACKEND, .status = up ? "UP" : "DOWN",
		.checked = be->cfg->check != PROXY_CHECK_NONE, .st = st[0] };
	snprintf(rows[n].pxname, sizeof(rows[n].pxname), "%s", be->cfg->name);
	snprintf(rows[n].svname, sizeof(rows[n].svname), "BACKEND");
	for (n = 1; n < max && n <= be->cfg->nservers; n++)
		server_row(be, n - 1, &st[n], now, &rows[n]);
	return n;
}

unsigned
proxy_main_rows(const struct proxy_main *pm, proxy_fetch_fn fetch, void *ctx,
		struct proxy_row *rows, unsigned max)
{
	struct proxy_stats *st;
	unsigned nfe, n = 0;

	if (pm == NULL)
		return 0;
	nfe = proxy_frontend_count(pm->cfg);
	st = calloc(PROXY_MAX_SERVERS + 1 + PROXY_MAX_FRONTENDS, sizeof(*st));
	if (st == NULL)
		return 0;
	fetch(ctx, PROXY_STATS_FRONTENDS, st, nfe);
	for (unsigned i = 0; i < nfe && n < max; i++, n++) {
		const struct proxy_frontend_cfg *fc = proxy_frontend_config(pm->cfg, i);

		rows[n] = (struct proxy_row){ .kind = PROXY_ROW_FRONTEND, .status = "OPEN",
			.slim = fc->maxconn, .st = st[i] };
		snprintf(rows[n].pxname, sizeof(rows[n].pxname), "%s", fc->name);
		snprintf(rows[n].svname, sizeof(rows[n].svname), "FRONTEND");
	}
	for (unsigned b = 0; b < pm->nbe && n < max; b++) {
		unsigned k = 1 + pm->be[b].cfg->nservers;

		memset(st, 0, k * sizeof(*st));
		fetch(ctx, b, st, k);
		n += backend_rows(pm, b, st, rows + n, max - n);
	}
	free(st);
	return n;
}

/* The name column of a row: "frontend web", "backend app", "  app/s1". */
static int
row_name(char *buf, size_t len, const struct proxy_row *r)
{
	if (r->kind == PROXY_ROW_SERVER)
		return snprintf(buf, len, "  %s/%s", r->pxname, r->svname);
	return snprintf(buf, len, "%s %s", r->kind == PROXY_ROW_FRONTEND ? "frontend" : "backend",
			r->pxname);
}

static void
print_row(FILE *f, const struct proxy_row *r, int width)
{
	const struct proxy_stats *s = &r->st;
	char name[2 * CFG_NAME_MAX + 16];

	row_name(name, sizeof(name), r);
	fprintf(f, "%-*s %-6s %6u %6" PRIu64 " %6" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64
		" %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
		" %5" PRIu64 " %5" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64, width, name, r->status,
		r->weight, s->scur, s->smax, s->stot, s->bin, s->bout, s->dcon, s->ereq, s->econ,
		s->eresp, s->wretr, s->wredis, s->qcur, s->qmax, s->timeouts, s->cli_abrt,
		s->srv_abrt);
	if (r->kind == PROXY_ROW_SERVER)
		fprintf(f, " %7" PRIu64 " %7" PRIu64 " %8" PRIu64 "s %8" PRIu64 "s %s", r->chkfail,
			r->chkdown, r->lastchg_s, r->downtime_s,
			!r->checked ? "-" : r->check[0] ? r->check : "pending");
	fprintf(f, "\n");
}

void
proxy_main_print(const struct proxy_main *pm, FILE *f, proxy_fetch_fn fetch, void *ctx)
{
	unsigned max = proxy_main_nrows(pm), n;
	struct proxy_row *rows;
	int width = 28;

	if (pm == NULL || (rows = calloc(max, sizeof(*rows))) == NULL)
		return;
	n = proxy_main_rows(pm, fetch, ctx, rows, max);
	for (unsigned i = 0; i < n; i++) { /* long names widen the column, never shift the rest */
		char name[2 * CFG_NAME_MAX + 16];

		width = RTE_MAX(width, row_name(name, sizeof(name), &rows[i]));
	}
	fprintf(f, "proxy: counts summed over workers (smax and qmax: sums of per-worker maxima)\n");
	fprintf(f, "%-*s %-6s %6s %6s %6s %10s %12s %12s %6s %6s %6s %6s %6s %6s %5s %5s %6s %6s %6s"
		" %7s %7s %9s %9s %s\n", width, "name", "status", "weight", "scur", "smax", "stot", "bin",
		"bout", "dcon", "ereq", "econ", "eresp", "wretr", "wredis", "qcur", "qmax", "tmout",
		"cabrt", "sabrt", "chkfail", "chkdown", "lastchg", "downtime", "check");
	for (unsigned i = 0; i < n; i++)
		print_row(f, &rows[i], width);
	fflush(f);
	free(rows);
}
