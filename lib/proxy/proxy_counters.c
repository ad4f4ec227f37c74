#include "proxy_counters.h"

#define TERN_CNT_SET proxy_counter_set
#define TERN_CNT_MODULE "proxy"
#define TERN_CNT_DEF "proxy/proxy_counters.def"
#include "core/counter_set.h"
