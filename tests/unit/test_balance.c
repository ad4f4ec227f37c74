/*
 * Unit tests for lib/proxy/balance.c: smooth weighted round-robin (nginx:
 * exact counts per cycle, interleaving, the 5,1,1 pattern), weighted
 * leastconn with round-robin ties, and HAProxy's backup rules (backups
 * only when no non-backup server is eligible; the first one unless
 * all_backups), for both algorithms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proxy/balance.h"

#define MAXS 16

static struct balance_server srv[MAXS];
static struct balance bal;

static void
setup_servers(enum balance_algo algo, const uint32_t *w, unsigned n)
{
	memset(srv, 0, sizeof(srv));
	for (unsigned i = 0; i < n; i++)
		srv[i].weight = w[i];
	balance_init(&bal, srv, n, algo);
}

/* k picks as letters 'a' + index, '-' for none. */
static void
picks(char *out, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		int p = balance_pick(&bal);

		out[i] = p < 0 ? '-' : (char)('a' + p);
	}
	out[k] = '\0';
}

/* Weights 5,1,1: "a a b a c a a" every cycle, not "a a a a a b c". */
static void
test_rr_nginx_pattern(void **state)
{
	(void)state;
	static const uint32_t w[] = { 5, 1, 1 };
	char seq[32];

	setup_servers(BALANCE_ROUNDROBIN, w, 3);
	picks(seq, 21);
	assert_string_equal(seq, "aabacaaaabacaaaabacaa");
}

static void
test_rr_equal_weights(void **state)
{
	(void)state;
	static const uint32_t w[] = { 1, 1, 1, 1 };
	static const uint32_t w3[] = { 3, 3, 3 };
	char seq[16];

	setup_servers(BALANCE_ROUNDROBIN, w, 4);
	picks(seq, 8);
	assert_string_equal(seq, "abcdabcd");
	setup_servers(BALANCE_ROUNDROBIN, w3, 3);
	picks(seq, 6);
	assert_string_equal(seq, "abcabc");
}

/*
 * Random weights: each cycle of sum(w) picks has each server exactly w
 * times and ends with every current value back at 0; within a cycle no
 * server's count strays far from its share (print the largest gap).
 */
static void
test_rr_exact_cycles(void **state)
{
	(void)state;
	uint32_t w[8], x = 12345;
	double worst = 0;

	for (int round = 0; round < 200; round++) {
		unsigned n = 1 + round % 8, cnt[8] = { 0 };
		uint32_t total = 0;

		for (unsigned i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			w[i] = (x >> 16) % 20;          /* zeros included */
			total += w[i];
		}
		setup_servers(BALANCE_ROUNDROBIN, w, n);
		if (total == 0) {
			assert_int_equal(balance_pick(&bal), -1);
			continue;
		}
		for (uint32_t k = 1; k <= 2 * total; k++) {
			int p = balance_pick(&bal);

			assert_true(p >= 0 && (unsigned)p < n && w[p] > 0);
			cnt[p]++;
			for (unsigned i = 0; i < n; i++) {
				double gap = (double)cnt[i] - (double)k * w[i] / total;

				worst = gap > worst ? gap : -gap > worst ? -gap : worst;
			}
		}
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(cnt[i], 2 * w[i]);
			assert_int_equal(srv[i].current, 0);
		}
	}
	print_message("largest gap between picks and share: %.2f\n", worst);
	assert_true(worst < 2.0);
}

/* Weight 0 is never picked, even with the largest current value. */
static void
test_rr_ineligible_never_picked(void **state)
{
	(void)state;
	static const uint32_t w[] = { 0, 2, 0, 1, 0 };
	char seq[16];

	setup_servers(BALANCE_ROUNDROBIN, w, 5);
	srv[0].current = 1000;
	srv[2].current = 1000;
	picks(seq, 6);
	assert_string_equal(seq, "bdbbdb");
	assert_int_equal(srv[0].current, 1000);
}

/* A server taken out mid-cycle stops being picked at once; reset restarts clean. */
static void
test_rr_weight_change(void **state)
{
	(void)state;
	static const uint32_t w[] = { 1, 1, 1 };
	char seq[16];

	setup_servers(BALANCE_ROUNDROBIN, w, 3);
	picks(seq, 1);
	srv[1].weight = 0;
	picks(seq, 4);
	assert_null(strchr(seq, 'b'));
	srv[1].weight = 1;
	balance_reset(&bal);
	picks(seq, 3);
	assert_string_equal(seq, "abc");
}

static void
test_none_eligible(void **state)
{
	(void)state;
	static const uint32_t w[] = { 0, 0 };

	setup_servers(BALANCE_ROUNDROBIN, w, 2);
	assert_int_equal(balance_pick(&bal), -1);
	bal.algo = BALANCE_LEASTCONN;
	assert_int_equal(balance_pick(&bal), -1);
	srv[0].backup = srv[1].backup = 1;
	assert_int_equal(balance_pick(&bal), -1);
	balance_init(&bal, srv, 0, BALANCE_ROUNDROBIN);
	assert_int_equal(balance_pick(&bal), -1);
	balance_init(&bal, NULL, 0, BALANCE_LEASTCONN);
	assert_int_equal(balance_pick(&bal), -1);
	assert_int_equal(balance_pick(NULL), -1);
}

/* The fewest connections wins; the caller counts them. */
static void
test_lc_fewest(void **state)
{
	(void)state;
	static const uint32_t w[] = { 1, 1, 1 };

	setup_servers(BALANCE_LEASTCONN, w, 3);
	srv[0].conns = 3;
	srv[1].conns = 1;
	srv[2].conns = 2;
	assert_int_equal(balance_pick(&bal), 1);
	assert_int_equal(balance_pick(&bal), 1);
	srv[1].conns = 5;
	assert_int_equal(balance_pick(&bal), 2);
	srv[2].weight = 0;
	assert_int_equal(balance_pick(&bal), 0);
}

/* Ties go round-robin, starting after the last pick. */
static void
test_lc_ties_round_robin(void **state)
{
	(void)state;
	static const uint32_t w[] = { 1, 1, 1, 1 };
	char seq[16];

	setup_servers(BALANCE_LEASTCONN, w, 4);
	picks(seq, 8);
	assert_string_equal(seq, "abcdabcd");
	srv[0].conns = srv[3].conns = 1;
	picks(seq, 4);
	assert_string_equal(seq, "bcbc");
	srv[2].weight = 0;
	picks(seq, 2);
	assert_string_equal(seq, "bb");
}

/* Picks that open connections: conns end proportional to weights. */
static void
test_lc_weighted_load(void **state)
{
	(void)state;
	static const uint32_t w[] = { 1, 2, 3, 0 };

	setup_servers(BALANCE_LEASTCONN, w, 4);
	for (int i = 0; i < 600; i++) {
		int p = balance_pick(&bal);

		assert_true(p >= 0 && p < 3);
		srv[p].conns++;
	}
	assert_int_equal(srv[0].conns, 100);
	assert_int_equal(srv[1].conns, 200);
	assert_int_equal(srv[2].conns, 300);
	assert_int_equal(srv[3].conns, 0);
	/* Closing connections on one server sends the next ones there. */
	srv[2].conns -= 30;
	for (int i = 0; i < 10; i++) {
		int p = balance_pick(&bal);

		assert_int_equal(p, 2);
		srv[p].conns++;
	}
	/* Large counts and weights: no overflow in the comparison. */
	srv[0].conns = UINT32_MAX;
	srv[0].weight = UINT32_MAX;
	srv[1].conns = UINT32_MAX - 1;
	srv[1].weight = UINT32_MAX;
	srv[2].weight = 0;
	assert_int_equal(balance_pick(&bal), 1);
}

/* Backups serve only when no non-backup server is eligible. */
static void
backups_case(enum balance_algo algo)
{
	static const uint32_t w[] = { 1, 1, 1, 1, 1 };
	char seq[16];

	setup_servers(algo, w, 5);
	srv[0].backup = srv[2].backup = srv[4].backup = 1;
	picks(seq, 6);
	assert_string_equal(seq, "bdbdbd");
	/* b down: d alone. */
	srv[1].weight = 0;
	picks(seq, 3);
	assert_string_equal(seq, "ddd");
	/* Both down: the first eligible backup takes everything... */
	srv[3].weight = 0;
	picks(seq, 3);
	assert_string_equal(seq, "aaa");
	srv[0].weight = 0;
	picks(seq, 3);
	assert_string_equal(seq, "ccc");
	/* ...or all of them share with all_backups. */
	srv[0].weight = 1;
	bal.all_backups = 1;
	balance_reset(&bal);
	picks(seq, 6);
	assert_string_equal(seq, "aceace");
	/* A non-backup server back up takes over at once. */
	srv[3].weight = 1;
	picks(seq, 3);
	assert_string_equal(seq, "ddd");
}

static void
test_backups_rr(void **state)
{
	(void)state;
	backups_case(BALANCE_ROUNDROBIN);
}

static void
test_backups_lc(void **state)
{
	(void)state;
	backups_case(BALANCE_LEASTCONN);
}

/* A backup with fewer connections is still not used while a server is up. */
static void
test_lc_backup_not_preferred(void **state)
{
	(void)state;
	static const uint32_t w[] = { 1, 1 };

	setup_servers(BALANCE_LEASTCONN, w, 2);
	srv[1].backup = 1;
	srv[0].conns = 1000;
	assert_int_equal(balance_pick(&bal), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rr_nginx_pattern),
		cmocka_unit_test(test_rr_equal_weights),
		cmocka_unit_test(test_rr_exact_cycles),
		cmocka_unit_test(test_rr_ineligible_never_picked),
		cmocka_unit_test(test_rr_weight_change),
		cmocka_unit_test(test_none_eligible),
		cmocka_unit_test(test_lc_fewest),
		cmocka_unit_test(test_lc_ties_round_robin),
		cmocka_unit_test(test_lc_weighted_load),
		cmocka_unit_test(test_backups_rr),
		cmocka_unit_test(test_backups_lc),
		cmocka_unit_test(test_lc_backup_not_preferred),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
