/*
 * The flow table (lib/tcp/tcp_flowtab.c) against a plain array: random
 * adds, replacements, deletions and lookups, with the table's own keyed
 * hash and with a degenerate one that files every tuple in one bucket, so
 * that entries go on past full buckets and come out of the middle of runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_random.h>

#include "tcp/tcp_flowtab.h"
#include "test_eal.h"

#define N 4096u /* entries the table is built for */

/* What each index is filed under; valid[i] says whether it is filed at all. */
static struct flowtab_tuple tuple[N];
static uint8_t valid[N];

static int
same(const void *ctx, uint32_t idx, const struct flowtab_tuple *t)
{
	(void)ctx;
	assert_true(idx < N);
	return memcmp(&tuple[idx], t, sizeof(*t)) == 0;
}

static struct flowtab_tuple
random_tuple(void)
{
	uint64_t r = rte_rand();

	/* Few addresses and ports, so that tuples repeat and share words. */
	return (struct flowtab_tuple){ .raddr = (uint32_t)(r & 7), .laddr = (uint32_t)(r >> 3 & 3),
				       .rport = (uint16_t)(r >> 5 & 0x3ff),
				       .lport = (uint16_t)(r >> 15 & 3) };
}

static uint32_t
lookup(const struct flowtab *ft, const struct flowtab_tuple *t)
{
	return flowtab_lookup(ft, t, flowtab_hash(ft, t), same, NULL);
}

/* The model's answer: the index filed under t, or FLOWTAB_EMPTY. */
static uint32_t
model_find(const struct flowtab_tuple *t)
{
	for (uint32_t i = 0; i < N; i++)
		if (valid[i] && memcmp(&tuple[i], t, sizeof(*t)) == 0)
			return i;
	return FLOWTAB_EMPTY;
}

/*
 * The table's bookkeeping recomputed from its entries: each slot's
 * signature is its tuple's (0 exactly when free), each bucket's count of
 * used slots, and each bucket's passed count is the number of entries
 * whose run from their home bucket went over it.
 */
static void
check_counts(const struct flowtab *ft, unsigned filed)
{
	static uint32_t passed[N];
	unsigned used = 0;

	assert_true(ft->mask < N);
	memset(passed, 0, sizeof(passed));
	for (uint32_t b = 0; b <= ft->mask; b++) {
		unsigned in_use = 0;

		for (unsigned i = 0; i < FLOWTAB_SLOTS; i++) {
			uint32_t idx = ft->b[b].idx[i];
			uint64_t h;

			if (idx == FLOWTAB_EMPTY) {
				assert_int_equal(ft->b[b].sig[i], 0);
				continue;
			}
			in_use++;
			assert_true(idx < N && valid[idx]);
			h = flowtab_hash(ft, &tuple[idx]);
			assert_int_equal(ft->b[b].sig[i], flowtab_sig(ft, h));
			for (uint32_t p = flowtab_home(ft, h); p != b; p = (p + 1) & ft->mask)
				passed[p]++;
		}
		assert_int_equal(ft->b[b].used, in_use);
		used += in_use;
	}
	for (uint32_t b = 0; b <= ft->mask; b++)
		assert_int_equal(ft->b[b].passed, passed[b]);
	assert_int_equal(used, filed);
}

enum hash_mode {
	KEYED,     /* the table's own random key */
	ONE_HOME,  /* every tuple in the last bucket with one signature: runs wrap around */
	FEW_HOMES, /* the last buckets, a signature per port: runs with distinct signatures */
};

static void
set_mode(struct flowtab *ft, enum hash_mode mode)
{
	if (mode == KEYED)
		return;
	/* Home: the last bucket (plus lport for FEW_HOMES), so runs cross the end of the table. */
	ft->key[0] = (uint64_t)ft->mask << ft->shift;
	ft->key[1] = ft->key[2] = 0;
	ft->key[3] = mode == ONE_HOME ? 0 : 1ull << ft->sig_shift;
}

/* Takes every filed entry out (each found first), checks the table is empty, frees it. */
static void
empty_table(struct flowtab *ft)
{
	for (uint32_t i = 0; i < N; i++)
		if (valid[i]) {
			assert_int_equal(lookup(ft, &tuple[i]), i);
			assert_int_equal(flowtab_del(ft, &tuple[i], i), 0);
			valid[i] = 0;
		}
	check_counts(ft, 0);
	flowtab_fini(ft);
}

static void
random_ops(enum hash_mode mode)
{
	struct flowtab ft;
	unsigned filed = 0;

	test_eal_init();
	rte_srand(0x7e51ab1e); /* the same operations every run (the table's own key still varies) */
	memset(valid, 0, sizeof(valid));
	assert_int_equal(flowtab_init(&ft, N, SOCKET_ID_ANY), 0);
	set_mode(&ft, mode);
	for (unsigned op = 0; op < 100000; op++) {
		struct flowtab_tuple t = random_tuple();
		uint32_t idx = (uint32_t)(rte_rand() % N), old = model_find(&t);

		switch (rte_rand() % 3) {
		case 0: /* file t under idx (a TCB is filed once: take idx out first) */
			if (valid[idx])
				assert_int_equal(flowtab_del(&ft, &tuple[idx], idx), 0), filed--;
			valid[idx] = 0;
			old = model_find(&t);
			assert_int_equal(lookup(&ft, &t), old);
			if (old != FLOWTAB_EMPTY) { /* a tuple is filed once: the old entry goes */
				assert_int_equal(flowtab_del(&ft, &t, old), 0);
				valid[old] = 0, filed--;
			}
			assert_int_equal(flowtab_add(&ft, flowtab_hash(&ft, &t), idx), 0);
			tuple[idx] = t;
			valid[idx] = 1;
			filed++;
			break;
		case 1:
			if (valid[idx]) {
				assert_int_equal(flowtab_del(&ft, &tuple[idx], idx), 0);
				valid[idx] = 0;
				filed--;
			} else {
				assert_int_equal(flowtab_del(&ft, &t, idx), -1);
			}
			break;
		default:
			assert_int_equal(lookup(&ft, &t), old);
			break;
		}
		if (op % 5000 == 0)
			check_counts(&ft, filed);
	}
	empty_table(&ft);
}

static void
test_random_keyed(void **state)
{
	(void)state;
	random_ops(KEYED);
}

static void
test_random_one_bucket(void **state)
{
	(void)state;
	random_ops(ONE_HOME);
}

static void
test_random_few_homes(void **state)
{
	(void)state;
	random_ops(FEW_HOMES);
}

/* Every entry the table is built for fits, even when all hash alike. */
static void
test_full_in_one_bucket(void **state)
{
	struct flowtab ft;

	(void)state;
	test_eal_init();
	assert_int_equal(flowtab_init(&ft, N, SOCKET_ID_ANY), 0);
	set_mode(&ft, ONE_HOME);
	memset(valid, 1, sizeof(valid));
	for (uint32_t i = 0; i < N; i++) {
		tuple[i] = (struct flowtab_tuple){ .raddr = i, .rport = 1 };
		assert_int_equal(flowtab_add(&ft, flowtab_hash(&ft, &tuple[i]), i), 0);
	}
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(lookup(&ft, &tuple[i]), i);
	check_counts(&ft, N);
	/* Out of the middle of the run first, then the rest. */
	for (uint32_t i = N / 4; i < N / 2; i++) {
		assert_int_equal(flowtab_del(&ft, &tuple[i], i), 0);
		valid[i] = 0;
	}
	check_counts(&ft, N - N / 4);
	for (uint32_t i = N / 4; i < N / 2; i++)
		assert_int_equal(lookup(&ft, &tuple[i]), FLOWTAB_EMPTY);
	empty_table(&ft); /* the rest, each still found */
}

/*
 * The keyed hash spreads a peer's sequential ports: no bucket takes more
 * than a few. With a fixed key (a random one could, rarely, be one whose
 * multiplier has few high bits), so the test gives the same answer each run.
 */
static void
test_spread(void **state)
{
	struct flowtab ft;
	unsigned worst = 0;

	(void)state;
	test_eal_init();
	assert_int_equal(flowtab_init(&ft, N, SOCKET_ID_ANY), 0);
	ft.key[0] = 0x9e3779b97f4a7c15ull;
	ft.key[1] = 0xbf58476d1ce4e5b9ull;
	ft.key[2] = 0x94d049bb133111ebull;
	ft.key[3] = 0xd6e8feb86659fd93ull;
	for (uint32_t i = 0; i < N; i++) {
		tuple[i] = (struct flowtab_tuple){ .raddr = 0x0100a8c0, .laddr = 0x0200a8c0,
			.rport = rte_cpu_to_be_16((uint16_t)(1024 + i)), .lport = rte_cpu_to_be_16(80) };
		assert_int_equal(flowtab_add(&ft, flowtab_hash(&ft, &tuple[i]), i), 0);
	}
	for (uint32_t b = 0; b <= ft.mask; b++) {
		worst = RTE_MAX(worst, ft.b[b].used);
		assert_int_equal(ft.b[b].passed, 0);
	}
	/* 4096 entries in 2048 buckets: a full bucket would mean the ports were not mixed. */
	assert_true(worst < FLOWTAB_SLOTS);
	flowtab_fini(&ft);
}

/* The smallest tables (0, 1, 2 entries asked for) still hold what was asked and refuse when full. */
static void
test_small_tables(void **state)
{
	(void)state;
	test_eal_init();
	for (uint32_t want = 0; want <= 2; want++) {
		struct flowtab ft;
		uint32_t slots, i;

		assert_int_equal(flowtab_init(&ft, want, SOCKET_ID_ANY), 0);
		assert_true(ft.mask >= 1 && ft.shift <= 63);
		slots = (ft.mask + 1) * FLOWTAB_SLOTS;
		memset(valid, 0, sizeof(valid));
		for (i = 0; i < slots; i++) {
			tuple[i] = (struct flowtab_tuple){ .raddr = i, .lport = 80 };
			assert_int_equal(lookup(&ft, &tuple[i]), FLOWTAB_EMPTY);
			assert_int_equal(flowtab_add(&ft, flowtab_hash(&ft, &tuple[i]), i), 0);
			valid[i] = 1;
		}
		tuple[i] = (struct flowtab_tuple){ .raddr = i, .lport = 80 };
		assert_int_equal(flowtab_add(&ft, flowtab_hash(&ft, &tuple[i]), i), -ENOSPC);
		check_counts(&ft, slots);
		empty_table(&ft);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_keyed),
		cmocka_unit_test(test_random_one_bucket),
		cmocka_unit_test(test_random_few_homes),
		cmocka_unit_test(test_small_tables),
		cmocka_unit_test(test_full_in_one_bucket),
		cmocka_unit_test(test_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
