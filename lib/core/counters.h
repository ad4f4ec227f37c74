/* Per-worker counters from the X-macro list in counters.def. */
#ifndef TERN_CORE_COUNTERS_H
#define TERN_CORE_COUNTERS_H

#include <stdint.h>
#include <stdio.h>
#include <rte_common.h>

enum tern_counter {
#define C(name, kind, desc) TERN_CNT_##name,
#include "counters.def"
#undef C
	TERN_CNT_MAX
};

/*
 * One per worker, written only by its owner with plain stores; readers on
 * other lcores load relaxed and accept a slightly stale value.
 */
struct tern_counters {
	uint64_t v[TERN_CNT_MAX];
} __rte_cache_aligned;

#define CNT_INC(c, name) ((c)->v[TERN_CNT_##name]++)
#define CNT_ADD(c, name, n) ((c)->v[TERN_CNT_##name] += (n))
#define CNT_GET(c, name) ((c)->v[TERN_CNT_##name])

const char *tern_counter_name(enum tern_counter id);
const char *tern_counter_desc(enum tern_counter id);
/* 1 when the counter counts dropped packets. */
int tern_counter_is_drop(enum tern_counter id);
/* Looks a counter up by name; -1 when unknown. */
int tern_counter_by_name(const char *name);
/* Sums n per-worker blocks into out. */
void tern_counters_sum(struct tern_counters *out,
		       const struct tern_counters *const *in, unsigned n);
/* Prints "name value" lines for non-zero counters (all with all != 0). */
void tern_counters_print(FILE *f, const struct tern_counters *c, int all);

#endif
