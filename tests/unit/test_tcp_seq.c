/*
 * Unit tests for lib/tcp/tcp_seq.h: sequence-number comparison modulo 2^32
 * (RFC 9293 §3.4, serial-number arithmetic in the style of RFC 1982).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp/tcp_seq.h"

/* Plain ordering away from the wrap. */
static void
test_compare_without_wrap(void **state)
{
	(void)state;
	assert_true(seq_lt(1, 2));
	assert_false(seq_lt(2, 1));
	assert_false(seq_lt(5, 5));
	assert_true(seq_leq(5, 5));
	assert_true(seq_leq(4, 5));
	assert_false(seq_leq(6, 5));
	assert_true(seq_gt(2, 1));
	assert_false(seq_gt(5, 5));
	assert_true(seq_geq(5, 5));
	assert_true(seq_geq(6, 5));
	assert_false(seq_geq(4, 5));
}

/* RFC 9293 §3.4: comparisons are modulo 2^32, so 0xfffffff0 comes before 0x10. */
static void
test_compare_across_wrap(void **state)
{
	(void)state;
	assert_true(seq_lt(0xfffffff0u, 0x10));
	assert_true(seq_leq(0xfffffff0u, 0x10));
	assert_false(seq_gt(0xfffffff0u, 0x10));
	assert_false(seq_geq(0xfffffff0u, 0x10));
	assert_true(seq_gt(0x10, 0xfffffff0u));
	assert_true(seq_geq(0x10, 0xfffffff0u));
	assert_true(seq_lt(0xffffffffu, 0));
	assert_true(seq_gt(0, 0xffffffffu));
}

/* seq_diff is the signed distance a - b, also across the wrap. */
static void
test_diff_is_signed_distance(void **state)
{
	(void)state;
	assert_int_equal(seq_diff(10, 3), 7);
	assert_int_equal(seq_diff(3, 10), -7);
	assert_int_equal(seq_diff(0x10, 0xfffffff0u), 0x20);
	assert_int_equal(seq_diff(0xfffffff0u, 0x10), -0x20);
	assert_int_equal(seq_diff(0, 0xffffffffu), 1);
	assert_int_equal(seq_diff(0x12345678u, 0x12345678u), 0);
}

/* The largest distances still ordered: 2^31 - 1 either way. */
static void
test_diff_limits_below_half_space(void **state)
{
	(void)state;
	assert_int_equal(seq_diff(0x7fffffffu, 0), INT32_MAX);
	assert_true(seq_gt(0x7fffffffu, 0));
	assert_true(seq_lt(0, 0x7fffffffu));
	assert_int_equal(seq_diff(0x80000001u, 0), -INT32_MAX);
	assert_true(seq_lt(0x80000001u, 0));
	assert_true(seq_gt(0, 0x80000001u));
}

/*
 * Exactly 2^31 apart, RFC 1982 §3.2 leaves the order undefined. tern's
 * seq_diff casts a - b to int32_t, and 0x80000000 becomes INT32_MIN, which
 * is negative in both directions: each number is "less than" the other,
 * neither is greater. This asserts what the code does, not a rule.
 */
static void
test_half_space_distance_is_negative_both_ways(void **state)
{
	(void)state;
	assert_int_equal(seq_diff(0x80000000u, 0), INT32_MIN);
	assert_int_equal(seq_diff(0, 0x80000000u), INT32_MIN);
	assert_true(seq_lt(0, 0x80000000u));
	assert_true(seq_lt(0x80000000u, 0));
	assert_false(seq_gt(0, 0x80000000u));
	assert_false(seq_gt(0x80000000u, 0));
	assert_int_equal(seq_diff(0x90000000u, 0x10000000u), INT32_MIN);
	assert_true(seq_lt(0x90000000u, 0x10000000u));
	assert_true(seq_lt(0x10000000u, 0x90000000u));
}

/*
 * Consequence of the above: at 2^31 apart seq_gt is false and seq_lt true
 * both ways, so seq_max returns its second argument and seq_min its first;
 * neither is symmetric there (what the code does, not a rule).
 */
static void
test_max_second_min_first_at_half_space(void **state)
{
	(void)state;
	assert_int_equal(seq_max(0, 0x80000000u), 0x80000000u);
	assert_int_equal(seq_max(0x80000000u, 0), 0);
	assert_int_equal(seq_min(0, 0x80000000u), 0);
	assert_int_equal(seq_min(0x80000000u, 0), 0x80000000u);
}

/* seq_max/seq_min pick by modular order, not by unsigned value. */
static void
test_max_min_modular(void **state)
{
	(void)state;
	assert_int_equal(seq_max(3, 7), 7);
	assert_int_equal(seq_max(7, 3), 7);
	assert_int_equal(seq_min(3, 7), 3);
	assert_int_equal(seq_min(7, 3), 3);
	assert_int_equal(seq_max(0xfffffff0u, 0x10), 0x10);
	assert_int_equal(seq_max(0x10, 0xfffffff0u), 0x10);
	assert_int_equal(seq_min(0xfffffff0u, 0x10), 0xfffffff0u);
	assert_int_equal(seq_min(0x10, 0xfffffff0u), 0xfffffff0u);
	assert_int_equal(seq_max(42, 42), 42);
	assert_int_equal(seq_min(42, 42), 42);
}

/* RFC 9293 §3.10.7.4: lo <= s < hi, lower edge in, upper edge out. */
static void
test_in_window_edges(void **state)
{
	(void)state;
	assert_true(seq_in_window(1000, 1000, 2000));
	assert_true(seq_in_window(1999, 1000, 2000));
	assert_false(seq_in_window(2000, 1000, 2000));
	assert_false(seq_in_window(999, 1000, 2000));
	assert_true(seq_in_window(1500, 1000, 2000));
}

/* A window straddling 0 holds the numbers on both sides of the wrap. */
static void
test_in_window_straddling_zero(void **state)
{
	(void)state;
	assert_true(seq_in_window(0xfffffff0u, 0xfffffff0u, 0x10));
	assert_true(seq_in_window(0xffffffffu, 0xfffffff0u, 0x10));
	assert_true(seq_in_window(0, 0xfffffff0u, 0x10));
	assert_true(seq_in_window(0xf, 0xfffffff0u, 0x10));
	assert_false(seq_in_window(0x10, 0xfffffff0u, 0x10));
	assert_false(seq_in_window(0xffffffefu, 0xfffffff0u, 0x10));
	assert_false(seq_in_window(0x80000000u, 0xfffffff0u, 0x10));
}

/* A window ending exactly at 0 (hi == 0) and one starting at 0. */
static void
test_in_window_edge_at_zero(void **state)
{
	(void)state;
	assert_true(seq_in_window(0xffffffffu, 0xffffff00u, 0));
	assert_false(seq_in_window(0, 0xffffff00u, 0));
	assert_true(seq_in_window(0, 0, 0x100));
	assert_false(seq_in_window(0xffffffffu, 0, 0x100));
}

/* An empty window (lo == hi) accepts nothing (RFC 9293 §3.10.7.4, RCV.WND = 0 case). */
static void
test_in_window_empty(void **state)
{
	(void)state;
	assert_false(seq_in_window(5, 5, 5));
	assert_false(seq_in_window(4, 5, 5));
	assert_false(seq_in_window(6, 5, 5));
	assert_false(seq_in_window(0, 0, 0));
}

/* The largest TCP window, 65535 << 14 (RFC 7323 §2.3), across the wrap. */
static void
test_in_window_largest_scaled_window(void **state)
{
	const uint32_t lo = 0xf0000000u, size = 65535u << 14;
	const uint32_t hi = lo + size;

	(void)state;
	assert_true(seq_in_window(lo, lo, hi));
	assert_true(seq_in_window(hi - 1, lo, hi));
	assert_true(seq_in_window(0, lo, hi));
	assert_false(seq_in_window(hi, lo, hi));
	assert_false(seq_in_window(lo - 1, lo, hi));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_without_wrap),
		cmocka_unit_test(test_compare_across_wrap),
		cmocka_unit_test(test_diff_is_signed_distance),
		cmocka_unit_test(test_diff_limits_below_half_space),
		cmocka_unit_test(test_half_space_distance_is_negative_both_ways),
		cmocka_unit_test(test_max_second_min_first_at_half_space),
		cmocka_unit_test(test_max_min_modular),
		cmocka_unit_test(test_in_window_edges),
		cmocka_unit_test(test_in_window_straddling_zero),
		cmocka_unit_test(test_in_window_edge_at_zero),
		cmocka_unit_test(test_in_window_empty),
		cmocka_unit_test(test_in_window_largest_scaled_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
