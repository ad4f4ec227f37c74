/*
 * Maglev table population (NSDI 2016, §3.4, Pseudocode 1) with weighted
 * turns. With equal weights every eligible backend takes one slot per
 * round, exactly as in the paper; with weights, each round adds a
 * backend's weight to its credit and the backend takes a turn whenever its
 * credit reaches the largest weight, so its slot count is proportional to
 * its weight to within one slot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maglev.h"

/* Two fixed seeds: offset and skip must come from independent hashes (§3.4). */
#define SEED_OFFSET 0x6d61676c65762d31ULL       /* "maglev-1" */
#define SEED_SKIP 0x6d61676c65762d32ULL         /* "maglev-2" */

struct turn {
	uint64_t h1, h2;        /* name hashes: permutation and turn order */
	const char *name;
	uint16_t index;         /* into the caller's array */
	uint32_t weight;
	uint32_t pos;           /* next slot of the permutation to try */
	uint32_t skip;
	uint32_t credit;
};

int
maglev_is_prime(uint32_t n)
{
	if (n < 2)
		return 0;
	if (n % 2 == 0)
		return n == 2;
	for (uint64_t d = 3; d * d <= n; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}

/*
 * A seeded hash of a name, read as little-endian 8-byte words so that the
 * value is the same on every machine.
 */
static uint64_t
name_hash(const char *s, uint64_t seed)
{
	size_t len = strlen(s);
	uint64_t h = maglev_mix64(seed ^ len);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0;

		for (size_t j = 0; j < 8 && i + j < len; j++)
			w |= (uint64_t)(uint8_t)s[i + j] << (8 * j);
		h = maglev_mix64(h ^ w);
	}
	return h;
}

/* The paper's turn order is the array's; ours is by name, so any array order gives one table. */
static int
turn_cmp(const void *a, const void *b)
{
	const struct turn *x = a, *y = b;

	if (x->h1 != y->h1)
		return x->h1 < y->h1 ? -1 : 1;
	if (x->h2 != y->h2)
		return x->h2 < y->h2 ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Validates the backends and fills one turn per backend, sorted by name
 * hash. Returns 0 or -EINVAL.
 */
static int
turns_init(struct turn *tu, const struct maglev_backend *b, unsigned n, uint32_t size)
{
	for (unsigned i = 0; i < n; i++) {
		if (b[i].name == NULL || b[i].name[0] == '\0' || b[i].weight > MAGLEV_WEIGHT_MAX)
			return -EINVAL;
		tu[i] = (struct turn){
			.h1 = name_hash(b[i].name, SEED_OFFSET),
			.h2 = name_hash(b[i].name, SEED_SKIP),
			.name = b[i].name,
			.index = (uint16_t)i,
			.weight = b[i].weight,
		};
		/* §3.4: offset in [0, M), skip in [1, M-1]; M prime makes the walk a permutation. */
		tu[i].pos = (uint32_t)(tu[i].h1 % size);
		tu[i].skip = (uint32_t)(tu[i].h2 % (size - 1)) + 1;
	}
	qsort(tu, n, sizeof(*tu), turn_cmp);
	for (unsigned i = 1; i < n; i++)
		if (turn_cmp(&tu[i - 1], &tu[i]) == 0)
			return -EINVAL;
	return 0;
}

/* Claims the first free slot of the backend's permutation. */
static void
claim(struct turn *t, uint16_t *entry, uint32_t size)
{
	/* A free slot exists, and the permutation visits every slot, so this ends. */
	while (entry[t->pos] != MAGLEV_NONE) {
		t->pos += t->skip;
		if (t->pos >= size)
			t->pos -= size;
	}
	entry[t->pos] = t->index;
	t->pos += t->skip;
	if (t->pos >= size)
		t->pos -= size;
}

/* Drops excluded backends; returns how many remain and their largest weight. */
static unsigned
keep_eligible(struct turn *tu, unsigned n, uint32_t *wmax)
{
	unsigned k = 0;

	*wmax = 0;
	for (unsigned i = 0; i < n; i++) {
		if (tu[i].weight == 0)
			continue;
		if (tu[i].weight > *wmax)
			*wmax = tu[i].weight;
		tu[k++] = tu[i];
	}
	return k;
}

/* Pseudocode 1 with weighted turns; the heaviest backend turns every round, so it ends. */
static void
populate(struct turn *tu, unsigned n, uint16_t *entry, uint32_t size)
{
	uint32_t wmax, filled = 0;

	for (uint32_t s = 0; s < size; s++)
		entry[s] = MAGLEV_NONE;
	n = keep_eligible(tu, n, &wmax);
	if (n == 0)
		return;
	for (;;) {
		for (unsigned i = 0; i < n; i++) {
			tu[i].credit += tu[i].weight;
			if (tu[i].credit < wmax)
				continue;
			tu[i].credit -= wmax;
			claim(&tu[i], entry, size);
			if (++filled == size)
				return;
		}
	}
}

int
maglev_build(struct maglev_table *t, uint32_t size, const struct maglev_backend *b,
	     unsigned n)
{
	if (t == NULL || b == NULL || n == 0 || n >= size || n > MAGLEV_MAX_BACKENDS ||
	    !maglev_is_prime(size))
		return -EINVAL;

	struct turn *tu = malloc(n * sizeof(*tu));
	uint16_t *entry = malloc((size_t)size * sizeof(*entry));
	int rc = -ENOMEM;

	if (tu != NULL && entry != NULL)
		rc = turns_init(tu, b, n, size);
	if (rc == 0) {
		populate(tu, n, entry, size);
		free(t->entry);
		t->entry = entry;
		t->size = size;
		entry = NULL;
	}
	free(entry);
	free(tu);
	return rc;
}

void
maglev_free(struct maglev_table *t)
{
	if (t == NULL)
		return;
	free(t->entry);
	t->entry = NULL;
	t->size = 0;
}
