/*
 * Unit tests for CUBIC (RFC 9438): the window function of lib/tcp/cc_cubic.h
 * against the RFC's equations computed here in double precision, then the
 * real ops struct tcp_cc_cubic (lib/tcp/cc_cubic.c) driven on a zeroed
 * struct tcb: IW10 (RFC 6928), multiplicative decrease (§4.6), fast
 * convergence (§4.7), the concave/convex regions followed over simulated
 * RTTs (§4.4, §4.5), the Reno-friendly region (§4.3), no growth when not
 * cwnd-limited (§5.8), and timeouts (§4.8). Windows are in segments of
 * MSS 1000 bytes; the simulated sender gets one ACK per segment, spread
 * evenly over each RTT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>

#include "tcp/cc_cubic.h"
#include "tcp/tcb.h"
#include "tcp/tcp_cc.h"

#define MSS 1000u
#define RTT_100MS 100000u

static const double C = 0.4, BETA = 0.7;

static struct tcb c;
static uint64_t now_us;   /* simulated clock */
static uint64_t epoch_us; /* time of the first ACK after the last loss */

static int
setup(void **state)
{
	(void)state;
	memset(&c, 0, sizeof(c));
	c.mss = MSS;
	c.rtt.srtt_us = RTT_100MS;
	c.rtt.have_sample = 1;
	tcp_cc_cubic.init(&c);
	now_us = 1000000;
	epoch_us = 0;
	return 0;
}

static double
segs(uint32_t bytes)
{
	return (double)bytes / MSS;
}

/* RFC 9438 Figure 2, computed here: K = cbrt((W_max - cwnd_epoch) / C). */
static double
ref_k(double w_max, double cwnd_epoch)
{
	return cbrt((w_max - cwnd_epoch) / C);
}

/* RFC 9438 Figure 1, computed here. */
static double
ref_w(double t, double k, double w_max)
{
	return C * pow(t - k, 3) + w_max;
}

static void
ack(uint32_t acked, int cwnd_limited)
{
	struct tcp_ack_info ai = {
		.acked = acked, .delivered = acked, .now_us = now_us,
		.cwnd_limited = (uint8_t)cwnd_limited,
		.rtt_us = c.rtt.srtt_us,
	};

	if (epoch_us == 0)
		epoch_us = now_us;
	tcp_cc_cubic.on_ack(&c, &ai);
}

/* One RTT: an ACK for each segment of the window at its start, evenly spaced. */
static void
one_rtt(void)
{
	uint32_t n = c.cwnd / MSS, rtt = c.rtt.srtt_us;
	uint64_t start = now_us;

	for (uint32_t i = 0; i < n; i++) {
		now_us = start + (uint64_t)rtt * (i + 1) / n;
		ack(MSS, 1);
	}
}

/* Seconds since the congestion avoidance stage began. */
static double
elapsed(void)
{
	return (double)(now_us - epoch_us) / 1e6;
}

/* A loss at cwnd = w segments (cwnd set directly, as if grown there). */
static void
loss_at(double w)
{
	c.cwnd = (uint32_t)(w * MSS);
	tcp_cc_cubic.on_congestion_event(&c, c.cwnd);
	epoch_us = 0;
}

static void
assert_near(double got, double want, double rel)
{
	if (fabs(got - want) > rel * want)
		fail_msg("%.3f is not within %.1f%% of %.3f\n", got, rel * 100, want);
}

/* ---- the window function (§4.2) ---- */

/* §4.2 Figure 2: K = cbrt((W_max - cwnd_epoch)/C), = cbrt(W_max (1 - beta)/C) after a loss. */
static void
test_k_matches_figure_2(void **state)
{
	(void)state;
	assert_near(cubic_k(100, 70), ref_k(100, 70), 1e-12);
	assert_near(cubic_k(100, 70), cbrt(100 * (1 - BETA) / C), 1e-12);
	assert_near(cubic_k(1000, 700), cbrt(1000 * (1 - BETA) / C), 1e-12);
	assert_near(cubic_k(100, 70), 4.2171633265, 1e-9); /* cbrt(75) */
}

/* §4.2: no time to reach W_max when the epoch starts at or above it (K = 0). */
static void
test_k_zero_when_cwnd_at_or_above_w_max(void **state)
{
	(void)state;
	assert_true(cubic_k(100, 100) == 0.0);
	assert_true(cubic_k(100, 120) == 0.0);
}

/* §4.2 Figure 1: W_cubic(0) is the window after the reduction, beta * W_max. */
static void
test_w_at_zero_is_reduced_window(void **state)
{
	(void)state;
	assert_near(cubic_w(0, cubic_k(100, 70), 100), 70, 1e-12);
	assert_near(cubic_w(0, cubic_k(1000, 700), 1000), 700, 1e-12);
}

/* §4.2 Figure 1: W_cubic(K) = W_max. */
static void
test_w_at_k_is_w_max(void **state)
{
	(void)state;
	assert_near(cubic_w(cubic_k(100, 70), cubic_k(100, 70), 100), 100, 1e-12);
	assert_near(cubic_w(cubic_k(1000, 700), cubic_k(1000, 700), 1000), 1000, 1e-12);
}

/* §4.2 Figure 1 at arbitrary t equals C (t - K)^3 + W_max. */
static void
test_w_matches_figure_1(void **state)
{
	double k = ref_k(1000, 700);

	(void)state;
	for (double t = 0; t < 20; t += 0.37)
		assert_near(cubic_w(t, k, 1000), ref_w(t, k, 1000), 1e-12);
}

/* §4.4-4.5: concave before K (second difference < 0), convex after (> 0), increasing throughout. */
static void
test_w_concave_before_k_convex_after(void **state)
{
	double k = cubic_k(100, 70), h = 0.05;

	(void)state;
	for (double t = h; t < 2 * k; t += 0.1) {
		double d2 = cubic_w(t + h, k, 100) - 2 * cubic_w(t, k, 100) + cubic_w(t - h, k, 100);

		assert_true(cubic_w(t + h, k, 100) >= cubic_w(t, k, 100));
		if (t < k - h)
			assert_true(d2 < 0);
		else if (t > k + h)
			assert_true(d2 > 0);
	}
}

/* §4.3: alpha_cubic = 3 (1 - beta) / (1 + beta) = 0.529... with beta 0.7. */
static void
test_reno_friendly_alpha(void **state)
{
	(void)state;
	assert_near(cubic_alpha(), 3 * (1 - BETA) / (1 + BETA), 1e-12);
	assert_near(cubic_alpha(), 0.5294117647, 1e-9);
	assert_near(CUBIC_C, C, 0);
	assert_near(CUBIC_BETA, BETA, 0);
}

/* ---- the ops struct on a tcb ---- */

/* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)); ssthresh starts "infinite". */
static void
test_init_gives_iw10(void **state)
{
	static const uint16_t mss[] = { 536, 1000, 1460, 2000, 9000 };
	static const uint32_t iw[] = { 5360, 10000, 14600, 14600, 18000 };

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		memset(&c, 0, sizeof(c));
		c.mss = mss[i];
		tcp_cc_cubic.init(&c);
		assert_int_equal(c.cwnd, iw[i]);
		assert_true(c.ssthresh > 1000000000u);
	}
}

/* RFC 9406 in slow start (via CUBIC): growth min(acked, L * MSS), L = 8. */
static void
test_slow_start_growth_through_hystart(void **state)
{
	(void)state;
	ack(2 * MSS, 1);
	assert_int_equal(c.cwnd, 12 * MSS);
	ack(20 * MSS, 1);
	assert_int_equal(c.cwnd, 20 * MSS);
}

/* §4.6: loss at cwnd 100 segments: ssthresh = cwnd = beta * 100 = 70 segments. */
static void
test_loss_sets_ssthresh_and_cwnd_to_beta_cwnd(void **state)
{
	(void)state;
	loss_at(100);
	assert_int_equal(c.ssthresh, 70 * MSS);
	assert_int_equal(c.cwnd, 70 * MSS);
	loss_at(1000);
	assert_int_equal(c.ssthresh, 700 * MSS);
	assert_int_equal(c.cwnd, 700 * MSS);
}

/* §4.6: "cwnd = max(ssthresh, 2)": never below 2 segments. */
static void
test_loss_floor_is_two_segments(void **state)
{
	(void)state;
	loss_at(2);
	assert_int_equal(c.ssthresh, 2 * MSS);
	assert_int_equal(c.cwnd, 2 * MSS);
}

/* §4.2, §4.4: after a loss at W_max 100 (RTT 100 ms), cwnd follows W_cubic(t) up to K. */
static void
test_concave_growth_follows_w_cubic_100(void **state)
{
	double k = ref_k(100, 70);

	(void)state;
	loss_at(100);
	while (elapsed() < k + 0.5) {
		one_rtt();
		assert_near(segs(c.cwnd), ref_w(elapsed(), k, 100), 0.02);
	}
}

/* §4.2, §4.4-4.5 at W_max 1000: concave up to K = 9.09 s, convex after, within 2% to 2K. */
static void
test_growth_follows_w_cubic_1000(void **state)
{
	double k = ref_k(1000, 700);

	(void)state;
	loss_at(1000);
	while (elapsed() < 2 * k) {
		one_rtt();
		assert_near(segs(c.cwnd), ref_w(elapsed(), k, 1000), 0.02);
	}
	assert_true(segs(c.cwnd) > 1200); /* convex region: well past W_max */
}

/* §4.4: cwnd reaches W_max near t = K and does not overshoot it there (the plateau). */
static void
test_reaches_w_max_near_k(void **state)
{
	double k = ref_k(100, 70);

	(void)state;
	loss_at(100);
	while (elapsed() < k - 0.05)
		one_rtt();
	assert_near(segs(c.cwnd), 100, 0.01);
	assert_true(segs(c.cwnd) <= 100.5);
}

/* §5.8 (and RFC 7661): no growth from ACKs when the sender was not cwnd-limited. */
static void
test_no_growth_when_not_cwnd_limited(void **state)
{
	uint32_t before;

	(void)state;
	before = c.cwnd; /* slow start */
	for (int i = 0; i < 50; i++) {
		now_us += 10000;
		ack(MSS, 0);
	}
	assert_int_equal(c.cwnd, before);
	loss_at(100); /* congestion avoidance */
	before = c.cwnd;
	for (int i = 0; i < 2000; i++) {
		now_us += 10000;
		ack(MSS, 0);
	}
	assert_int_equal(c.cwnd, before);
}

/*
 * §4.3 reference: W_est starts at cwnd_epoch and grows by alpha *
 * segments_acked / cwnd, alpha = alpha_cubic until W_est >= cwnd_prior,
 * then 1. One RTT of ACKs against the implementation's cwnd.
 */
static void
ref_west_rtt(double *w_est, double cwnd_prior)
{
	uint32_t n = c.cwnd / MSS;
	double cwnd = segs(c.cwnd);

	for (uint32_t i = 0; i < n; i++)
		*w_est += (*w_est >= cwnd_prior ? 1.0 : 3 * (1 - BETA) / (1 + BETA)) / cwnd;
}

/* §4.3: with a 1 ms RTT, W_cubic(t) hardly moves; cwnd follows W_est when that is larger. */
static void
test_short_rtt_follows_reno_friendly_estimate(void **state)
{
	double w_est = 70, k = ref_k(100, 70);

	(void)state;
	c.rtt.srtt_us = 1000;
	loss_at(100);
	for (int r = 0; r < 100; r++) {
		ref_west_rtt(&w_est, 100);
		one_rtt();
		assert_true(w_est > ref_w(elapsed(), k, 100));
		assert_near(segs(c.cwnd), w_est, 0.01);
	}
	assert_true(segs(c.cwnd) > 120); /* alpha 1 once past cwnd_prior = 100 */
}

/*
 * §4.7 fast convergence: a loss below the previous W_max lowers W_max to
 * cwnd (1 + beta)/2. W_max 1000, second loss at ~900: the new plateau is
 * ~765, not 900 (1000-segment windows keep W_est far below W_cubic here).
 */
static void
test_fast_convergence_lowers_w_max(void **state)
{
	double w2, w_max2, k2;

	(void)state;
	loss_at(1000);
	while (c.cwnd < 900 * MSS)
		one_rtt();
	w2 = segs(c.cwnd);
	tcp_cc_cubic.on_congestion_event(&c, c.cwnd);
	epoch_us = 0;
	assert_near(segs(c.cwnd), BETA * w2, 0.001);
	w_max2 = w2 * (1 + BETA) / 2;
	k2 = ref_k(w_max2, segs(c.cwnd));
	while (elapsed() < k2 - 0.05) {
		one_rtt();
		assert_near(segs(c.cwnd), ref_w(elapsed(), k2, w_max2), 0.02);
	}
	assert_near(segs(c.cwnd), w_max2, 0.01); /* plateau at ~765, not at ~900 */
}

/* §4.7: a loss at or above W_max just records the new W_max (no fast convergence). */
static void
test_no_fast_convergence_above_w_max(void **state)
{
	double k;

	(void)state;
	loss_at(100);
	loss_at(110);
	assert_int_equal(c.cwnd, 77 * MSS);
	k = ref_k(110, 77);
	while (elapsed() < k - 0.05)
		one_rtt();
	assert_near(segs(c.cwnd), 110, 0.01);
}

/*
 * §4.3: "Once W_est has grown to reach the cwnd at the time of most
 * recently setting ssthresh -- that is, W_est >= cwnd_prior -- the sender
 * SHOULD set alpha_cubic to 1". After fast convergence W_max (76.5) is
 * below cwnd_prior (90): alpha must stay 0.53 from 76.5 up to 90.
 */
static void
test_reno_friendly_alpha_switches_at_cwnd_prior(void **state)
{
	double w_est, prior;

	(void)state;
	loss_at(100);
	prior = 90;
	loss_at(prior); /* fast convergence: W_max = 76.5, cwnd 63 */
	c.rtt.srtt_us = 1000;
	w_est = segs(c.cwnd);
	for (int r = 0; r < 45; r++) {
		ref_west_rtt(&w_est, prior);
		one_rtt();
	}
	assert_true(w_est < prior);
	assert_near(segs(c.cwnd), w_est, 0.02);
}

/* §4.8 / RFC 5681 §3.1: first timeout: cwnd = 1 MSS, ssthresh = beta * cwnd. */
static void
test_first_rto_sets_one_mss_and_beta_ssthresh(void **state)
{
	(void)state;
	loss_at(100);
	c.cwnd = 80 * MSS;
	c.rtx_count = 1;
	tcp_cc_cubic.on_rto(&c, c.cwnd);
	assert_int_equal(c.cwnd, MSS);
	assert_int_equal(c.ssthresh, 56 * MSS);
}

/* RFC 5681 §3.1 (eq. 4 note): a second timeout in a row leaves ssthresh alone. */
static void
test_second_rto_keeps_ssthresh(void **state)
{
	(void)state;
	c.cwnd = 80 * MSS;
	c.rtx_count = 1;
	tcp_cc_cubic.on_rto(&c, c.cwnd);
	c.rtx_count = 2;
	tcp_cc_cubic.on_rto(&c, c.cwnd);
	assert_int_equal(c.cwnd, MSS);
	assert_int_equal(c.ssthresh, 56 * MSS);
}

/* §4.8: after the timeout, slow start runs again up to ssthresh (RFC 9406 growth). */
static void
test_slow_start_after_rto(void **state)
{
	(void)state;
	c.cwnd = 80 * MSS;
	c.rtx_count = 1;
	tcp_cc_cubic.on_rto(&c, c.cwnd);
	c.rtx_count = 0;
	ack(MSS, 1);
	assert_int_equal(c.cwnd, 2 * MSS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k_matches_figure_2),
		cmocka_unit_test(test_k_zero_when_cwnd_at_or_above_w_max),
		cmocka_unit_test(test_w_at_zero_is_reduced_window),
		cmocka_unit_test(test_w_at_k_is_w_max),
		cmocka_unit_test(test_w_matches_figure_1),
		cmocka_unit_test(test_w_concave_before_k_convex_after),
		cmocka_unit_test(test_reno_friendly_alpha),
		cmocka_unit_test_setup(test_init_gives_iw10, setup),
		cmocka_unit_test_setup(test_slow_start_growth_through_hystart, setup),
		cmocka_unit_test_setup(test_loss_sets_ssthresh_and_cwnd_to_beta_cwnd, setup),
		cmocka_unit_test_setup(test_loss_floor_is_two_segments, setup),
		cmocka_unit_test_setup(test_concave_growth_follows_w_cubic_100, setup),
		cmocka_unit_test_setup(test_growth_follows_w_cubic_1000, setup),
		cmocka_unit_test_setup(test_reaches_w_max_near_k, setup),
		cmocka_unit_test_setup(test_no_growth_when_not_cwnd_limited, setup),
		cmocka_unit_test_setup(test_short_rtt_follows_reno_friendly_estimate, setup),
		cmocka_unit_test_setup(test_fast_convergence_lowers_w_max, setup),
		cmocka_unit_test_setup(test_no_fast_convergence_above_w_max, setup),
		cmocka_unit_test_setup(test_reno_friendly_alpha_switches_at_cwnd_prior, setup),
		cmocka_unit_test_setup(test_first_rto_sets_one_mss_and_beta_ssthresh, setup),
		cmocka_unit_test_setup(test_second_rto_keeps_ssthresh, setup),
		cmocka_unit_test_setup(test_slow_start_after_rto, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
