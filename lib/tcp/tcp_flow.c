/*
 * Segments to connections: the worker's flow table (tcp_flowtab.c) keyed
 * by the 4-tuple, its entries TCB indices, the key compared in the TCB.
 */
#include <stddef.h>

#include <rte_prefetch.h>

#include "tcp_internal.h"
#include "tcp_worker.h"

/* A lookup reads the tuple in the TCB: one line, the second, which the fast path reads too. */
#define TCB_KEY_LINE (offsetof(struct tcb, laddr) / RTE_CACHE_LINE_SIZE)
_Static_assert(offsetof(struct tcb, laddr) / RTE_CACHE_LINE_SIZE == TCB_KEY_LINE &&
		       offsetof(struct tcb, raddr) / RTE_CACHE_LINE_SIZE == TCB_KEY_LINE &&
		       offsetof(struct tcb, lport) / RTE_CACHE_LINE_SIZE == TCB_KEY_LINE &&
		       offsetof(struct tcb, rport) / RTE_CACHE_LINE_SIZE == TCB_KEY_LINE &&
		       TCB_KEY_LINE < 4,
	       "the TCB's 4-tuple must lie in one of the lines input prefetches");

static inline int
tcb_has_tuple(const struct tcb *c, const struct flowtab_tuple *t)
{
	return c->raddr == t->raddr && c->laddr == t->laddr && c->rport == t->rport &&
	       c->lport == t->lport;
}

static int
same_tuple(const void *ctx, uint32_t idx, const struct flowtab_tuple *t)
{
	const struct tcp_worker *tw = ctx;

	return tcb_has_tuple(&tw->tcbs[idx], t);
}

static struct flowtab_tuple
tuple_of(rte_be32_t raddr, rte_be16_t rport, rte_be32_t laddr, rte_be16_t lport)
{
	return (struct flowtab_tuple){ .raddr = raddr, .laddr = laddr, .rport = rport,
				       .lport = lport };
}

/* The home bucket's one matching entry when that settles it; the full walk otherwise. */
static inline uint32_t
lookup_idx(const struct tcp_worker *tw, const struct flowtab_tuple *t, uint64_t h)
{
	const struct flowtab_bucket *b = &tw->flows.b[flowtab_home(&tw->flows, h)];
	unsigned m = flowtab_sig_match(b, flowtab_sig(&tw->flows, h));

	if ((m & (m - 1)) == 0 && b->passed == 0) {
		uint32_t idx = m != 0 ? b->idx[__builtin_ctz(m)] : FLOWTAB_EMPTY;

		return idx != FLOWTAB_EMPTY && tcb_has_tuple(&tw->tcbs[idx], t) ? idx : FLOWTAB_EMPTY;
	}
	return flowtab_lookup(&tw->flows, t, h, same_tuple, tw);
}

struct tcb *
tcp_flow_lookup(struct tcp_worker *tw, rte_be32_t raddr, rte_be16_t rport, rte_be32_t laddr,
		rte_be16_t lport)
{
	struct flowtab_tuple t = tuple_of(raddr, rport, laddr, lport);
	uint32_t idx = lookup_idx(tw, &t, flowtab_hash(&tw->flows, &t));

	return idx == FLOWTAB_EMPTY ? NULL : &tw->tcbs[idx];
}

/*
 * In three passes, so that the misses of one pass overlap: hash and
 * prefetch every bucket; take each bucket's one matching signature and
 * prefetch its TCB's tuple line; compare. A bucket with several matches,
 * or with entries gone past it, takes the full lookup.
 */
void
tcp_flow_lookup_segs(struct tcp_worker *tw, struct tcp_seg *s, unsigned n, struct tcb **out)
{
	const struct flowtab *ft = &tw->flows;
	struct flowtab_tuple t[TCP_INPUT_BURST];
	uint64_t h[TCP_INPUT_BURST];
	uint32_t cand[TCP_INPUT_BURST];
	uint8_t full[TCP_INPUT_BURST];

	for (unsigned i = 0; i < n; i++) {
		t[i] = tuple_of(s[i].saddr, s[i].sport, s[i].daddr, s[i].dport);
		h[i] = flowtab_hash(ft, &t[i]);
		rte_prefetch0(&ft->b[flowtab_home(ft, h[i])]);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct flowtab_bucket *b = &ft->b[flowtab_home(ft, h[i])];
		unsigned m = flowtab_sig_match(b, flowtab_sig(ft, h[i]));

		full[i] = (m & (m - 1)) != 0 || b->passed != 0;
		cand[i] = m != 0 ? b->idx[__builtin_ctz(m)] : FLOWTAB_EMPTY;
		if (cand[i] != FLOWTAB_EMPTY)
			rte_prefetch0((const char *)&tw->tcbs[cand[i]] + TCB_KEY_LINE * RTE_CACHE_LINE_SIZE);
	}
	for (unsigned i = 0; i < n; i++) {
		if (cand[i] != FLOWTAB_EMPTY && tcb_has_tuple(&tw->tcbs[cand[i]], &t[i]))
			out[i] = &tw->tcbs[cand[i]];
		else if (!full[i])
			out[i] = NULL;
		else {
			uint32_t idx = lookup_idx(tw, &t[i], h[i]);

			out[i] = idx == FLOWTAB_EMPTY ? NULL : &tw->tcbs[idx];
		}
	}
}

int
tcp_flow_add(struct tcp_worker *tw, struct tcb *c)
{
	struct flowtab_tuple t = tuple_of(c->raddr, c->rport, c->laddr, c->lport);
	uint64_t h = flowtab_hash(&tw->flows, &t);
	uint32_t old = lookup_idx(tw, &t, h);

	tw->flow_gen++;
	if (old != FLOWTAB_EMPTY) /* filed already (callers look first): the tuple names c from now on */
		flowtab_del(&tw->flows, &t, old);
	return flowtab_add(&tw->flows, h, c->idx);
}

void
tcp_flow_del(struct tcp_worker *tw, struct tcb *c)
{
	struct flowtab_tuple t = tuple_of(c->raddr, c->rport, c->laddr, c->lport);

	tw->flow_gen++;
	flowtab_del(&tw->flows, &t, c->idx);
}
