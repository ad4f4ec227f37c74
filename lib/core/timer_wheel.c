#include <string.h>

#include "timer_wheel.h"

#define SLOT_MASK (WHEEL_SLOTS - 1)

void
wheel_init(struct timer_wheel *w, uint64_t now_tick, wheel_expire_fn fn, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->tick = now_tick;
	w->fn = fn;
	w->ctx = ctx;
}

static void
link_into(struct wheel_timer **head, struct wheel_timer *t)
{
	/* t->level is set by the caller (file_timer). */
	t->next = *head;
	if (*head != NULL)
		(*head)->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static void
unlink_timer(struct wheel_timer *t)
{
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/* The slot for t given the wheel's current tick: the finest level that reaches it. */
static struct wheel_timer **
slot_for(struct timer_wheel *w, uint64_t expire, uint8_t *level_out)
{
	uint64_t base = w->tick + (w->slot_open ? 1 : 0);
	uint64_t delta;

	/* Due now or earlier: the next slot to run (never the one being run). */
	if (expire < base)
		expire = base;
	delta = expire - w->tick;
	for (unsigned level = 0; level < WHEEL_LEVELS - 1; level++)
		if (delta < (1ull << (WHEEL_SLOT_BITS * (level + 1)))) {
			*level_out = level;
			return &w->slots[level][(expire >> (WHEEL_SLOT_BITS * level)) & SLOT_MASK];
		}
	/* Beyond the top level's reach: park at its farthest slot; it cascades again. */
	if (delta >= (1ull << (WHEEL_SLOT_BITS * WHEEL_LEVELS)))
		expire = w->tick + (1ull << (WHEEL_SLOT_BITS * WHEEL_LEVELS)) - 1;
	*level_out = WHEEL_LEVELS - 1;
	return &w->slots[WHEEL_LEVELS - 1][(expire >> (WHEEL_SLOT_BITS * (WHEEL_LEVELS - 1))) & SLOT_MASK];
}

static void
file_timer(struct timer_wheel *w, struct wheel_timer *t)
{
	struct wheel_timer **slot = slot_for(w, t->expire, &t->level);

	link_into(slot, t);
	w->level_count[t->level]++;
}

void
wheel_arm(struct timer_wheel *w, struct wheel_timer *t, uint64_t expire)
{
	if (wheel_armed(t)) {
		unlink_timer(t);
		w->level_count[t->level]--;
	} else
		w->armed++;
	t->expire = expire;
	file_timer(w, t);
}

void
wheel_cancel(struct timer_wheel *w, struct wheel_timer *t)
{
	if (!wheel_armed(t))
		return;
	unlink_timer(t);
	w->level_count[t->level]--;
	w->armed--;
}

/* Re-files every timer of a coarse slot by its exact expiry. */
static void
cascade(struct timer_wheel *w, unsigned level)
{
	struct wheel_timer *t = w->slots[level][(w->tick >> (WHEEL_SLOT_BITS * level)) & SLOT_MASK];

	w->slots[level][(w->tick >> (WHEEL_SLOT_BITS * level)) & SLOT_MASK] = NULL;
	while (t != NULL) {
		struct wheel_timer *next = t->next;

		t->pprev = NULL;
		w->level_count[level]--;
		file_timer(w, t);
		t = next;
	}
}

/* When a level's index wraps to 0, the next level's current slot comes down. */
static void
open_tick(struct timer_wheel *w)
{
	for (unsigned level = 1; level < WHEEL_LEVELS; level++) {
		if ((w->tick >> (WHEEL_SLOT_BITS * (level - 1))) & SLOT_MASK)
			break;
		cascade(w, level);
	}
	w->slot_open = 1;
}

/*
 * With levels 0..L-1 empty nothing fires or cascades before the next tick
 * where level L's index moves: jump there (or just past now) at once.
 */
static void
skip_idle(struct timer_wheel *w, uint64_t now_tick)
{
	unsigned level = 0;
	uint64_t span, next;

	while (level < WHEEL_LEVELS && w->level_count[level] == 0)
		level++;
	if (level == 0)
		return;
	if (level == WHEEL_LEVELS) {
		w->tick = now_tick + 1;
		return;
	}
	span = 1ull << (WHEEL_SLOT_BITS * level);
	if ((w->tick & (span - 1)) == 0)
		return; /* this tick cascades level `level` */
	next = (w->tick | (span - 1)) + 1;
	w->tick = next < now_tick + 1 ? next : now_tick + 1;
}

unsigned
wheel_advance(struct timer_wheel *w, uint64_t now_tick, unsigned max)
{
	unsigned fired = 0;

	while (w->tick <= now_tick) {
		struct wheel_timer **slot;

		if (!w->slot_open) {
			skip_idle(w, now_tick);
			if (w->tick > now_tick)
				break;
			open_tick(w);
		}
		slot = &w->slots[0][w->tick & SLOT_MASK];
		while (*slot != NULL) {
			struct wheel_timer *t = *slot;

			if (fired == max)
				return fired;
			unlink_timer(t);
			w->level_count[0]--;
			w->armed--;
			fired++;
			w->fn(w, t, w->ctx);
		}
		w->slot_open = 0;
		w->tick++;
	}
	return fired;
}
