#include "core_counters.h"

#define TERN_CNT_SET core_counter_set
#define TERN_CNT_MODULE "core"
#define TERN_CNT_DEF "core/core_counters.def"
#include "counter_set.h"
