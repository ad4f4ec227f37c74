#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_malloc.h>
#include <rte_random.h>

#include "tcp_flowtab.h"

int
flowtab_init(struct flowtab *ft, uint32_t max_entries, int socket)
{
	/* Four slots per entry: buckets at most half full when every TCB is in use. */
	uint64_t want = ((uint64_t)max_entries * 4 + FLOWTAB_SLOTS - 1) / FLOWTAB_SLOTS;
	uint64_t n = rte_align64pow2(RTE_MAX(want, (uint64_t)2)); /* one bucket would shift by 64 */

	memset(ft, 0, sizeof(*ft));
	ft->b = rte_malloc_socket("tern_flowtab", n * sizeof(*ft->b), RTE_CACHE_LINE_SIZE, socket);
	if (ft->b == NULL)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		memset(&ft->b[i], 0, sizeof(ft->b[i]));
		memset(ft->b[i].idx, 0xff, sizeof(ft->b[i].idx));
	}
	ft->mask = (uint32_t)(n - 1);
	ft->shift = (uint8_t)(64 - rte_log2_u64(n));
	ft->sig_shift = (uint8_t)(ft->shift - 16);
	if (getrandom(ft->key, sizeof(ft->key), 0) != sizeof(ft->key))
		for (unsigned i = 0; i < RTE_DIM(ft->key); i++)
			ft->key[i] = rte_rand();
	return 0;
}

void
flowtab_fini(struct flowtab *ft)
{
	rte_free(ft->b);
	ft->b = NULL;
}

uint32_t
flowtab_lookup(const struct flowtab *ft, const struct flowtab_tuple *t, uint64_t h,
	       flowtab_same_fn same, const void *ctx)
{
	uint16_t sig = flowtab_sig(ft, h);

	for (uint32_t b = flowtab_home(ft, h), n = 0; n <= ft->mask; b = (b + 1) & ft->mask, n++) {
		const struct flowtab_bucket *bk = &ft->b[b];

		for (unsigned m = flowtab_sig_match(bk, sig); m != 0; m &= m - 1) {
			uint32_t idx = bk->idx[__builtin_ctz(m)];

			if (same(ctx, idx, t))
				return idx;
		}
		if (bk->passed == 0)
			break;
	}
	return FLOWTAB_EMPTY;
}

int
flowtab_add(struct flowtab *ft, uint64_t h, uint32_t idx)
{
	uint32_t home = flowtab_home(ft, h), b = home, n = 0;

	/* Four slots per TCB: a bucket with room comes long before the probe wraps around. */
	while (ft->b[b].used == FLOWTAB_SLOTS) {
		if (++n > ft->mask)
			return -ENOSPC;
		b = (b + 1) & ft->mask;
	}
	for (uint32_t p = home; p != b; p = (p + 1) & ft->mask)
		ft->b[p].passed++;
	for (unsigned i = 0; i < FLOWTAB_SLOTS; i++)
		if (ft->b[b].idx[i] == FLOWTAB_EMPTY) {
			ft->b[b].idx[i] = idx;
			ft->b[b].sig[i] = flowtab_sig(ft, h);
			ft->b[b].used++;
			break;
		}
	return 0;
}

int
flowtab_del(struct flowtab *ft, const struct flowtab_tuple *t, uint32_t idx)
{
	uint64_t h = flowtab_hash(ft, t);
	uint16_t sig = flowtab_sig(ft, h);
	uint32_t home = flowtab_home(ft, h), b = home;

	for (uint32_t n = 0; n <= ft->mask; b = (b + 1) & ft->mask, n++) {
		struct flowtab_bucket *bk = &ft->b[b];

		for (unsigned m = flowtab_sig_match(bk, sig); m != 0; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctz(m);

			if (bk->idx[i] != idx)
				continue;
			bk->idx[i] = FLOWTAB_EMPTY;
			bk->sig[i] = 0;
			bk->used--;
			/* The buckets it went past no longer have it beyond them. */
			for (uint32_t p = home; p != b; p = (p + 1) & ft->mask)
				ft->b[p].passed--;
			return 0;
		}
		if (bk->passed == 0)
			break;
	}
	return -1;
}
