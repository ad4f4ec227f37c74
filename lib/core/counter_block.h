/*
 * Declares a module's counter block from its .def file. Include it after
 * defining TERN_CNT_BLOCK (the struct tag) and TERN_CNT_DEF (the .def
 * path); both are undefined again at the end, so a header may use it once
 * per block:
 *
 *     #define TERN_CNT_BLOCK tcp_counters
 *     #define TERN_CNT_DEF "tcp/tcp_counters.def"
 *     #include "core/counter_block.h"
 *
 * gives struct tcp_counters with a uint64_t member per counter, also
 * readable as the array v[] in .def order.
 */
#include <stdint.h>

#include "counters.h"

struct TERN_CNT_BLOCK {
	union {
		struct {
#define C(name, kind, desc) uint64_t name;
#include TERN_CNT_DEF
#undef C
		};
		uint64_t v[0
#define C(name, kind, desc) + 1
#include TERN_CNT_DEF
#undef C
		];
	};
};

#undef TERN_CNT_BLOCK
#undef TERN_CNT_DEF
