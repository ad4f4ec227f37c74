/*
 * The flow table (lib/tcp/tcp_flowtab.c) against a plain array: random
 * adds, replacements, deletions and lookups, with the table's own keyed
 * hash and with a degenerate one that files every tuple in one bucket, so
 * that entries go on past full buckets and come out of the middle of runs.
 */
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

static void
check_counts(const struct flowtab *ft, unsigned filed)
{
	unsigned used = 0;

	for (uint32_t b = 0; b <= ft->mask; b++) {
		unsigned free_slots = 0;

		for (unsigned i = 0; i < FLOWTAB_SLOTS; i++)
			free_slots += ft->b[b].idx[i] == FLOWTAB_EMPTY;
		assert_int_equal(ft->b[b].used, FLOWTAB_SLOTS - free_slots);
		used += ft->b[b].used;
		if (filed == 0)
			assert_int_equal(ft->b[b].passed, 0);
	}
	assert_int_equal(used, filed);
}

static void
random_ops(int degenerate)
{
	struct flowtab ft;
	unsigned filed = 0;

	test_eal_init();
	rte_srand(0x7e51ab1e); /* the same operations every run (the table's own key still varies) */
	memset(valid, 0, sizeof(valid));
	assert_int_equal(flowtab_init(&ft, N, SOCKET_ID_ANY), 0);
	if (degenerate)
		ft.key[1] = ft.key[2] = ft.key[3] = 0; /* one bucket, one signature for all */
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
			flowtab_add(&ft, flowtab_hash(&ft, &t), idx);
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
		if (op % 10000 == 0)
			check_counts(&ft, filed);
	}
	for (uint32_t i = 0; i < N; i++)
		if (valid[i]) {
			assert_int_equal(lookup(&ft, &tuple[i]), i);
			assert_int_equal(flowtab_del(&ft, &tuple[i], i), 0);
			valid[i] = 0;
		}
	check_counts(&ft, 0);
	flowtab_fini(&ft);
}

static void
test_random_keyed(void **state)
{
	(void)state;
	random_ops(0);
}

static void
test_random_one_bucket(void **state)
{
	(void)state;
	random_ops(1);
}

/* Every entry the table is built for fits, even when all hash alike. */
static void
test_full_in_one_bucket(void **state)
{
	struct flowtab ft;

	(void)state;
	test_eal_init();
	assert_int_equal(flowtab_init(&ft, N, SOCKET_ID_ANY), 0);
	ft.key[1] = ft.key[2] = ft.key[3] = 0;
	for (uint32_t i = 0; i < N; i++) {
		tuple[i] = (struct flowtab_tuple){ .raddr = i, .rport = 1 };
		flowtab_add(&ft, flowtab_hash(&ft, &tuple[i]), i);
	}
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(lookup(&ft, &tuple[i]), i);
	check_counts(&ft, N);
	/* Out of the middle of the run first, then the rest. */
	for (uint32_t i = N / 4; i < N / 2; i++)
		assert_int_equal(flowtab_del(&ft, &tuple[i], i), 0);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(lookup(&ft, &tuple[i]), i >= N / 4 && i < N / 2 ? FLOWTAB_EMPTY : i);
	for (uint32_t i = 0; i < N; i++)
		if (i < N / 4 || i >= N / 2)
			assert_int_equal(flowtab_del(&ft, &tuple[i], i), 0);
	check_counts(&ft, 0);
	flowtab_fini(&ft);
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
		flowtab_add(&ft, flowtab_hash(&ft, &tuple[i]), i);
	}
	for (uint32_t b = 0; b <= ft.mask; b++) {
		worst = RTE_MAX(worst, ft.b[b].used);
		assert_int_equal(ft.b[b].passed, 0);
	}
	/* 4096 entries in 2048 buckets: a full bucket would mean the ports were not mixed. */
	assert_true(worst < FLOWTAB_SLOTS);
	flowtab_fini(&ft);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_keyed),
		cmocka_unit_test(test_random_one_bucket),
		cmocka_unit_test(test_full_in_one_bucket),
		cmocka_unit_test(test_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
