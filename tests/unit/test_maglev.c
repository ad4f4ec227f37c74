/*
 * Unit tests for lib/proxy/maglev.c against Maglev hashing (Eisenbud et
 * al., NSDI 2016, §3.4): balance (equal and weighted), determinism whatever
 * the array order or the builds before, disruption when one of 10 backends
 * is taken out (at most 1.2/10 of the keys move), restoration when it comes
 * back, all backends excluded, bad input. Prints the measured fraction of
 * keys moved and the build time for 1000 backends at M = 65537.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "proxy/maglev.h"

#define M MAGLEV_SIZE_DEFAULT
#define NKEYS 100000u
#define MAXB 1000u

static char names[MAXB][32];
static struct maglev_backend be[MAXB];

/* Backends "10.0.<i/250>.<i%250+1>:80", all of weight w. */
static void
backends(unsigned n, uint32_t w)
{
	for (unsigned i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "10.0.%u.%u:80", i / 250, i % 250 + 1);
		be[i] = (struct maglev_backend){ .name = names[i], .weight = w };
	}
}

static void
count_entries(const struct maglev_table *t, unsigned *cnt, unsigned n)
{
	memset(cnt, 0, n * sizeof(*cnt));
	for (uint32_t s = 0; s < t->size; s++) {
		assert_true(t->entry[s] < n);
		cnt[t->entry[s]]++;
	}
}

static uint64_t
rng_next(uint64_t *x)
{
	return maglev_mix64(*x += 0x9e3779b97f4a7c15ULL);
}

/* The same 100 000 pseudo-random 4-tuple hashes in every test. */
static uint64_t *
random_keys(void)
{
	uint64_t *k = malloc(NKEYS * sizeof(*k)), x = 42;

	assert_non_null(k);
	for (unsigned i = 0; i < NKEYS; i++) {
		uint64_t r = rng_next(&x);

		k[i] = maglev_hash_tuple((uint32_t)r, (uint32_t)(r >> 32) | 1,
					 (uint16_t)rng_next(&x), rte_cpu_to_be_16(80));
	}
	return k;
}

static void
test_is_prime(void **state)
{
	(void)state;
	static const uint32_t primes[] = { 2, 3, 5, 13, 251, 65537, 655373, 4294967291u };
	static const uint32_t others[] = { 0, 1, 4, 9, 15, 65536, 65535, 655371, 4294967295u };

	for (unsigned i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		assert_int_equal(maglev_is_prime(primes[i]), 1);
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(maglev_is_prime(others[i]), 0);
}

/*
 * Equal weights: each round gives every backend one slot (Pseudocode 1),
 * so counts differ by at most one: floor(M/N) or ceil(M/N).
 */
static void
test_equal_weights_balanced(void **state)
{
	(void)state;
	static const unsigned ns[] = { 1, 2, 10, 101, 1000 };
	struct maglev_table t = { 0 };
	unsigned cnt[MAXB];

	for (unsigned k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		unsigned n = ns[k];

		backends(n, 1);
		assert_int_equal(maglev_build(&t, M, be, n), 0);
		assert_int_equal(t.size, M);
		count_entries(&t, cnt, n);
		for (unsigned i = 0; i < n; i++) {
			assert_true(cnt[i] >= M / n);
			assert_true(cnt[i] <= M / n + 1);
		}
	}
	maglev_free(&t);
}

/*
 * Weights 1:2:3 (and 10:1): slot counts proportional to weight. A backend
 * of weight w turns floor(R * w / wmax) times in R rounds, so each count is
 * within a slot or two of M * w / sum.
 */
static void
check_weights(const uint32_t *w, unsigned n)
{
	struct maglev_table t = { 0 };
	unsigned cnt[MAXB];
	uint64_t sum = 0;

	backends(n, 0);
	for (unsigned i = 0; i < n; i++) {
		be[i].weight = w[i];
		sum += w[i];
	}
	assert_int_equal(maglev_build(&t, M, be, n), 0);
	count_entries(&t, cnt, n);
	for (unsigned i = 0; i < n; i++) {
		double want = (double)M * w[i] / (double)sum;

		print_message("weight %u: %u slots (%.1f expected)\n", w[i], cnt[i], want);
		assert_true(cnt[i] >= want - 2 && cnt[i] <= want + 2);
	}
	maglev_free(&t);
}

static void
test_weights_proportional(void **state)
{
	(void)state;
	static const uint32_t w123[] = { 1, 2, 3 };
	static const uint32_t w_skewed[] = { 10, 1, 5, 1, 7, 256 };

	check_weights(w123, 3);
	check_weights(w_skewed, 6);
}

/* Backend by name for slot s: compares tables built from differently ordered arrays. */
static const char *
slot_name(const struct maglev_table *t, const struct maglev_backend *b, uint32_t s)
{
	return t->entry[s] == MAGLEV_NONE ? "" : b[t->entry[s]].name;
}

/*
 * Determinism: the table depends on the set of (name, weight) only, not on
 * the order of the array nor on what was built before.
 */
static void
test_deterministic(void **state)
{
	(void)state;
	struct maglev_table a = { 0 }, b = { 0 }, c = { 0 };
	struct maglev_backend rev[10];

	backends(10, 1);
	be[3].weight = 5;
	be[7].weight = 0;
	for (unsigned i = 0; i < 10; i++)
		rev[i] = be[9 - i];
	assert_int_equal(maglev_build(&a, M, be, 10), 0);
	assert_int_equal(maglev_build(&b, M, rev, 10), 0);
	for (uint32_t s = 0; s < M; s++)
		assert_string_equal(slot_name(&a, be, s), slot_name(&b, rev, s));

	/* Another table in between, then the first inputs again into the same object. */
	assert_int_equal(maglev_build(&c, 13, rev, 4), 0);
	assert_int_equal(maglev_build(&c, M, be, 10), 0);
	assert_memory_equal(a.entry, c.entry, M * sizeof(*a.entry));
	maglev_free(&a);
	maglev_free(&b);
	maglev_free(&c);
}

/* FNV-1a over a table's entries: a fingerprint of a whole table. */
static uint64_t
table_fingerprint(const struct maglev_table *t)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint32_t s = 0; s < t->size; s++) {
		h = (h ^ (t->entry[s] & 0xff)) * 0x100000001b3ULL;
		h = (h ^ (t->entry[s] >> 8)) * 0x100000001b3ULL;
	}
	return h;
}

/*
 * Pinned values: a change of the name or key hashes would remap every flow
 * of a fleet running mixed versions, so it must show up here.
 */
static void
test_known_answers(void **state)
{
	(void)state;
	static const uint16_t want13[13] = { 2, 3, 4, 0, 1, 3, 1, 4, 0, 2, 4, 2, 1 };
	struct maglev_table t = { 0 };

	assert_true(maglev_hash_addr(rte_cpu_to_be_32(0x0a000001)) == 0xce9e000cb0f1c30dULL);
	assert_true(maglev_hash_tuple(rte_cpu_to_be_32(0x0a000001), rte_cpu_to_be_32(0x0a000002),
				      rte_cpu_to_be_16(1234), rte_cpu_to_be_16(80)) ==
		    0x447c0b41a233673fULL);
	backends(5, 1);
	assert_int_equal(maglev_build(&t, 13, be, 5), 0);
	assert_memory_equal(t.entry, want13, sizeof(want13));
	backends(10, 1);
	be[2].weight = 3;
	assert_int_equal(maglev_build(&t, M, be, 10), 0);
	assert_true(table_fingerprint(&t) == 0xd8bc9063047ce182ULL);
	maglev_free(&t);
}

/* Fraction of keys whose backend differs between two tables. */
static double
moved_fraction(const struct maglev_table *a, const struct maglev_table *b, const uint64_t *keys)
{
	unsigned moved = 0;

	for (unsigned i = 0; i < NKEYS; i++)
		moved += maglev_lookup(a, keys[i]) != maglev_lookup(b, keys[i]);
	return (double)moved / NKEYS;
}

static double
on_backend(const struct maglev_table *t, const uint64_t *keys, uint16_t r)
{
	unsigned on = 0;

	for (unsigned i = 0; i < NKEYS; i++)
		on += maglev_lookup(t, keys[i]) == r;
	return (double)on / NKEYS;
}

/*
 * Taking out one of 10 backends (weight 0) moves the keys that were on it
 * (about 1/10) and few others: at most 1.2/10 in all, for each of the 10.
 * Putting it back restores the first table, so every key that had stayed
 * put is still where it was.
 */
static void
test_remove_one_of_ten(void **state)
{
	(void)state;
	struct maglev_table full = { 0 }, less = { 0 }, back = { 0 };
	uint64_t *keys = random_keys();
	double worst = 0;

	backends(10, 1);
	assert_int_equal(maglev_build(&full, M, be, 10), 0);
	for (unsigned r = 0; r < 10; r++) {
		be[r].weight = 0;
		assert_int_equal(maglev_build(&less, M, be, 10), 0);
		be[r].weight = 1;
		for (unsigned i = 0; i < NKEYS; i++)
			if (maglev_lookup(&full, keys[i]) == r)
				assert_int_not_equal(maglev_lookup(&less, keys[i]), r);
		double f = moved_fraction(&full, &less, keys);

		print_message("removing backend %u of 10 moved %.4f of %u keys (%.4f were on it)\n",
			      r, f, NKEYS, on_backend(&full, keys, r));
		assert_true(f <= 0.12);
		worst = f > worst ? f : worst;

		assert_int_equal(maglev_build(&back, M, be, 10), 0);
		for (unsigned i = 0; i < NKEYS; i++)
			assert_int_equal(maglev_lookup(&back, keys[i]), maglev_lookup(&full, keys[i]));
	}
	print_message("worst fraction moved: %.4f (ideal 0.1000)\n", worst);
	maglev_free(&full);
	maglev_free(&less);
	maglev_free(&back);
	free(keys);
}

/* Leaving a backend out of the array is the same as giving it weight 0. */
static void
test_omitted_equals_excluded(void **state)
{
	(void)state;
	struct maglev_table a = { 0 }, b = { 0 };
	struct maglev_backend nine[9];

	backends(10, 1);
	for (unsigned i = 0, k = 0; i < 10; i++)
		if (i != 4)
			nine[k++] = be[i];
	be[4].weight = 0;
	assert_int_equal(maglev_build(&a, M, be, 10), 0);
	assert_int_equal(maglev_build(&b, M, nine, 9), 0);
	for (uint32_t s = 0; s < M; s++)
		assert_string_equal(slot_name(&a, be, s), slot_name(&b, nine, s));
	maglev_free(&a);
	maglev_free(&b);
}

static void
test_all_excluded(void **state)
{
	(void)state;
	struct maglev_table t = { 0 };
	uint64_t x = 7;

	assert_int_equal(maglev_lookup(&t, 12345), MAGLEV_NONE);
	backends(10, 0);
	assert_int_equal(maglev_build(&t, M, be, 10), 0);
	for (uint32_t s = 0; s < M; s++)
		assert_int_equal(t.entry[s], MAGLEV_NONE);
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(maglev_lookup(&t, rng_next(&x)), MAGLEV_NONE);
	maglev_free(&t);
}

/* Bad input fails with -EINVAL and leaves a built table as it was. */
static void
test_bad_input(void **state)
{
	(void)state;
	struct maglev_table t = { 0 };
	uint16_t before[13];

	backends(10, 1);
	assert_int_equal(maglev_build(&t, 13, be, 3), 0);
	memcpy(before, t.entry, sizeof(before));

	assert_int_equal(maglev_build(&t, 65536, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 0, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 1, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 15, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 13, be, 0), -EINVAL);
	assert_int_equal(maglev_build(&t, 3, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 3, be, 5), -EINVAL);
	assert_int_equal(maglev_build(&t, 2, be, 2), -EINVAL);
	assert_int_equal(maglev_build(NULL, 13, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 13, NULL, 3), -EINVAL);
	be[1].name = NULL;
	assert_int_equal(maglev_build(&t, 13, be, 3), -EINVAL);
	be[1].name = "";
	assert_int_equal(maglev_build(&t, 13, be, 3), -EINVAL);
	be[1].name = be[2].name;        /* the same backend twice */
	assert_int_equal(maglev_build(&t, 13, be, 3), -EINVAL);
	backends(10, 1);
	be[0].weight = MAGLEV_WEIGHT_MAX + 1;
	assert_int_equal(maglev_build(&t, 13, be, 3), -EINVAL);
	assert_int_equal(maglev_build(&t, 131071, be, MAGLEV_MAX_BACKENDS + 1), -EINVAL);

	assert_int_equal(t.size, 13);
	assert_memory_equal(t.entry, before, sizeof(before));
	maglev_free(&t);
	maglev_free(&t);
	maglev_free(NULL);
}

/* Smallest tables: M = 2 with one backend, M = 3 with two. */
static void
test_tiny_tables(void **state)
{
	(void)state;
	struct maglev_table t = { 0 };
	unsigned cnt[2];

	backends(2, 1);
	assert_int_equal(maglev_build(&t, 2, be, 1), 0);
	assert_int_equal(t.entry[0], 0);
	assert_int_equal(t.entry[1], 0);
	assert_int_equal(maglev_build(&t, 3, be, 2), 0);
	count_entries(&t, cnt, 2);
	assert_int_equal(cnt[0] + cnt[1], 3);
	assert_true(cnt[0] >= 1 && cnt[1] >= 1);
	maglev_free(&t);
}

/* The key hashes see every field; the address hash ignores ports by construction. */
static void
test_key_hashes(void **state)
{
	(void)state;
	rte_be32_t a = rte_cpu_to_be_32(0xc0a80001), b = rte_cpu_to_be_32(0xc0a80002);
	rte_be16_t p = rte_cpu_to_be_16(40000), q = rte_cpu_to_be_16(443);
	uint64_t h = maglev_hash_tuple(a, b, p, q);

	assert_true(h != maglev_hash_tuple(b, a, p, q));
	assert_true(h != maglev_hash_tuple(a, b, q, p));
	assert_true(h != maglev_hash_tuple(a, b, p, rte_cpu_to_be_16(444)));
	assert_true(maglev_hash_addr(a) != maglev_hash_addr(b));
	assert_true(maglev_hash_addr(0) != 0);
}

/* Not a pass/fail check: the build time for 1000 backends at M = 65537. */
static void
test_build_time_1000(void **state)
{
	(void)state;
	struct maglev_table t = { 0 };
	struct timespec t0, t1;
	unsigned cnt[MAXB];

	backends(MAXB, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(maglev_build(&t, M, be, MAXB), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("build of M = %u for %u backends: %.2f ms\n", M, MAXB,
		      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	count_entries(&t, cnt, MAXB);
	for (unsigned i = 0; i < MAXB; i++)
		assert_true(cnt[i] == M / MAXB || cnt[i] == M / MAXB + 1);
	maglev_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_prime),
		cmocka_unit_test(test_equal_weights_balanced),
		cmocka_unit_test(test_weights_proportional),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_remove_one_of_ten),
		cmocka_unit_test(test_omitted_equals_excluded),
		cmocka_unit_test(test_all_excluded),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_tiny_tables),
		cmocka_unit_test(test_key_hashes),
		cmocka_unit_test(test_build_time_1000),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
