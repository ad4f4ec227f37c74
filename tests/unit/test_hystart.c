/*
 * Unit tests for lib/tcp/hystart.c against RFC 9406 (HyStart++): slow
 * start growth with L = 8 (§4.2, not paced), rounds ending when the ACK
 * passes windowEnd, the RTT-increase exit into Conservative Slow Start
 * with RttThresh = clamp(lastRoundMinRTT / 8, 4 ms, 16 ms) after
 * N_RTT_SAMPLE = 8 samples, CSS growth divided by CSS_GROWTH_DIVISOR = 4,
 * the return to slow start when the RTT falls below cssBaselineMinRtt,
 * and the end of slow start after CSS_ROUNDS = 5 rounds (§4.3 constants).
 * Sequence numbers start just below 2^32 so rounds cross the wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp/hystart.h"

#define MSS 1000u
#define MS 1000u
#define BIG_SSTHRESH (UINT32_MAX / 2)

static struct hystart h;
static uint32_t cwnd, ssthresh;
static tcp_seq_t ack_seq;

static int
setup(void **state)
{
	(void)state;
	hystart_init(&h);
	cwnd = 10 * MSS;
	ssthresh = BIG_SSTHRESH;
	ack_seq = 0xffffd000u;
	return 0;
}

/* One ACK of one MSS; snd_max is what a new round would take as windowEnd. */
static void
ack1(uint32_t rtt_us, tcp_seq_t snd_max)
{
	ack_seq += MSS;
	hystart_on_ack(&h, MSS, rtt_us, ack_seq, snd_max, MSS, &cwnd, &ssthresh);
}

/*
 * A whole round of n ACKs, all with the same RTT sample. The first ACK
 * passes the previous windowEnd and starts the round with windowEnd at
 * the last of these n ACKs, so the round holds exactly these n.
 */
static void
round_of(unsigned n, uint32_t rtt_us)
{
	tcp_seq_t end = ack_seq + n * MSS;

	for (unsigned i = 0; i < n; i++)
		ack1(rtt_us, end);
}

/* Round 1 at 100 ms, then round 2 at rtt_us (8 samples each). */
static void
two_rounds(uint32_t rtt1_us, uint32_t rtt2_us)
{
	round_of(8, rtt1_us);
	round_of(8, rtt2_us);
}

/* §4.2: in slow start, cwnd = cwnd + min(N, L * SMSS). */
static void
test_slow_start_grows_by_acked_bytes(void **state)
{
	(void)state;
	ack1(100 * MS, ack_seq + 10 * MSS);
	assert_int_equal(cwnd, 11 * MSS);
}

/* §4.2 with L = 8 (no pacing): an ACK of 20 MSS grows cwnd by 8 MSS only. */
static void
test_slow_start_growth_capped_at_l_mss(void **state)
{
	(void)state;
	ack_seq += 20 * MSS;
	hystart_on_ack(&h, 20 * MSS, 100 * MS, ack_seq, ack_seq, MSS, &cwnd, &ssthresh);
	assert_int_equal(cwnd, 18 * MSS);
}

/* §4.2: a round ends when windowEnd is ACKed, i.e. the ACK passes it; reaching it is not enough. */
static void
test_round_ends_when_ack_passes_window_end(void **state)
{
	(void)state;
	round_of(8, 100 * MS);
	assert_int_equal(h.cur_round_min_rtt, 100 * MS);
	assert_int_equal(h.last_round_min_rtt, HS_NO_RTT);
	assert_int_equal(ack_seq, h.window_end); /* the last ACK reached windowEnd: same round */
	ack1(120 * MS, ack_seq + 8 * MSS);
	assert_int_equal(h.last_round_min_rtt, 100 * MS);
	assert_int_equal(h.cur_round_min_rtt, 120 * MS);
	assert_int_equal(h.samples, 1);
}

/* §4.2: currentRoundMinRTT is the minimum of the round's samples. */
static void
test_round_min_rtt_is_minimum_sample(void **state)
{
	static const uint32_t rtts[] = { 130, 110, 150, 105, 140 };

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		ack1(rtts[i] * MS, ack_seq + 10 * MSS);
	assert_int_equal(h.cur_round_min_rtt, 105 * MS);
	assert_int_equal(h.samples, 5);
}

/* §4.2: an ACK without an RTT sample grows cwnd but is not a sample. */
static void
test_ack_without_rtt_is_not_a_sample(void **state)
{
	(void)state;
	ack1(0, ack_seq + 10 * MSS);
	assert_int_equal(h.samples, 0);
	assert_int_equal(h.cur_round_min_rtt, HS_NO_RTT);
	assert_int_equal(cwnd, 11 * MSS);
}

/* §4.2: lastRoundMinRTT 100 ms, currentRoundMinRTT >= 100 + 12.5 ms after 8 samples: CSS. */
static void
test_rtt_rise_of_threshold_enters_css(void **state)
{
	(void)state;
	two_rounds(100 * MS, 112500);
	assert_true(h.in_css);
	assert_int_equal(h.css_baseline_min_rtt, 112500);
	assert_int_equal(ssthresh, BIG_SSTHRESH);
}

/* §4.2: one microsecond under the threshold stays in slow start. */
static void
test_rtt_rise_below_threshold_stays_in_slow_start(void **state)
{
	(void)state;
	two_rounds(100 * MS, 112499);
	assert_false(h.in_css);
}

/* §4.2: the check needs rttSampleCount >= N_RTT_SAMPLE: 7 samples never exit. */
static void
test_fewer_than_eight_samples_never_exit(void **state)
{
	(void)state;
	round_of(8, 100 * MS);
	round_of(7, 500 * MS);
	assert_false(h.in_css);
	round_of(7, 500 * MS); /* last round 500 ms: still only 7 samples */
	assert_false(h.in_css);
	assert_int_equal(ssthresh, BIG_SSTHRESH);
}

/* §4.2: the eighth sample of the round triggers the exit, not before. */
static void
test_exit_on_eighth_sample(void **state)
{
	(void)state;
	round_of(8, 100 * MS);
	tcp_seq_t end = ack_seq + 10 * MSS;

	for (int i = 0; i < 7; i++)
		ack1(200 * MS, end);
	assert_false(h.in_css);
	ack1(200 * MS, end);
	assert_true(h.in_css);
}

/* §4.2: with no lastRoundMinRTT (the first round), nothing can exit. */
static void
test_first_round_never_exits(void **state)
{
	(void)state;
	round_of(20, 500 * MS);
	assert_false(h.in_css);
}

/* §4.2: RttThresh = max(MIN_RTT_THRESH, ...): 20 ms / 8 = 2.5 ms is raised to 4 ms. */
static void
test_threshold_clamps_at_4ms(void **state)
{
	(void)state;
	two_rounds(20 * MS, 23999);
	assert_false(h.in_css);
	setup(NULL);
	two_rounds(20 * MS, 24 * MS);
	assert_true(h.in_css);
}

/* §4.2: RttThresh = min(..., MAX_RTT_THRESH): 200 ms / 8 = 25 ms is cut to 16 ms. */
static void
test_threshold_clamps_at_16ms(void **state)
{
	(void)state;
	two_rounds(200 * MS, 215999);
	assert_false(h.in_css);
	setup(NULL);
	two_rounds(200 * MS, 216 * MS);
	assert_true(h.in_css);
}

/* §4.2 CSS: cwnd = cwnd + min(N, L * SMSS) / CSS_GROWTH_DIVISOR. */
static void
test_css_growth_is_quarter(void **state)
{
	uint32_t before;

	(void)state;
	two_rounds(100 * MS, 120 * MS);
	assert_true(h.in_css);
	before = cwnd;
	ack1(120 * MS, ack_seq + 8 * MSS);
	assert_int_equal(cwnd, before + MSS / 4);
	before = cwnd;
	ack_seq += 20 * MSS;
	hystart_on_ack(&h, 20 * MSS, 120 * MS, ack_seq, ack_seq, MSS, &cwnd, &ssthresh);
	assert_int_equal(cwnd, before + 8 * MSS / 4);
}

/*
 * §4.2: "CSS lasts at most CSS_ROUNDS rounds. If the transition into CSS
 * happens in the middle of a round, that partial round counts": entering
 * CSS in round 2, rounds 2..6 are CSS, and the start of round 7 sets
 * ssthresh = cwnd (congestion avoidance).
 */
static void
test_five_css_rounds_end_slow_start(void **state)
{
	(void)state;
	round_of(8, 100 * MS);
	round_of(10, 120 * MS); /* CSS from its 8th ACK: a partial round */
	assert_true(h.in_css);
	for (int r = 3; r <= 6; r++) {
		round_of(8, 120 * MS);
		assert_true(h.in_css);
		assert_int_equal(ssthresh, BIG_SSTHRESH);
	}
	ack1(120 * MS, ack_seq + 8 * MSS); /* first ACK of round 7 */
	assert_int_equal(ssthresh, cwnd);
}

/* §4.2: no growth on the ACK that ends slow start: cwnd stays where ssthresh was set. */
static void
test_css_exit_ack_does_not_grow(void **state)
{
	uint32_t before;

	(void)state;
	round_of(8, 100 * MS);
	round_of(8, 120 * MS);
	for (int r = 3; r <= 6; r++)
		round_of(8, 120 * MS);
	before = cwnd;
	ack1(120 * MS, ack_seq + 8 * MSS);
	assert_int_equal(cwnd, before);
	assert_int_equal(ssthresh, before);
}

/* §4.2 CSS: currentRoundMinRTT < cssBaselineMinRtt: spurious exit, resume slow start. */
static void
test_rtt_below_css_baseline_resumes_slow_start(void **state)
{
	uint32_t before;

	(void)state;
	two_rounds(100 * MS, 120 * MS);
	assert_true(h.in_css);
	round_of(8, 119 * MS);
	assert_false(h.in_css);
	assert_int_equal(h.css_baseline_min_rtt, HS_NO_RTT);
	before = cwnd;
	round_of(1, 119 * MS);
	assert_int_equal(cwnd, before + MSS); /* full slow start growth again */
	assert_int_equal(ssthresh, BIG_SSTHRESH);
}

/* §4.2 CSS: an RTT at the baseline is not below it: CSS continues. */
static void
test_rtt_at_css_baseline_stays_in_css(void **state)
{
	(void)state;
	two_rounds(100 * MS, 120 * MS);
	round_of(8, 120 * MS);
	assert_true(h.in_css);
}

/* §4.2 CSS: the baseline check also needs 8 samples. */
static void
test_css_baseline_check_needs_eight_samples(void **state)
{
	(void)state;
	two_rounds(100 * MS, 120 * MS);
	round_of(7, 90 * MS);
	assert_true(h.in_css);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_slow_start_grows_by_acked_bytes, setup),
		cmocka_unit_test_setup(test_slow_start_growth_capped_at_l_mss, setup),
		cmocka_unit_test_setup(test_round_ends_when_ack_passes_window_end, setup),
		cmocka_unit_test_setup(test_round_min_rtt_is_minimum_sample, setup),
		cmocka_unit_test_setup(test_ack_without_rtt_is_not_a_sample, setup),
		cmocka_unit_test_setup(test_rtt_rise_of_threshold_enters_css, setup),
		cmocka_unit_test_setup(test_rtt_rise_below_threshold_stays_in_slow_start, setup),
		cmocka_unit_test_setup(test_fewer_than_eight_samples_never_exit, setup),
		cmocka_unit_test_setup(test_exit_on_eighth_sample, setup),
		cmocka_unit_test_setup(test_first_round_never_exits, setup),
		cmocka_unit_test_setup(test_threshold_clamps_at_4ms, setup),
		cmocka_unit_test_setup(test_threshold_clamps_at_16ms, setup),
		cmocka_unit_test_setup(test_css_growth_is_quarter, setup),
		cmocka_unit_test_setup(test_five_css_rounds_end_slow_start, setup),
		cmocka_unit_test_setup(test_css_exit_ack_does_not_grow, setup),
		cmocka_unit_test_setup(test_rtt_below_css_baseline_resumes_slow_start, setup),
		cmocka_unit_test_setup(test_rtt_at_css_baseline_stays_in_css, setup),
		cmocka_unit_test_setup(test_css_baseline_check_needs_eight_samples, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
