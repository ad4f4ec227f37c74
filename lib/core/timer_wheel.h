/*
 * A hierarchical timing wheel, one per worker and user (TCP, the proxy):
 * four levels of 256 slots, so a 1 ms tick reaches 49 days. Arm and cancel
 * are O(1) on nodes embedded in their owners (a TCB, a proxied session);
 * timers cascade to finer levels as their time approaches, so each fires
 * on exactly its tick. Time is passed in.
 */
#ifndef TERN_CORE_TIMER_WHEEL_H
#define TERN_CORE_TIMER_WHEEL_H

#include <stdint.h>

#define WHEEL_LEVELS 4
#define WHEEL_SLOT_BITS 8
#define WHEEL_SLOTS (1u << WHEEL_SLOT_BITS)

struct wheel_timer {
	struct wheel_timer *next;
	struct wheel_timer **pprev; /* NULL when not armed */
	uint64_t expire;            /* tick */
	uint8_t level;              /* where it is filed */
	uint8_t tag;                /* the owner's: which of its timers this is */
};

struct timer_wheel;
typedef void (*wheel_expire_fn)(struct timer_wheel *w, struct wheel_timer *t, void *ctx);

struct timer_wheel {
	uint64_t tick;            /* next tick to process */
	uint64_t armed;           /* timers armed now */
	uint64_t level_count[WHEEL_LEVELS]; /* lets idle stretches be skipped */
	uint8_t slot_open;        /* cascade done for `tick`, its slot partly run */
	wheel_expire_fn fn;
	void *ctx;
	struct wheel_timer *slots[WHEEL_LEVELS][WHEEL_SLOTS];
};

void wheel_init(struct timer_wheel *w, uint64_t now_tick, wheel_expire_fn fn, void *ctx);

static inline int
wheel_armed(const struct wheel_timer *t)
{
	return t->pprev != NULL;
}

/* Arms (or re-arms) t to fire at expire; a tick already past fires on the next advance. */
void wheel_arm(struct timer_wheel *w, struct wheel_timer *t, uint64_t expire);

/* Disarms t; harmless when not armed. */
void wheel_cancel(struct timer_wheel *w, struct wheel_timer *t);

/*
 * Fires timers due up to and including now_tick, at most max of them (the
 * rest fire on the next call). A callback may arm or cancel any timer.
 * Returns how many fired.
 */
unsigned wheel_advance(struct timer_wheel *w, uint64_t now_tick, unsigned max);

#endif
