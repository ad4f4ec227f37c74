/* The proxy's counts as a table (at exit and on SIGUSR1), in HAProxy's vocabulary. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void
header(FILE *f)
{
	fprintf(f, "proxy: counts summed over workers (smax and qmax: sums of per-worker maxima)\n");
	fprintf(f, "%-28s %-6s %6s %6s %6s %10s %12s %12s %6s %6s %6s %6s %6s %6s %5s %5s %6s %6s %6s"
		" %7s %7s %9s %9s %s\n", "name", "status", "weight", "scur", "smax", "stot", "bin",
		"bout", "dcon", "ereq", "econ", "eresp", "wretr", "wredis", "qcur", "qmax", "tmout",
		"cabrt", "sabrt", "chkfail", "chkdown", "lastchg", "downtime", "check");
}

static void
row(FILE *f, const char *name, const char *status, uint32_t weight, const struct proxy_stats *s)
{
	fprintf(f, "%-28s %-6s %6u %6" PRIu64 " %6" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64
		" %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64
		" %5" PRIu64 " %5" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64, name, status, weight,
		s->scur, s->smax, s->stot, s->bin, s->bout, s->dcon, s->ereq, s->econ, s->eresp,
		s->wretr, s->wredis, s->qcur, s->qmax, s->timeouts, s->cli_abrt, s->srv_abrt);
}

static const char *const state_names[] = { "UP", "DOWN", "DRAIN", "MAINT" };

static void
print_backend(const struct proxy_main *pm, FILE *f, unsigned b, const struct proxy_stats *st)
{
	const struct pm_backend *be = &pm->be[b];
	struct timespec ts;
	uint64_t now;
	char name[128];
	int up = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (unsigned i = 0; i < be->cfg->nservers; i++)
		up |= be->srv[i].state == PROXY_SRV_UP;
	snprintf(name, sizeof(name), "backend %s", be->cfg->name);
	row(f, name, up ? "UP" : "DOWN", 0, &st[0]);
	fprintf(f, "\n");
	for (unsigned i = 0; i < be->cfg->nservers; i++) {
		const struct pm_server *s = &be->srv[i];
		uint64_t down = s->downtime_ms + (s->state == PROXY_SRV_DOWN ? now - s->down_since_ms : 0);

		snprintf(name, sizeof(name), "  %s/%s", be->cfg->name, be->cfg->servers[i].name);
		row(f, name, state_names[s->state], s->weight, &st[1 + i]);
		fprintf(f, " %7" PRIu64 " %7" PRIu64 " %8" PRIu64 "s %8" PRIu64 "s %s\n", s->chkfail,
			s->chkdown, (now - s->lastchg_ms) / 1000, down / 1000,
			be->cfg->check == PROXY_CHECK_NONE ? "-" : s->check[0] ? s->check : "pending");
	}
}

void
proxy_main_print(const struct proxy_main *pm, FILE *f, proxy_fetch_fn fetch, void *ctx)
{
	unsigned nfe;
	struct proxy_stats *st;

	if (pm == NULL)
		return;
	nfe = proxy_frontend_count(pm->cfg);
	st = calloc(PROXY_MAX_SERVERS + 1 + PROXY_MAX_FRONTENDS, sizeof(*st));
	if (st == NULL)
		return;
	header(f);
	fetch(ctx, PROXY_STATS_FRONTENDS, st, nfe);
	for (unsigned i = 0; i < nfe; i++) {
		char name[128];

		snprintf(name, sizeof(name), "frontend %s", proxy_frontend_config(pm->cfg, i)->name);
		row(f, name, "OPEN", 0, &st[i]);
		fprintf(f, "\n");
	}
	for (unsigned b = 0; b < pm->nbe; b++) {
		unsigned n = 1 + pm->be[b].cfg->nservers;

		memset(st, 0, n * sizeof(*st));
		fetch(ctx, b, st, n);
		print_backend(pm, f, b, st);
	}
	fflush(f);
	free(st);
}
