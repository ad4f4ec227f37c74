/*
 * Smooth weighted round-robin (nginx, ngx_http_upstream_round_robin) and
 * weighted least connections (HAProxy's leastconn), over the pool of
 * eligible servers that HAProxy's backup rules define.
 */
#include <stddef.h>

#include "balance.h"

/* The servers a pick may choose from. */
struct pool {
	uint8_t backup;         /* 1: the backups, 0: the non-backup servers */
	int only;               /* >= 0: this server alone (the first backup) */
};

/*
 * HAProxy: backups only when no non-backup server is eligible, and then
 * the first eligible one unless all_backups. Returns 0 when none is.
 */
static int
pool_of(const struct balance *b, struct pool *p)
{
	int first_backup = -1;

	for (unsigned i = 0; i < b->n; i++) {
		if (b->srv[i].weight == 0)
			continue;
		if (!b->srv[i].backup) {
			*p = (struct pool){ .backup = 0, .only = -1 };
			return 1;
		}
		if (first_backup < 0)
			first_backup = (int)i;
	}
	if (first_backup < 0)
		return 0;
	*p = (struct pool){ .backup = 1, .only = b->all_backups ? -1 : first_backup };
	return 1;
}

static int
in_pool(const struct balance *b, const struct pool *p, unsigned i)
{
	if (p->only >= 0)
		return (int)i == p->only;
	return b->srv[i].weight > 0 && b->srv[i].backup == p->backup;
}

/*
 * Each pick raises every eligible server by its weight and lowers the
 * chosen one by the total, so the values always sum to zero and a server
 * is chosen in proportion to its weight, spread out rather than in runs.
 */
static int
pick_rr(struct balance *b, const struct pool *p)
{
	int64_t total = 0;
	int best = -1;

	for (unsigned i = 0; i < b->n; i++) {
		struct balance_server *s = &b->srv[i];

		if (!in_pool(b, p, i))
			continue;
		s->current += s->weight;
		total += s->weight;
		if (best < 0 || s->current > b->srv[best].current)
			best = (int)i;
	}
	b->srv[best].current -= total;
	return best;
}

/* a->conns / a->weight < c->conns / c->weight, without division (both weights > 0). */
static int
fewer(const struct balance_server *a, const struct balance_server *c)
{
	return (uint64_t)a->conns * c->weight < (uint64_t)c->conns * a->weight;
}

/* The scan starts after the last pick, so equal servers take turns. */
static int
pick_lc(struct balance *b, const struct pool *p)
{
	int best = -1;

	for (unsigned k = 0; k < b->n; k++) {
		unsigned i = (b->lc_next + k) % b->n;

		if (!in_pool(b, p, i))
			continue;
		if (best < 0 || fewer(&b->srv[i], &b->srv[best]))
			best = (int)i;
	}
	b->lc_next = ((unsigned)best + 1) % b->n;
	return best;
}

void
balance_init(struct balance *b, struct balance_server *srv, unsigned n, enum balance_algo algo)
{
	*b = (struct balance){ .srv = srv, .n = n, .algo = algo };
	balance_reset(b);
}

void
balance_reset(struct balance *b)
{
	for (unsigned i = 0; i < b->n; i++)
		b->srv[i].current = 0;
	b->lc_next = 0;
}

int
balance_pick(struct balance *b)
{
	struct pool p;

	if (b == NULL || b->srv == NULL || !pool_of(b, &p))
		return -1;
	return b->algo == BALANCE_LEASTCONN ? pick_lc(b, &p) : pick_rr(b, &p);
}
