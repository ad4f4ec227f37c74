/* lib/net's counters (net_counters.def). */
#ifndef TERN_NET_COUNTERS_H
#define TERN_NET_COUNTERS_H

#define TERN_CNT_BLOCK net_counters
#define TERN_CNT_DEF "net/net_counters.def"
#include "core/counter_block.h"

extern const struct tern_counter_set net_counter_set;

#endif
