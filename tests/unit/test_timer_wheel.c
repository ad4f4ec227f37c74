/*
 * Unit tests for lib/tcp/timer_wheel.c. The header promises that timers
 * "cascade to finer levels as their time approaches, so each fires on
 * exactly its tick": every test checks that no timer fires before its
 * expiry, that each fires on the first wheel_advance whose now reaches it,
 * and (except for timers armed in the past) that the wheel is processing
 * exactly the expiry tick when it fires.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/timer_wheel.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

enum action {
	ACT_NONE,
	ACT_REARM_NOW,      /* re-arm self for the now being advanced to, once */
	ACT_CANCEL_OTHER,   /* cancel x->other */
	ACT_REARM_RANDOM,   /* re-arm self 1..max_delta ticks ahead, rearms_left times */
};

/* A timer owner, as a TCB would embed its timer. */
struct ttimer {
	uint64_t cookie;        /* puts the timer off offset 0, so container_of matters */
	struct wheel_timer timer;
	unsigned fires;
	uint64_t fired_now;     /* the now of the wheel_advance call that fired it */
	uint64_t fired_tick;    /* the tick the wheel was processing */
	int armed_in_past;      /* armed for a tick already processed: no exact-tick check */
	enum action action;
	struct ttimer *other;
	unsigned rearms_left;
	uint32_t max_delta;
};

static struct timer_wheel wheel;
static uint64_t cur_now;        /* now of the wheel_advance call in progress */
static uint64_t prev_now;       /* now of the previous call, valid if have_prev */
static int have_prev;
static int capped;              /* max given: leftovers fire in later calls */
static uint64_t fired_total;
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t
rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
on_expire(struct timer_wheel *w, struct wheel_timer *t, void *ctx)
{
	struct ttimer *x = container_of(t, struct ttimer, timer);

	assert_ptr_equal(w, &wheel);
	assert_ptr_equal(ctx, &fired_total);
	assert_int_equal(x->cookie, 0xc0ffee);
	assert_false(wheel_armed(t));
	/* never before its tick */
	assert_true(cur_now >= t->expire);
	assert_true(w->tick >= t->expire);
	if (!x->armed_in_past) {
		/* exactly its tick, and not later than the first advance reaching it */
		assert_int_equal(w->tick, t->expire);
		if (have_prev && !capped)
			assert_true(prev_now < t->expire);
	}
	x->fires++;
	x->fired_now = cur_now;
	x->fired_tick = w->tick;
	fired_total++;
	switch (x->action) {
	case ACT_REARM_NOW:
		x->action = ACT_NONE;
		x->armed_in_past = 1; /* `now` is being processed: it is not in the future */
		wheel_arm(w, t, cur_now);
		break;
	case ACT_CANCEL_OTHER:
		wheel_cancel(w, &x->other->timer);
		break;
	case ACT_REARM_RANDOM:
		if (x->rearms_left > 0) {
			x->rearms_left--;
			wheel_arm(w, t, w->tick + 1 + rand64() % x->max_delta);
		}
		break;
	default:
		break;
	}
}

static void
wheel_reset(uint64_t base)
{
	wheel_init(&wheel, base, on_expire, &fired_total);
	fired_total = 0;
	have_prev = 0;
}

static void
timer_init(struct ttimer *x)
{
	memset(x, 0, sizeof(*x));
	x->cookie = 0xc0ffee;
}

static unsigned
advance(uint64_t now, unsigned max)
{
	unsigned n;

	cur_now = now;
	capped = max != UINT32_MAX;
	n = wheel_advance(&wheel, now, max);
	prev_now = now;
	have_prev = 1;
	return n;
}

static unsigned
advance_all(uint64_t now)
{
	return advance(now, UINT32_MAX);
}

/* Steps one tick at a time over [from, to]; x must fire exactly on `expire`. */
static void
step_over(struct ttimer *x, uint64_t from, uint64_t to, uint64_t expire)
{
	for (uint64_t now = from; now <= to; now++) {
		unsigned n = advance_all(now);

		assert_int_equal(n, now == expire ? 1 : 0);
		assert_int_equal(x->fires, now >= expire ? 1 : 0);
	}
	assert_int_equal(x->fired_now, expire);
	assert_int_equal(x->fired_tick, expire);
}

/* One timer delta ticks after base: jump to just before it, then tick by tick. */
static void
check_delta_stepwise(uint64_t base, uint64_t delta)
{
	struct ttimer x;
	uint64_t expire = base + delta;

	wheel_reset(base);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, expire);
	assert_int_equal(wheel.armed, 1);
	if (delta > 3)
		assert_int_equal(advance_all(expire - 3), 0);
	step_over(&x, delta > 3 ? expire - 2 : base, expire + 2, expire);
	assert_int_equal(wheel.armed, 0);
	assert_false(wheel_armed(&x.timer));
}

/* The same timer reached by jumps of `stride` ticks: fires on the first call reaching it. */
static void
check_delta_jumps(uint64_t base, uint64_t delta, uint64_t stride)
{
	struct ttimer x;
	uint64_t expire = base + delta, now = base;

	wheel_reset(base);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, expire);
	for (;;) {
		unsigned n = advance_all(now);

		if (now < expire) {
			assert_int_equal(n, 0);
		} else {
			assert_int_equal(n, 1);
			break;
		}
		now += stride;
	}
	assert_int_equal(x.fires, 1);
	assert_true(x.fired_now - expire < stride);
	assert_int_equal(x.fired_tick, expire);
	assert_int_equal(wheel.armed, 0);
}

static const uint64_t deltas[] = {
	0, 1, 2, 255, 256, 257, 511, 65535, 65536, 65537, 16777215, 16777216, 16777216 + 5,
};

static void
check_all_deltas(uint64_t base)
{
	for (unsigned i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		check_delta_stepwise(base, deltas[i]);
		check_delta_jumps(base, deltas[i], deltas[i] / 500 + 7);
	}
}

/* Each level boundary (2^8, 2^16, 2^24) from tick 0. */
static void
test_fires_on_exact_tick_from_zero(void **state)
{
	(void)state;
	check_all_deltas(0);
}

/* The same from a start that is not slot-aligned (wheel_init at 123456789). */
static void
test_fires_on_exact_tick_from_odd_start(void **state)
{
	(void)state;
	check_all_deltas(123456789);
}

/* The same from just below 2^32, so expiries cross the 32-bit boundary. */
static void
test_fires_on_exact_tick_across_2_32(void **state)
{
	(void)state;
	check_all_deltas((1ull << 32) - 100);
	check_all_deltas((1ull << 32) - 1);
}

/*
 * 2^32 + 7 ticks is beyond the top level's 2^32 reach: the code parks it
 * in the top level's farthest slot and re-files it on cascade. It must
 * still fire on exactly its tick. Big jumps of about 2^22 ticks up to just
 * before it, then tick by tick. The wheel skips idle stretches level by
 * level, so this takes milliseconds even under ASan.
 */
static void
test_fires_on_exact_tick_beyond_top_level(void **state)
{
	const uint64_t base = 123456789, expire = base + (1ull << 32) + 7;
	const uint64_t stride = (1ull << 22) + 3;
	struct ttimer x;
	uint64_t now;

	(void)state;
	wheel_reset(base);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, expire);
	for (now = base; now + stride < expire - 3; now += stride)
		assert_int_equal(advance_all(now), 0);
	assert_int_equal(advance_all(expire - 3), 0);
	step_over(&x, expire - 2, expire + 2, expire);
	assert_int_equal(wheel.armed, 0);
}

/* A cancelled timer never fires: on level 0, and on level 2 before and after its cascade. */
static void
test_cancel_before_expiry_never_fires(void **state)
{
	struct ttimer a, b, c;

	(void)state;
	wheel_reset(1000);
	timer_init(&a);
	timer_init(&b);
	timer_init(&c);
	wheel_arm(&wheel, &a.timer, 1100);
	wheel_arm(&wheel, &b.timer, 1000 + 70000);
	wheel_arm(&wheel, &c.timer, 1000 + 70000);
	assert_int_equal(wheel.armed, 3);
	assert_int_equal(advance_all(1050), 0);
	wheel_cancel(&wheel, &a.timer);
	wheel_cancel(&wheel, &b.timer);          /* still on a coarse level */
	assert_false(wheel_armed(&a.timer));
	assert_int_equal(wheel.armed, 1);
	assert_int_equal(advance_all(1000 + 70000 - 10), 0);
	wheel_cancel(&wheel, &c.timer);          /* cascaded down to level 0 by now */
	assert_int_equal(wheel.armed, 0);
	for (uint64_t now = 1000 + 70000 - 9; now < 1000 + 70100; now++)
		assert_int_equal(advance_all(now), 0);
	assert_int_equal(a.fires + b.fires + c.fires, 0);
}

/* Cancelling a timer that is not armed (never, or twice) is harmless. */
static void
test_cancel_unarmed_is_harmless(void **state)
{
	struct ttimer a;

	(void)state;
	wheel_reset(0);
	timer_init(&a);
	wheel_cancel(&wheel, &a.timer);
	assert_int_equal(wheel.armed, 0);
	wheel_arm(&wheel, &a.timer, 10);
	wheel_cancel(&wheel, &a.timer);
	wheel_cancel(&wheel, &a.timer);
	assert_int_equal(wheel.armed, 0);
	assert_int_equal(advance_all(20), 0);
}

/* Re-arming moves the timer: earlier, then later across a level. */
static void
test_rearm_moves_timer(void **state)
{
	struct ttimer x;

	(void)state;
	wheel_reset(0);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, 100);
	wheel_arm(&wheel, &x.timer, 50);
	assert_int_equal(wheel.armed, 1);
	step_over(&x, 0, 120, 50);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, 130);
	wheel_arm(&wheel, &x.timer, 700);        /* level 0 to level 1 */
	assert_int_equal(wheel.armed, 1);
	step_over(&x, 121, 800, 700);
	assert_int_equal(wheel.armed, 0);
}

/* A re-arm to a nearer tick from a coarse level fires at the new tick. */
static void
test_rearm_from_coarse_level_to_near(void **state)
{
	struct ttimer x;

	(void)state;
	wheel_reset(5);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, 5 + 20000000);
	assert_int_equal(advance_all(300), 0);
	wheel_arm(&wheel, &x.timer, 310);
	step_over(&x, 301, 400, 310);
}

/* Header: a tick already past fires on the next advance. */
static void
test_arm_in_past_fires_next_advance(void **state)
{
	struct ttimer x, y;

	(void)state;
	wheel_reset(0);
	timer_init(&x);
	timer_init(&y);
	wheel_arm(&wheel, &y.timer, 5000);     /* keeps the wheel stepping */
	assert_int_equal(advance_all(1000), 0);
	x.armed_in_past = 1;
	wheel_arm(&wheel, &x.timer, 10);
	assert_int_equal(advance_all(1001), 1);
	assert_int_equal(x.fires, 1);
	assert_int_equal(x.fired_now, 1001);
	wheel_arm(&wheel, &x.timer, 1001);       /* the tick just processed */
	assert_int_equal(advance_all(1500), 1);
	assert_int_equal(x.fires, 2);
	assert_int_equal(x.fired_tick, 1002);
	assert_int_equal(y.fires, 0);
}

/* A timer armed in the past of an idle (jumped) wheel also fires on the next advance. */
static void
test_arm_in_past_after_idle_jump(void **state)
{
	struct ttimer x;

	(void)state;
	wheel_reset(0);
	timer_init(&x);
	assert_int_equal(advance_all(1000000), 0);
	x.armed_in_past = 1;
	wheel_arm(&wheel, &x.timer, 3);
	assert_int_equal(advance_all(1000001), 1);
	assert_int_equal(x.fired_now, 1000001);
}

static struct ttimer many[100000];

/* Arms every timer of many[0..n) at base + random(0..span). */
static void
arm_random(uint64_t base, unsigned n, uint64_t span)
{
	for (unsigned i = 0; i < n; i++) {
		timer_init(&many[i]);
		wheel_arm(&wheel, &many[i].timer, base + rand64() % span);
	}
	assert_int_equal(wheel.armed, n);
}

/* Every timer fired once, at now >= its expiry; exactly at it when `exact`. */
static void
check_all_fired_once(unsigned n, int exact)
{
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(many[i].fires, 1);
		assert_true(many[i].fired_now >= many[i].timer.expire);
		assert_int_equal(many[i].fired_tick, many[i].timer.expire);
		if (exact)
			assert_int_equal(many[i].fired_now, many[i].timer.expire);
	}
	assert_int_equal(fired_total, n);
	assert_int_equal(wheel.armed, 0);
}

static void
random_tick_by_tick(uint64_t base)
{
	const unsigned n = 100000;
	const uint64_t span = 1u << 20;

	wheel_reset(base);
	arm_random(base, n, span);
	for (uint64_t now = base; now < base + span + 2; now++)
		advance_all(now);
	check_all_fired_once(n, 1);
}

/* 100000 random expiries within 2^20 ticks, stepped tick by tick: each fires once on its tick. */
static void
test_many_random_timers_tick_by_tick(void **state)
{
	(void)state;
	random_tick_by_tick(0);
	random_tick_by_tick(123456789);
	random_tick_by_tick((1ull << 32) - (1u << 19));
}

/* The same with random jumps: each fires in the first call whose now reaches it. */
static void
test_many_random_timers_random_jumps(void **state)
{
	const unsigned n = 100000;
	const uint64_t base = 987654321, span = 1u << 20;
	uint64_t now = base;

	(void)state;
	wheel_reset(base);
	arm_random(base, n, span);
	while (now < base + span + 5000) {
		advance_all(now);
		now += 1 + rand64() % 5000;
	}
	check_all_fired_once(n, 0); /* prev_now < expire is checked on each fire */
}

/* Timers re-armed from their callbacks at random distances keep firing on their ticks. */
static void
test_rearm_from_callbacks_random(void **state)
{
	const unsigned n = 20000, rounds = 5;
	uint64_t now, total = 0;

	(void)state;
	wheel_reset(42);
	for (unsigned i = 0; i < n; i++) {
		timer_init(&many[i]);
		many[i].action = ACT_REARM_RANDOM;
		many[i].rearms_left = rounds;
		many[i].max_delta = 1u << 18;
		wheel_arm(&wheel, &many[i].timer, 42 + rand64() % (1u << 18));
	}
	for (now = 42; wheel.armed > 0; now++)
		advance_all(now);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(many[i].fires, rounds + 1);
		total += many[i].fires;
	}
	assert_int_equal(fired_total, total);
}

/* The max argument: 1000 timers on one tick, max 100, fire 100 per call over 10 calls. */
static void
test_max_expiries_per_call(void **state)
{
	const unsigned n = 1000, max = 100;

	(void)state;
	wheel_reset(0);
	for (unsigned i = 0; i < n; i++) {
		timer_init(&many[i]);
		wheel_arm(&wheel, &many[i].timer, 77);
	}
	assert_int_equal(advance(76, max), 0);
	for (unsigned call = 0; call < n / max; call++) {
		assert_int_equal(advance(77, max), max);
		assert_int_equal(wheel.armed, n - (call + 1) * max);
	}
	assert_int_equal(advance(77, max), 0);
	assert_int_equal(advance(78, max), 0);
	check_all_fired_once(n, 1);
}

/* Under the cap, an earlier tick's leftovers fire before a later tick's timers. */
static void
test_max_expiries_keeps_tick_order(void **state)
{
	(void)state;
	wheel_reset(0);
	for (unsigned i = 0; i < 200; i++) {
		timer_init(&many[i]);
		wheel_arm(&wheel, &many[i].timer, i < 150 ? 10 : 11);
	}
	assert_int_equal(advance(11, 100), 100);
	for (unsigned i = 150; i < 200; i++)
		assert_int_equal(many[i].fires, 0);
	assert_int_equal(advance(11, 100), 100);
	assert_int_equal(advance(11, 100), 0);
	for (unsigned i = 0; i < 200; i++) {
		assert_int_equal(many[i].fires, 1);
		assert_int_equal(many[i].fired_tick, i < 150 ? 10 : 11);
	}
	assert_int_equal(wheel.armed, 0);
}

/*
 * A capped call leaves its tick half run; cancelling the leftovers must not
 * leave that state behind: the wheel stays exact for timers armed later.
 */
static void
test_cancel_leftovers_of_capped_call(void **state)
{
	struct ttimer a, b, x;

	(void)state;
	wheel_reset(0);
	timer_init(&a);
	timer_init(&b);
	timer_init(&x);
	wheel_arm(&wheel, &a.timer, 40);
	wheel_arm(&wheel, &b.timer, 40);
	assert_int_equal(advance(40, 1), 1);
	wheel_cancel(&wheel, a.fires ? &b.timer : &a.timer);
	assert_int_equal(wheel.armed, 0);
	assert_int_equal(advance_all(1000), 0);
	wheel_arm(&wheel, &x.timer, 1001);
	step_over(&x, 1001, 1003, 1001);
	assert_int_equal(a.fires + b.fires, 1);
}

/* A callback re-arming its timer for `now` does not fire it twice in one advance call. */
static void
test_rearm_for_now_in_callback_fires_once_per_call(void **state)
{
	struct ttimer x;

	(void)state;
	wheel_reset(0);
	timer_init(&x);
	x.action = ACT_REARM_NOW;
	wheel_arm(&wheel, &x.timer, 50);
	assert_int_equal(advance_all(49), 0);
	assert_int_equal(advance_all(50), 1);
	assert_int_equal(x.fires, 1);
	assert_true(wheel_armed(&x.timer));
	assert_int_equal(wheel.armed, 1);
	assert_int_equal(advance_all(51), 1);
	assert_int_equal(x.fires, 2);
	assert_int_equal(x.fired_now, 51);
	assert_int_equal(wheel.armed, 0);
}

/* The same when the callback runs under the cap, with the slot still open. */
static void
test_rearm_for_now_under_cap_fires_once_per_call(void **state)
{
	struct ttimer x, y;

	(void)state;
	wheel_reset(0);
	timer_init(&x);
	timer_init(&y);
	x.action = ACT_REARM_NOW;
	y.action = ACT_REARM_NOW;
	wheel_arm(&wheel, &x.timer, 50);
	wheel_arm(&wheel, &y.timer, 50);
	assert_int_equal(advance(50, 1), 1);
	assert_int_equal(advance(50, 1), 1);
	assert_int_equal(advance(50, 1), 0);
	assert_int_equal(x.fires, 1);
	assert_int_equal(y.fires, 1);
	assert_int_equal(advance(51, 10), 2);
	assert_int_equal(x.fires + y.fires, 4);
}

/* A callback cancelling another timer due on the same tick stops it firing. */
static void
test_callback_cancels_timer_on_same_tick(void **state)
{
	struct ttimer a, b;

	(void)state;
	wheel_reset(0);
	timer_init(&a);
	timer_init(&b);
	a.action = ACT_CANCEL_OTHER;
	a.other = &b;
	b.action = ACT_CANCEL_OTHER;
	b.other = &a;
	wheel_arm(&wheel, &a.timer, 300);
	wheel_arm(&wheel, &b.timer, 300);
	assert_int_equal(advance_all(1000), 1);
	assert_int_equal(a.fires + b.fires, 1);
	assert_int_equal(wheel.armed, 0);
	assert_false(wheel_armed(&a.timer));
	assert_false(wheel_armed(&b.timer));
}

/* A callback cancelling a later timer (on a coarser level) stops it too. */
static void
test_callback_cancels_later_timer(void **state)
{
	struct ttimer a, b;

	(void)state;
	wheel_reset(0);
	timer_init(&a);
	timer_init(&b);
	a.action = ACT_CANCEL_OTHER;
	a.other = &b;
	wheel_arm(&wheel, &a.timer, 10);
	wheel_arm(&wheel, &b.timer, 100000);
	assert_int_equal(advance_all(200000), 1);
	assert_int_equal(b.fires, 0);
	assert_int_equal(wheel.armed, 0);
}

/* wheel.armed counts armed timers through arm, re-arm, cancel and expiry. */
static void
test_armed_counter(void **state)
{
	(void)state;
	wheel_reset(0);
	for (unsigned i = 0; i < 10; i++) {
		timer_init(&many[i]);
		wheel_arm(&wheel, &many[i].timer, 10 + i * 1000);
	}
	assert_int_equal(wheel.armed, 10);
	wheel_arm(&wheel, &many[0].timer, 20);         /* re-arm: no change */
	wheel_cancel(&wheel, &many[1].timer);
	wheel_cancel(&wheel, &many[1].timer);
	wheel_cancel(&wheel, &many[2].timer);
	assert_int_equal(wheel.armed, 8);
	assert_int_equal(advance_all(3010), 2);  /* many[0] at 20, many[3] at 3010 */
	assert_int_equal(wheel.armed, 6);
	wheel_arm(&wheel, &many[3].timer, 4000);       /* re-arm after firing: counts again */
	assert_int_equal(wheel.armed, 7);
	assert_int_equal(advance_all(20000), 7);
	assert_int_equal(wheel.armed, 0);
}

static double
elapsed(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/* An empty wheel jumps to now without stepping; a timer armed afterwards fires on its tick. */
static void
test_empty_wheel_jumps(void **state)
{
	const uint64_t now = 1000000000000ull;
	struct timespec t0;
	struct ttimer x;

	(void)state;
	wheel_reset(0);
	timer_init(&x);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(advance_all(now), 0);
	assert_true(elapsed(&t0) < 1.0);
	wheel_arm(&wheel, &x.timer, now + 5);
	step_over(&x, now + 1, now + 8, now + 5);
}

/* After timers drain, the wheel jumps again. */
static void
test_wheel_jumps_again_after_draining(void **state)
{
	const uint64_t now = 1000000000000ull;
	struct timespec t0;
	struct ttimer x;

	(void)state;
	wheel_reset(7);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, 100);
	assert_int_equal(advance_all(100), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(advance_all(now), 0);
	assert_true(elapsed(&t0) < 1.0);
	timer_init(&x);
	wheel_arm(&wheel, &x.timer, now + 300);
	step_over(&x, now + 1, now + 301, now + 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_on_exact_tick_from_zero),
		cmocka_unit_test(test_fires_on_exact_tick_from_odd_start),
		cmocka_unit_test(test_fires_on_exact_tick_across_2_32),
		cmocka_unit_test(test_fires_on_exact_tick_beyond_top_level),
		cmocka_unit_test(test_cancel_before_expiry_never_fires),
		cmocka_unit_test(test_cancel_unarmed_is_harmless),
		cmocka_unit_test(test_rearm_moves_timer),
		cmocka_unit_test(test_rearm_from_coarse_level_to_near),
		cmocka_unit_test(test_arm_in_past_fires_next_advance),
		cmocka_unit_test(test_arm_in_past_after_idle_jump),
		cmocka_unit_test(test_many_random_timers_tick_by_tick),
		cmocka_unit_test(test_many_random_timers_random_jumps),
		cmocka_unit_test(test_rearm_from_callbacks_random),
		cmocka_unit_test(test_max_expiries_per_call),
		cmocka_unit_test(test_max_expiries_keeps_tick_order),
		cmocka_unit_test(test_cancel_leftovers_of_capped_call),
		cmocka_unit_test(test_rearm_for_now_in_callback_fires_once_per_call),
		cmocka_unit_test(test_rearm_for_now_under_cap_fires_once_per_call),
		cmocka_unit_test(test_callback_cancels_timer_on_same_tick),
		cmocka_unit_test(test_callback_cancels_later_timer),
		cmocka_unit_test(test_armed_counter),
		cmocka_unit_test(test_empty_wheel_jumps),
		cmocka_unit_test(test_wheel_jumps_again_after_draining),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
