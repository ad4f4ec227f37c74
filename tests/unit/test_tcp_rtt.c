/*
 * Unit tests for lib/tcp/tcp_rtt.c against RFC 6298: the initial RTO, the
 * first and later samples, the 200 ms floor, exponential backoff with its
 * cap, and a double-precision reference run over random samples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>

#include "tcp/tcp_rtt.h"

#define MS 1000u
#define SEC 1000000u

static const struct tcp_rtt_limits lim = {
	.initial_us = 1 * SEC,
	.min_us = 200 * MS,
	.max_us = 120 * SEC,
	.granularity_us = 1 * MS,
};

static struct tcp_rtt r;

static int
setup(void **state)
{
	(void)state;
	tcp_rtt_init(&r, &lim);
	return 0;
}

/* §2.1: before any sample, RTO is the initial 1 s. */
static void
test_initial_rto_before_sample(void **state)
{
	(void)state;
	assert_int_equal(r.have_sample, 0);
	assert_int_equal(r.backoff, 0);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 1 * SEC);
}

/* §2.2: first R: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4*RTTVAR) = 300 ms. */
static void
test_first_sample(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 100 * MS);
	assert_int_equal(r.have_sample, 1);
	assert_int_equal(r.srtt_us, 100 * MS);
	assert_int_equal(r.rttvar_us, 50 * MS);
	assert_int_equal(r.rto_us, 300 * MS);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 300 * MS);
}

/*
 * §2.3: RTTVAR = 3/4*50 + 1/4*|100 - 200| = 62.5 ms, computed with the old
 * SRTT; then SRTT = 7/8*100 + 1/8*200 = 112.5 ms. Both are whole
 * microseconds here, so the integer code is exact: RTO = 112500 + 4*62500.
 */
static void
test_second_sample_uses_old_srtt(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 100 * MS);
	tcp_rtt_sample(&r, &lim, 200 * MS);
	assert_int_equal(r.rttvar_us, 62500);
	assert_int_equal(r.srtt_us, 112500);
	assert_int_equal(r.rto_us, 112500 + 4 * 62500);
}

/* min_RTT for RACK (RFC 8985 §6.1): the least sample in whole ms; one above 65.535 s is capped, sub-ms is 0. */
static void
test_min_rtt_in_ms(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 100000 * MS);
	assert_int_equal(r.min_ms, UINT16_MAX);
	tcp_rtt_sample(&r, &lim, 30 * MS + 999);
	assert_int_equal(r.min_ms, 30);
	tcp_rtt_sample(&r, &lim, 40 * MS);
	assert_int_equal(r.min_ms, 30);
	tcp_rtt_sample(&r, &lim, 999);
	assert_int_equal(r.min_ms, 0);
}

/* §2.3 with a falling RTT: |SRTT - R'| is the same magnitude either way. */
static void
test_falling_sample(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 400 * MS);
	tcp_rtt_sample(&r, &lim, 200 * MS);
	/* RTTVAR = 3/4*200 + 1/4*200 = 200 ms; SRTT = 7/8*400 + 1/8*200 = 375 ms */
	assert_int_equal(r.rttvar_us, 200 * MS);
	assert_int_equal(r.srtt_us, 375 * MS);
	assert_int_equal(r.rto_us, 375 * MS + 800 * MS);
}

/* §2: when 4*RTTVAR is below the clock granularity G, G is used instead. */
static void
test_granularity_floor_of_variance_term(void **state)
{
	static const struct tcp_rtt_limits nomin = {
		.initial_us = 1 * SEC, .min_us = 0, .max_us = 120 * SEC, .granularity_us = 1 * MS,
	};

	(void)state;
	tcp_rtt_init(&r, &nomin);
	tcp_rtt_sample(&r, &nomin, 100);          /* 4*RTTVAR = 200 us < G */
	assert_int_equal(r.rto_us, 100 + 1 * MS);
}

/* §2.4 with Linux's 200 ms minimum: a tiny RTT never gives less. */
static void
test_zero_sample_gives_minimum(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 0);
	assert_int_equal(r.rto_us, 200 * MS);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 200 * MS);
}

/* §2.4: a stream of 1 ms RTTs after a slow start converges to the 200 ms floor. */
static void
test_small_rtt_stream_converges_to_floor(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 500 * MS);
	for (int i = 0; i < 300; i++) {
		tcp_rtt_sample(&r, &lim, 1 * MS);
		assert_true(r.rto_us >= lim.min_us);
	}
	assert_int_equal(r.rto_us, 200 * MS);
	assert_in_range(r.srtt_us, 1 * MS, 1 * MS + 8); /* integer 7/8 stalls within 8 us */
}

/* §5.5: each expiry doubles the timeout, up to the 120 s maximum (§2.5). */
static void
test_backoff_doubles_until_cap(void **state)
{
	uint64_t want = 1 * SEC;

	(void)state;
	for (int i = 0; i < 40; i++) {
		assert_int_equal(tcp_rtt_current_rto(&r, &lim), want < lim.max_us ? want : lim.max_us);
		tcp_rtt_backoff(&r);
		want *= 2;
		if (want > lim.max_us)
			want = lim.max_us;
	}
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 120 * SEC);
}

/* §5.5 from a measured RTO: 300 ms, 600 ms, 1.2 s, ... 76.8 s, then 120 s. */
static void
test_backoff_from_measured_rto(void **state)
{
	static const uint32_t want[] = {
		300 * MS, 600 * MS, 1200 * MS, 2400 * MS, 4800 * MS, 9600 * MS,
		19200 * MS, 38400 * MS, 76800 * MS, 120 * SEC, 120 * SEC,
	};

	(void)state;
	tcp_rtt_sample(&r, &lim, 100 * MS);
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(tcp_rtt_current_rto(&r, &lim), want[i]);
		tcp_rtt_backoff(&r);
	}
	assert_int_equal(r.rto_us, 300 * MS); /* the base is untouched */
}

/* §5.7 as Linux does it: a new sample after backoff clears the backoff. */
static void
test_sample_after_backoff_resets_backoff(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 100 * MS);
	tcp_rtt_backoff(&r);
	tcp_rtt_backoff(&r);
	tcp_rtt_backoff(&r);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 2400 * MS);
	tcp_rtt_sample(&r, &lim, 100 * MS);
	assert_int_equal(r.backoff, 0);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), r.rto_us);
	assert_true(r.rto_us < 300 * MS); /* RTTVAR shrank: 37.5 ms, RTO 250 ms */
	assert_int_equal(r.rto_us, 100 * MS + 4 * 37500);
}

/* §2.5: a 100 s RTT gives SRTT + 4*RTTVAR = 300 s, capped at 120 s. */
static void
test_huge_sample_capped_at_max(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, 100 * SEC);
	assert_int_equal(r.rto_us, 120 * SEC);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 120 * SEC);
	tcp_rtt_backoff(&r);
	assert_int_equal(tcp_rtt_current_rto(&r, &lim), 120 * SEC);
}

/* Extreme samples (near 2^32 us) must not wrap SRTT or RTTVAR. */
static void
test_extreme_samples_do_not_wrap(void **state)
{
	(void)state;
	tcp_rtt_sample(&r, &lim, UINT32_MAX);
	tcp_rtt_sample(&r, &lim, 0);
	tcp_rtt_sample(&r, &lim, UINT32_MAX);
	assert_true(r.srtt_us > UINT32_MAX / 2);
	assert_true(r.rttvar_us > UINT32_MAX / 4);
	assert_int_equal(r.rto_us, 120 * SEC);
}

/* RFC 6298 §2.2-2.5 in double precision, the reference for the integer code. */
struct ref_rtt {
	int have;
	double srtt, rttvar, rto;
};

static void
ref_sample(struct ref_rtt *f, double rtt)
{
	if (!f->have) {
		f->srtt = rtt;
		f->rttvar = rtt / 2;
		f->have = 1;
	} else {
		f->rttvar = 0.75 * f->rttvar + 0.25 * fabs(f->srtt - rtt);
		f->srtt = 0.875 * f->srtt + 0.125 * rtt;
	}
	f->rto = f->srtt + fmax(lim.granularity_us, 4 * f->rttvar);
	f->rto = fmin(fmax(f->rto, lim.min_us), lim.max_us);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rand32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* 1000 random samples (1 ms..2 s, with bursts) stay within 1 ms of the reference. */
static void
test_random_samples_match_reference(void **state)
{
	struct ref_rtt f = { 0 };

	(void)state;
	for (int i = 0; i < 1000; i++) {
		uint32_t rtt = (i / 100) % 2 ? 1 * MS + rand32() % (2 * SEC)
					     : 20 * MS + rand32() % (5 * MS);

		tcp_rtt_sample(&r, &lim, rtt);
		ref_sample(&f, rtt);
		assert_true(fabs(r.srtt_us - f.srtt) <= 1 * MS);
		assert_true(fabs(r.rttvar_us - f.rttvar) <= 1 * MS);
		assert_true(fabs(tcp_rtt_current_rto(&r, &lim) - f.rto) <= 1 * MS);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_initial_rto_before_sample, setup),
		cmocka_unit_test_setup(test_first_sample, setup),
		cmocka_unit_test_setup(test_second_sample_uses_old_srtt, setup),
		cmocka_unit_test_setup(test_falling_sample, setup),
		cmocka_unit_test_setup(test_min_rtt_in_ms, setup),
		cmocka_unit_test_setup(test_granularity_floor_of_variance_term, setup),
		cmocka_unit_test_setup(test_zero_sample_gives_minimum, setup),
		cmocka_unit_test_setup(test_small_rtt_stream_converges_to_floor, setup),
		cmocka_unit_test_setup(test_backoff_doubles_until_cap, setup),
		cmocka_unit_test_setup(test_backoff_from_measured_rto, setup),
		cmocka_unit_test_setup(test_sample_after_backoff_resets_backoff, setup),
		cmocka_unit_test_setup(test_huge_sample_capped_at_max, setup),
		cmocka_unit_test_setup(test_extreme_samples_do_not_wrap, setup),
		cmocka_unit_test_setup(test_random_samples_match_reference, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
