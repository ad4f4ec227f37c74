/* lib/tcp's counters (tcp_counters.def). */
#ifndef TERN_TCP_COUNTERS_H
#define TERN_TCP_COUNTERS_H

#define TERN_CNT_BLOCK tcp_counters
#define TERN_CNT_DEF "tcp/tcp_counters.def"
#include "core/counter_block.h"

extern const struct tern_counter_set tcp_counter_set;

#endif
