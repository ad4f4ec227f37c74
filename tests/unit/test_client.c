/*
 * Unit tests for the client service's pieces that need no stack:
 * lib/svc/latency.c (log-linear histogram: bucket bounds, quantiles,
 * merging) and lib/svc/client_parse.c (an HTTP answer fed in pieces).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "svc/client_parse.h"
#include "svc/latency.h"
#include "svc/pattern.h"

static struct latency_hist h, h2;

/* Quantiles are upper bucket bounds: never below the true value, at most 1/16 above it. */
static void
test_quantiles_within_resolution(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
	for (uint64_t v = 1; v <= 100000; v++)
		lat_record(&h, v * 1000); /* 1 us .. 100 ms */
	uint64_t p50 = lat_quantile(&h, 0.5), p99 = lat_quantile(&h, 0.99);

	assert_true(p50 >= 50000000ull && p50 <= 50000000ull + 50000000ull / 16);
	assert_true(p99 >= 99000000ull && p99 <= 99000000ull + 99000000ull / 16);
	assert_int_equal(lat_quantile(&h, 1.0), 100000000ull); /* the max, exactly */
	assert_int_equal(h.count, 100000);
}

static void
test_small_values_exact_and_empty(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(lat_quantile(&h, 0.5), 0);
	for (uint64_t v = 0; v < 16; v++)
		lat_record(&h, v);
	assert_int_equal(lat_quantile(&h, 0.5), 7);
	assert_int_equal(lat_quantile(&h, 0.0), 0);
}

static void
test_merge_adds_counts(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
	memset(&h2, 0, sizeof(h2));
	for (int i = 0; i < 99; i++)
		lat_record(&h, 1000);
	lat_record(&h2, 1ull << 42); /* beyond the last bucket: lands in it */
	lat_merge(&h, &h2);
	assert_int_equal(h.count, 100);
	assert_int_equal(h.max_ns, 1ull << 42);
	assert_true(lat_quantile(&h, 0.5) >= 1000 && lat_quantile(&h, 0.5) < 1100);
	assert_int_equal(lat_quantile(&h, 1.0), 1ull << 42);
}

static struct http_answer a;

/* Feeds s one byte at a time; returns the last status. */
static enum http_answer_status
feed_bytes(const char *s, size_t n)
{
	enum http_answer_status st = HTTP_ANSWER_MORE;

	for (size_t i = 0; i < n && st == HTTP_ANSWER_MORE; i++)
		st = http_answer_feed(&a, s + i, 1);
	return st;
}

static void
test_answer_in_pieces_with_pattern(void **state)
{
	const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: x\r\ncontent-length: 300\r\n\r\n";
	char body[300];

	(void)state;
	bytes_pattern_init();
	for (int i = 0; i < 300; i++)
		body[i] = (char)(i % 251);
	http_answer_reset(&a, 1);
	assert_int_equal(feed_bytes(head, sizeof(head) - 1), HTTP_ANSWER_MORE);
	assert_int_equal(a.body_len, 300);
	assert_int_equal(http_answer_feed(&a, body, 100), HTTP_ANSWER_MORE);
	assert_int_equal(http_answer_feed(&a, body + 100, 200), HTTP_ANSWER_DONE);
	assert_int_equal(a.bad_bytes, 0);
	assert_true(a.keep_alive);
}

static void
test_answer_close_bad_and_extra(void **state)
{
	const char closing[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n\x00\x05";
	const char extra[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab";
	const char not_found[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	const char no_length[] = "HTTP/1.1 200 OK\r\n\r\n";

	(void)state;
	bytes_pattern_init();
	http_answer_reset(&a, 1);
	assert_int_equal(http_answer_feed(&a, closing, sizeof(closing) - 1), HTTP_ANSWER_DONE);
	assert_false(a.keep_alive);
	assert_int_equal(a.bad_bytes, 1); /* byte 1 should be 1, is 5 */
	http_answer_reset(&a, 0);
	assert_int_equal(http_answer_feed(&a, extra, sizeof(extra) - 1), HTTP_ANSWER_EXTRA);
	http_answer_reset(&a, 0);
	assert_int_equal(http_answer_feed(&a, not_found, sizeof(not_found) - 1), HTTP_ANSWER_BAD);
	http_answer_reset(&a, 0);
	assert_int_equal(http_answer_feed(&a, no_length, sizeof(no_length) - 1), HTTP_ANSWER_BAD);
}

static void
test_answer_header_too_long(void **state)
{
	char big[CLIENT_HDR_MAX + 64];

	(void)state;
	memset(big, 'x', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	http_answer_reset(&a, 0);
	assert_int_equal(http_answer_feed(&a, big, sizeof(big)), HTTP_ANSWER_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles_within_resolution),
		cmocka_unit_test(test_small_values_exact_and_empty),
		cmocka_unit_test(test_merge_adds_counts),
		cmocka_unit_test(test_answer_in_pieces_with_pattern),
		cmocka_unit_test(test_answer_close_bad_and_extra),
		cmocka_unit_test(test_answer_header_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
