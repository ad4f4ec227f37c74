#include "net_counters.h"

#define TERN_CNT_SET net_counter_set
#define TERN_CNT_MODULE "net"
#define TERN_CNT_DEF "net/net_counters.def"
#include "core/counter_set.h"
