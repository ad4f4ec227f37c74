/*
 * One hierarchical timing wheel per worker: four levels of 256 slots, so a
 * 1 ms tick reaches 49 days. Arm and cancel are O(1) on nodes embedded in
 * their owners (the TCB); timers cascade to finer levels as their time
 * approaches, so each fires on exactly its tick. Time is passed in.
 */
#ifndef TERN_TCP_TIMER_WHEEL_H
#define TERN_TCP_TIMER_WHEEL_H

#include <stdint.h>

#define TW_LEVELS 4
#define TW_SLOT_BITS 8
#define TW_SLOTS (1u << TW_SLOT_BITS)

struct tw_timer {
	struct tw_timer *next;
	struct tw_timer **pprev;  /* NULL when not armed */
	uint64_t expire;          /* tick */
	uint8_t level;            /* where it is filed */
	uint8_t tag;              /* the owner's: which of its timers this is */
};

struct tw_wheel;
typedef void (*tw_expire_fn)(struct tw_wheel *w, struct tw_timer *t, void *ctx);

struct tw_wheel {
	uint64_t tick;            /* next tick to process */
	uint64_t armed;           /* timers armed now */
	uint64_t level_count[TW_LEVELS]; /* lets idle stretches be skipped */
	uint8_t slot_open;        /* cascade done for `tick`, its slot partly run */
	tw_expire_fn fn;
	void *ctx;
	struct tw_timer *slots[TW_LEVELS][TW_SLOTS];
};

void tw_init(struct tw_wheel *w, uint64_t now_tick, tw_expire_fn fn, void *ctx);

static inline int
tw_armed(const struct tw_timer *t)
{
	return t->pprev != NULL;
}

/* Arms (or re-arms) t to fire at expire; a tick already past fires on the next advance. */
void tw_arm(struct tw_wheel *w, struct tw_timer *t, uint64_t expire);

/* Disarms t; harmless when not armed. */
void tw_cancel(struct tw_wheel *w, struct tw_timer *t);

/*
 * Fires timers due up to and including now_tick, at most max of them (the
 * rest fire on the next call). A callback may arm or cancel any timer.
 * Returns how many fired.
 */
unsigned tw_advance(struct tw_wheel *w, uint64_t now_tick, unsigned max);

#endif
