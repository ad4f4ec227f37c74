#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "proxy_internal.h"
#include "proxy_main.h"
#include "proxy_main_internal.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct proxy_main *
proxy_main_create(const struct tern_config *cfg)
{
	struct proxy_main *pm;

	if (!proxy_configured(cfg) || (pm = calloc(1, sizeof(*pm))) == NULL)
		return NULL;
	pm->cfg = cfg;
	pm->nbe = proxy_backend_count(cfg);
	for (unsigned b = 0; b < pm->nbe; b++) {
		struct pm_backend *be = &pm->be[b];

		be->cfg = proxy_backend_config(cfg, b);
		be->srv = calloc(be->cfg->nservers, sizeof(*be->srv));
		if (be->srv == NULL) {
			proxy_main_free(pm);
			return NULL;
		}
		for (unsigned i = 0; i < be->cfg->nservers; i++)
			be->srv[i] = (struct pm_server){ .up = 1, .weight = be->cfg->servers[i].weight,
				.state = PROXY_SRV_UP, .lastchg_ms = now_ms() };
	}
	return pm;
}

static void
table_free(struct maglev_table *t)
{
	if (t != NULL) {
		maglev_free(t);
		free(t);
	}
}

void
proxy_main_free(struct proxy_main *pm)
{
	if (pm == NULL)
		return;
	proxy_main_free_retired(pm);
	for (unsigned b = 0; b < pm->nbe; b++) {
		free(pm->be[b].srv);
		table_free(pm->be[b].table);
	}
	free(pm);
}

static uint8_t
effective(const struct pm_server *s)
{
	if (s->admin == ADMIN_MAINT)
		return PROXY_SRV_MAINT;
	if (!s->up)
		return PROXY_SRV_DOWN;
	return s->admin == ADMIN_DRAIN ? PROXY_SRV_DRAIN : PROXY_SRV_UP;
}

/* A new table for a Maglev backend, from the servers now up. */
static void
rebuild_maglev(struct proxy_main *pm, unsigned b, proxy_emit_fn emit, void *ctx)
{
	struct pm_backend *be = &pm->be[b];
	uint32_t w[PROXY_MAX_SERVERS];
	struct maglev_table *t;

	if (be->cfg->balance != PROXY_BAL_MAGLEV || (t = calloc(1, sizeof(*t))) == NULL)
		return;
	for (unsigned i = 0; i < be->cfg->nservers; i++)
		w[i] = be->srv[i].state == PROXY_SRV_UP ? be->srv[i].weight : 0;
	if (proxy_maglev_build(t, be->cfg, w) != 0 || pm->nretired == PM_RETIRED_MAX) {
		TLOG(ERR, "proxy: backend %s: cannot rebuild its Maglev table", be->cfg->name);
		table_free(t);
		return;
	}
	if (be->table != NULL)
		pm->retired[pm->nretired++] = be->table;
	be->table = t;
	emit(ctx, &(struct proxy_event){ .kind = PROXY_EV_MAGLEV, .backend = (uint16_t)b,
					 .table = t });
}

static const char *const state_names[] = { "UP", "DOWN", "DRAIN", "MAINT" };

/* Broadcasts s's state when it changed (and a Maglev table that follows it). */
static void
publish(struct proxy_main *pm, unsigned b, unsigned i, const char *why, proxy_emit_fn emit,
	void *ctx)
{
	struct pm_server *s = &pm->be[b].srv[i];
	uint8_t st = effective(s);
	uint64_t now = now_ms();

	if (st != s->state) {
		TLOG(WARNING, "proxy: server %s/%s is %s (%s)", pm->be[b].cfg->name,
		     pm->be[b].cfg->servers[i].name, state_names[st], why);
		if (st == PROXY_SRV_DOWN)
			s->down_since_ms = now;
		else if (s->state == PROXY_SRV_DOWN)
			s->downtime_ms += now - s->down_since_ms;
		s->lastchg_ms = now;
		s->state = st;
	}
	emit(ctx, &(struct proxy_event){ .kind = PROXY_EV_SERVER, .backend = (uint16_t)b,
					 .server = (uint16_t)i, .state = st, .weight = s->weight });
	rebuild_maglev(pm, b, emit, ctx);
}

static void
note_check(struct proxy_main *pm, unsigned b, unsigned i, const struct proxy_note *n,
	   proxy_emit_fn emit, void *ctx)
{
	const struct proxy_backend_cfg *bc = pm->be[b].cfg;
	struct pm_server *s = &pm->be[b].srv[i];
	char why[96];

	snprintf(s->check, sizeof(s->check), "%s", n->what);
	if (!n->ok)
		s->chkfail++;
	s->ok_row = n->ok ? (uint8_t)RTE_MIN(s->ok_row + 1, 255) : 0;
	s->fail_row = n->ok ? 0 : (uint8_t)RTE_MIN(s->fail_row + 1, 255);
	if (s->up && s->fail_row >= bc->fall) {
		s->up = 0;
		s->chkdown++;
		snprintf(why, sizeof(why), "check %s, %u failed in a row", n->what, s->fail_row);
		publish(pm, b, i, why, emit, ctx);
	} else if (!s->up && s->ok_row >= bc->rise) {
		s->up = 1;
		snprintf(why, sizeof(why), "check %s, %u passed in a row", n->what, s->ok_row);
		publish(pm, b, i, why, emit, ctx);
	}
}

void
proxy_main_note(struct proxy_main *pm, const struct proxy_note *n, proxy_emit_fn emit, void *ctx)
{
	char why[96];
	struct pm_server *s;

	if (pm == NULL || n->backend >= pm->nbe || n->server >= pm->be[n->backend].cfg->nservers)
		return;
	s = &pm->be[n->backend].srv[n->server];
	if (n->kind == PROXY_NOTE_CHECK) {
		note_check(pm, n->backend, n->server, n, emit, ctx);
	} else if (n->kind == PROXY_NOTE_FAILURES && s->up) {
		/* Passive health: the checks bring it back after `rise` good ones. */
		s->up = 0;
		s->ok_row = 0;
		s->chkdown++;
		snprintf(why, sizeof(why), "a worker saw %u failed connections or resets in a row",
			 pm->be[n->backend].cfg->fall);
		publish(pm, n->backend, n->server, why, emit, ctx);
	}
}

/* backend/server by name: 0 and the indices, or -ENOENT. */
static int
find_server(const struct proxy_main *pm, const char *backend, const char *server, unsigned *b,
	    unsigned *i)
{
	for (*b = 0; *b < pm->nbe; (*b)++) {
		const struct proxy_backend_cfg *bc = pm->be[*b].cfg;

		if (strcmp(bc->name, backend) != 0)
			continue;
		for (*i = 0; *i < bc->nservers; (*i)++)
			if (strcmp(bc->servers[*i].name, server) == 0)
				return 0;
	}
	return -ENOENT;
}

int
proxy_main_set(struct proxy_main *pm, const char *backend, const char *server, const char *what,
	       proxy_emit_fn emit, void *ctx)
{
	unsigned b, i;
	char *end;
	long w;

	if (pm == NULL || find_server(pm, backend, server, &b, &i) != 0)
		return -ENOENT;
	if (strcmp(what, "ready") == 0)
		pm->be[b].srv[i].admin = ADMIN_READY;
	else if (strcmp(what, "drain") == 0)
		pm->be[b].srv[i].admin = ADMIN_DRAIN;
	else if (strcmp(what, "maint") == 0)
		pm->be[b].srv[i].admin = ADMIN_MAINT;
	else if ((w = strtol(what, &end, 10)) >= 0 && w <= 256 && *what != '\0' && *end == '\0')
		pm->be[b].srv[i].weight = (uint32_t)w;
	else
		return -EINVAL;
	publish(pm, b, i, "set by the operator", emit, ctx);
	return 0;
}

unsigned
proxy_main_retired(const struct proxy_main *pm)
{
	return pm != NULL ? pm->nretired : 0;
}

void
proxy_main_free_retired(struct proxy_main *pm)
{
	for (unsigned k = 0; pm != NULL && k < pm->nretired; k++)
		table_free(pm->retired[k]);
	if (pm != NULL)
		pm->nretired = 0;
}
