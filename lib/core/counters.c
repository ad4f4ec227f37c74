#include <inttypes.h>
#include <string.h>

#include "counters.h"

int
tern_counter_layout_add(struct tern_counter_layout *l, const struct tern_counter_set *s,
			size_t offset)
{
	if (l->nsets == TERN_COUNTER_SETS_MAX)
		return -1;
	l->set[l->nsets] = s;
	l->offset[l->nsets] = offset;
	l->nsets++;
	l->total += s->n;
	return 0;
}

const struct tern_counter_info *
tern_counter_at(const struct tern_counter_layout *l, unsigned i)
{
	for (unsigned s = 0; s < l->nsets; s++) {
		if (i < l->set[s]->n)
			return &l->set[s]->info[i];
		i -= l->set[s]->n;
	}
	return NULL;
}

int
tern_counter_find(const struct tern_counter_layout *l, const char *name)
{
	const struct tern_counter_info *c;

	for (unsigned i = 0; (c = tern_counter_at(l, i)) != NULL; i++)
		if (strcmp(c->name, name) == 0)
			return (int)i;
	return -1;
}

static void
read_or_add(const struct tern_counter_layout *l, const void *worker, uint64_t *out, int add)
{
	unsigned k = 0;

	for (unsigned s = 0; s < l->nsets; s++) {
		const uint64_t *block = (const uint64_t *)((const char *)worker + l->offset[s]);

		for (unsigned i = 0; i < l->set[s]->n; i++, k++) {
			uint64_t v = __atomic_load_n(&block[i], __ATOMIC_RELAXED);

			out[k] = add ? out[k] + v : v;
		}
	}
}

void
tern_counters_read(const struct tern_counter_layout *l, const void *worker, uint64_t *out)
{
	read_or_add(l, worker, out, 0);
}

void
tern_counters_add(const struct tern_counter_layout *l, const void *worker, uint64_t *sum)
{
	read_or_add(l, worker, sum, 1);
}

void
tern_counters_print(FILE *f, const struct tern_counter_layout *l, const uint64_t *v, int all)
{
	const struct tern_counter_info *c;
	int width = 0;

	for (unsigned i = 0; (c = tern_counter_at(l, i)) != NULL; i++)
		if ((all || v[i] != 0) && (int)strlen(c->name) > width)
			width = (int)strlen(c->name);
	for (unsigned i = 0; (c = tern_counter_at(l, i)) != NULL; i++)
		if (all || v[i] != 0)
			fprintf(f, "%-*s %20" PRIu64 "\n", width, c->name, v[i]);
}
