#include "tcp_counters.h"

#define TERN_CNT_SET tcp_counter_set
#define TERN_CNT_MODULE "tcp"
#define TERN_CNT_DEF "tcp/tcp_counters.def"
#include "core/counter_set.h"
