/*
 * Time for the stack. Workers read the TSC once per loop and pass it down;
 * nothing below the worker loop reads a clock, so tests can drive the
 * stack on virtual time.
 */
#ifndef TERN_CORE_CLOCK_H
#define TERN_CORE_CLOCK_H

#include <stdint.h>

/* TSC ticks per second, measured once at start (or set by a test). */
extern uint64_t tern_tsc_hz;

void tern_clock_init(uint64_t hz);

static inline uint64_t
tern_ms_to_tsc(uint64_t ms)
{
	return ms * tern_tsc_hz / 1000;
}

static inline uint64_t
tern_us_to_tsc(uint64_t us)
{
	return us * tern_tsc_hz / 1000000;
}

static inline uint64_t
tern_tsc_to_us(uint64_t tsc)
{
	return tsc * 1000000 / tern_tsc_hz;
}

#endif
