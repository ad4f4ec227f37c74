/*
 * Counters, owned by the modules that increment them. Each module lists
 * its counters once, in an X-macro file next to its code
 * (C(name, kind, description) lines), and gets from it:
 *   - a block struct with one uint64_t member per counter, embedded in
 *     its per-worker state and incremented as CNT_INC(&block, Name): a
 *     plain store by the owning worker, checked by the compiler;
 *   - a struct tern_counter_set naming each counter for summing,
 *     printing and lookups (counter_set.h).
 * The program that composes the modules (lib/stack) lays the blocks out
 * in its worker struct and describes that layout with a tern_counter_layout;
 * core sums, prints and looks up through it without knowing any module.
 * Readers on other lcores load relaxed and accept a slightly stale value.
 */
#ifndef TERN_CORE_COUNTERS_H
#define TERN_CORE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CNT_INC(block, name) ((block)->name++)
#define CNT_ADD(block, name, n) ((block)->name += (n))
#define CNT_GET(block, name) ((block)->name)

/*
 * The kinds of the .def files: D counts dropped packets, E counts events,
 * G is a gauge (what is now: it goes down as well as up).
 */
struct tern_counter_info {
	const char *name;
	const char *desc;
	char kind;
};

/* One module's counters, in the order of its .def file. */
struct tern_counter_set {
	const char *module;
	unsigned n;
	const struct tern_counter_info *info;
};

#define TERN_COUNTER_SETS_MAX 16

/* Where a worker struct holds each module's block. */
struct tern_counter_layout {
	unsigned nsets;
	unsigned total;      /* counters over all sets: the flat index space */
	const struct tern_counter_set *set[TERN_COUNTER_SETS_MAX];
	size_t offset[TERN_COUNTER_SETS_MAX]; /* of the block from the worker's start */
};

/* Adds a set whose block is at offset in the worker struct. Returns 0 or -1 when full. */
int tern_counter_layout_add(struct tern_counter_layout *l, const struct tern_counter_set *s,
			    size_t offset);

/* The counter at flat index i (0 .. total-1); NULL past the end. */
const struct tern_counter_info *tern_counter_at(const struct tern_counter_layout *l, unsigned i);
/* Flat index of a counter by name; -1 when unknown. */
int tern_counter_find(const struct tern_counter_layout *l, const char *name);
/* Copies one worker's counters into out[total] (relaxed loads: another lcore may be writing). */
void tern_counters_read(const struct tern_counter_layout *l, const void *worker, uint64_t *out);
/* Adds one worker's counters into sum[total]. */
void tern_counters_add(const struct tern_counter_layout *l, const void *worker, uint64_t *sum);
/* Prints "name value" lines, non-zero ones only unless all; names aligned to the longest. */
void tern_counters_print(FILE *f, const struct tern_counter_layout *l, const uint64_t *v, int all);

#endif
