/*
 * Test-only impairment layer: loss, delay with jitter, reordering,
 * duplication, corruption and ECN CE marking on one direction of one port
 * queue.
 * This machine's kernel has no netem; every lossy, slow or reordering
 * network in tern's tests comes from here. Decisions come from a PRNG
 * seeded from the config, so a run is reproducible.
 *
 * Time is passed in (TSC ticks); nothing here reads a clock.
 */
#ifndef TERN_CORE_IMPAIR_H
#define TERN_CORE_IMPAIR_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "config.h"
#include "core_counters.h"

enum tern_impair_dir { TERN_IMPAIR_RX = 0, TERN_IMPAIR_TX = 1 };

struct tern_impair;

/* Makes a frame's checksums final in software before its bytes are corrupted. */
typedef void (*tern_impair_finalize_fn)(struct rte_mbuf *m);

/*
 * Creates an impairment stage. Duplicates are copied from pool. cnt receives
 * the Impair{Rx,Tx}* counters of dir. finalize may be NULL (RX direction).
 * Returns NULL on allocation failure.
 */
struct tern_impair *tern_impair_create(const struct tern_impair_dir_cfg *cfg,
				       uint32_t queue_len, uint32_t seed,
				       enum tern_impair_dir dir, int socket,
				       struct rte_mempool *pool,
				       struct core_counters *cnt,
				       tern_impair_finalize_fn finalize);

/* 1 when the stage does anything at all (a zero config passes frames through). */
int tern_impair_active(const struct tern_impair_cfg *cfg, enum tern_impair_dir dir);

/*
 * Takes ownership of n frames: drops, duplicates, corrupts and schedules
 * each at now + delay (+ jitter, + reorder gap for reordered ones).
 */
void tern_impair_push(struct tern_impair *im, uint64_t now,
		      struct rte_mbuf **pkts, uint16_t n);

/* Moves up to cap frames whose time has come into out, in release order; returns the count. */
uint16_t tern_impair_pull(struct tern_impair *im, uint64_t now,
			  struct rte_mbuf **out, uint16_t cap);

/* Frames held now. */
uint32_t tern_impair_held(const struct tern_impair *im);

/* Frees every held frame and the stage. */
void tern_impair_free(struct tern_impair *im);

#endif
