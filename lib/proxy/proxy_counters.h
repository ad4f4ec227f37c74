/* lib/proxy's counters (proxy_counters.def). */
#ifndef TERN_PROXY_COUNTERS_H
#define TERN_PROXY_COUNTERS_H

#define TERN_CNT_BLOCK proxy_counters
#define TERN_CNT_DEF "proxy/proxy_counters.def"
#include "core/counter_block.h"

extern const struct tern_counter_set proxy_counter_set;

#endif
