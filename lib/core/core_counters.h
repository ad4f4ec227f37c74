/* lib/core's counters (core_counters.def): ports, steering, mbuf pools, impairment. */
#ifndef TERN_CORE_CORE_COUNTERS_H
#define TERN_CORE_CORE_COUNTERS_H

#define TERN_CNT_BLOCK core_counters
#define TERN_CNT_DEF "core/core_counters.def"
#include "counter_block.h"

extern const struct tern_counter_set core_counter_set;

#endif
