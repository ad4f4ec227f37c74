/*
 * Unit tests for lib/tcp/tcp_prr.h against RFC 6937 (Proportional Rate
 * Reduction): the §3 algorithm, the §3.1 examples (cwnd = FlightSize =
 * pipe = 20 segments, ssthresh 10), the §4 property that prr_out ends at
 * ssthresh, and the arithmetic edges. Most tests use MSS 1 (segment
 * units) as the RFC's tables do; one repeats in 1000-byte units.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp/tcp_prr.h"

static struct tcp_prr p;

/* What the caller does after each ACK: send sndcnt, count it in prr_out. */
static uint32_t
ack(uint32_t delivered, uint32_t pipe, uint32_t ssthresh, uint32_t mss)
{
	uint32_t sndcnt = prr_sndcnt(&p, delivered, pipe, ssthresh, mss);

	p.out += sndcnt;
	return sndcnt;
}

/* §3 initialisation: prr_delivered = prr_out = 0, RecoverFS = FlightSize. */
static void
test_start_resets_counters(void **state)
{
	(void)state;
	p = (struct tcp_prr){ .delivered = 7, .out = 9, .recover_fs = 3 };
	prr_start(&p, 20);
	assert_int_equal(p.delivered, 0);
	assert_int_equal(p.out, 0);
	assert_int_equal(p.recover_fs, 20);
}

/* §3: prr_delivered accumulates DeliveredData of every ACK. */
static void
test_delivered_accumulates(void **state)
{
	(void)state;
	prr_start(&p, 20);
	prr_sndcnt(&p, 3, 18, 10, 1);
	prr_sndcnt(&p, 2, 16, 10, 1);
	assert_int_equal(p.delivered, 5);
}

/*
 * §3.1, single loss, PRR: RecoverFS 20, ssthresh 10, one segment
 * delivered per ACK, pipe > ssthresh: sndcnt = CEIL(prr_delivered *
 * 10 / 20) - prr_out sends one segment on every other ACK (the first
 * being the retransmission on the ACK that starts recovery, as in the
 * RFC's "sent: N N R _ N _ N ..." row). pipe follows RFC 6675 SetPipe: 18
 * when recovery starts, minus what each ACK delivers, plus what was sent.
 * Once pipe is down to ssthresh the Reduction Bound takes over ("RB: s").
 * (The RFC's own pipe row lags this model by one ACK, so its last two
 * sends fall one ACK later; the every-other-ACK pattern is the same.)
 */
static void
test_single_loss_sends_every_other_ack(void **state)
{
	uint32_t pipe = 18;
	unsigned k;

	(void)state;
	prr_start(&p, 20);
	for (k = 0; pipe > 10; k++) {
		uint32_t sent = ack(1, pipe, 10, 1);

		assert_int_equal(sent, k % 2 == 0 ? 1 : 0);
		pipe = pipe + sent - 1; /* the next ACK delivers one more */
		assert_true(k < 40);
	}
	assert_int_equal(k, 16);
	assert_int_equal(p.out, 8);
	/* pipe has come down to ssthresh: "s", sndcnt = ssthresh - pipe keeps it there. */
	assert_int_equal(ack(1, 10, 10, 1), 0);
	assert_int_equal(ack(1, 9, 10, 1), 1);
}

/*
 * §3.1 / §4: with pipe above ssthresh throughout, prr_out after each ACK
 * is exactly CEIL(prr_delivered * ssthresh / RecoverFS); when all of
 * RecoverFS has been delivered, exactly ssthresh has been sent.
 */
static void
test_prr_out_reaches_ssthresh_when_recoverfs_delivered(void **state)
{
	(void)state;
	prr_start(&p, 20);
	for (uint32_t d = 1; d <= 20; d++) {
		ack(1, 15, 10, 1);
		assert_int_equal(p.out, (d * 10 + 19) / 20);
	}
	assert_int_equal(p.out, 10);
}

/*
 * §3.1, 15 consecutive losses (segments 0-14), PRR-SSRB: recovery starts
 * with pipe 4 < ssthresh 10. Each of the ACKs for 17, 18, 19 delivers one
 * segment; limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS = 2,
 * so 2R each time (RB "bd", "d", "d"); pipe goes 4, 5, 6.
 */
static void
test_ssrb_burst_loss_example_sends_two_per_ack(void **state)
{
	uint32_t pipe = 4;

	(void)state;
	prr_start(&p, 20);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ack(1, pipe, 10, 1), 2);
		pipe += 2 - 1;
	}
	assert_int_equal(pipe, 7);
	assert_int_equal(p.out, 6);
}

/* §3 PRR-SSRB, "s": when the limit is larger, sndcnt = ssthresh - pipe. */
static void
test_ssrb_capped_by_ssthresh_minus_pipe(void **state)
{
	(void)state;
	prr_start(&p, 20);
	p.delivered = 10; /* 10 banked */
	assert_int_equal(prr_sndcnt(&p, 1, 8, 10, 1), 2);
}

/* §3 PRR-SSRB, "b": sndcnt = prr_delivered - prr_out + MSS when that is the smaller. */
static void
test_ssrb_limit_from_banked_delivery(void **state)
{
	(void)state;
	prr_start(&p, 20);
	p.delivered = 5;
	p.out = 2;
	/* prr_delivered 6, limit = max(6 - 2, 1) + 1 = 5; ssthresh - pipe = 8 */
	assert_int_equal(prr_sndcnt(&p, 1, 2, 10, 1), 5);
}

/* §3 PRR-SSRB, "d": sndcnt = DeliveredData + MSS when nothing is banked. */
static void
test_ssrb_limit_from_delivered_data(void **state)
{
	(void)state;
	prr_start(&p, 20);
	p.delivered = 0;
	p.out = 5; /* sent ahead of delivery */
	/* prr_delivered 3, prr_delivered - prr_out = -2; limit = max(-2, 3) + 1 = 4 */
	assert_int_equal(prr_sndcnt(&p, 3, 2, 10, 1), 4);
}

/* §3: pipe == ssthresh takes the Reduction Bound branch, which gives 0 here. */
static void
test_pipe_equal_ssthresh_uses_reduction_bound(void **state)
{
	(void)state;
	prr_start(&p, 20);
	assert_int_equal(prr_sndcnt(&p, 1, 10, 10, 1), 0);
}

/* §3: sndcnt may compute negative (prr_out ahead); nothing is sent, never a huge count. */
static void
test_sndcnt_never_negative(void **state)
{
	(void)state;
	prr_start(&p, 20);
	p.out = 8; /* CEIL(1 * 10 / 20) - 8 = -7 */
	assert_int_equal(prr_sndcnt(&p, 1, 18, 10, 1), 0);
	p.out = 100; /* Reduction Bound: ssthresh - pipe = 1, limit = max(-98, 1) + 1 */
	assert_int_equal(prr_sndcnt(&p, 1, 9, 10, 1), 1);
}

/* RecoverFS of 0 (recovery with nothing in flight) must not divide by zero. */
static void
test_start_with_zero_flight_does_not_divide_by_zero(void **state)
{
	uint32_t s;

	(void)state;
	prr_start(&p, 0);
	assert_true(p.recover_fs > 0);
	s = prr_sndcnt(&p, 1000, 5000, 1000, 1000);
	assert_true(s <= 1000u * 1000u); /* finite, and we got here without SIGFPE */
}

/*
 * §3 in bytes (MSS 1000, RecoverFS 20000, ssthresh 10000, 1000 bytes per
 * ACK): sndcnt alternates 500 and 1000 bytes; a sender that only sends
 * whole segments (as tcp_recovery_send does) still sends one segment every
 * other ACK, and prr_out ends at ssthresh once RecoverFS is delivered.
 */
static void
test_byte_units_send_whole_segment_every_other_ack(void **state)
{
	(void)state;
	prr_start(&p, 20000);
	for (uint32_t k = 1; k <= 20; k++) {
		/* pipe 15000 > ssthresh throughout: the proportional part only */
		uint32_t sndcnt = prr_sndcnt(&p, 1000, 15000, 10000, 1000);
		uint32_t sent = sndcnt >= 1000 ? 1000 : 0;

		assert_int_equal(sndcnt, k % 2 ? 500 : 1000);
		assert_int_equal(sent, k % 2 ? 0 : 1000);
		p.out += sent;
	}
	assert_int_equal(p.out, 10000);
}

/* Products of large byte counts must not overflow 32 bits (CEIL(delivered * ssthresh / RecoverFS)). */
static void
test_large_windows_do_not_overflow(void **state)
{
	(void)state;
	prr_start(&p, 400000000u);
	/* delivered 200 MB of a 400 MB RecoverFS, ssthresh 280 MB: 140 MB may go. */
	assert_int_equal(prr_sndcnt(&p, 200000000u, 300000000u, 280000000u, 1000), 140000000u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_resets_counters),
		cmocka_unit_test(test_delivered_accumulates),
		cmocka_unit_test(test_single_loss_sends_every_other_ack),
		cmocka_unit_test(test_prr_out_reaches_ssthresh_when_recoverfs_delivered),
		cmocka_unit_test(test_ssrb_burst_loss_example_sends_two_per_ack),
		cmocka_unit_test(test_ssrb_capped_by_ssthresh_minus_pipe),
		cmocka_unit_test(test_ssrb_limit_from_banked_delivery),
		cmocka_unit_test(test_ssrb_limit_from_delivered_data),
		cmocka_unit_test(test_pipe_equal_ssthresh_uses_reduction_bound),
		cmocka_unit_test(test_sndcnt_never_negative),
		cmocka_unit_test(test_start_with_zero_flight_does_not_divide_by_zero),
		cmocka_unit_test(test_byte_units_send_whole_segment_every_other_ack),
		cmocka_unit_test(test_large_windows_do_not_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
