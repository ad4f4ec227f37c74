/*
 * Defines a module's struct tern_counter_set from its .def file, in the
 * one .c file of the module that owns it:
 *
 *     #define TERN_CNT_SET tcp_counter_set
 *     #define TERN_CNT_MODULE "tcp"
 *     #define TERN_CNT_DEF "tcp/tcp_counters.def"
 *     #include "core/counter_set.h"
 */
#include "counters.h"

#define TERN_CNT_CAT2(a, b) a##b
#define TERN_CNT_CAT(a, b) TERN_CNT_CAT2(a, b)

static const struct tern_counter_info TERN_CNT_CAT(TERN_CNT_SET, _info)[] = {
#define C(name, kind, desc) { #name, desc, #kind[0] },
#include TERN_CNT_DEF
#undef C
};

const struct tern_counter_set TERN_CNT_SET = {
	.module = TERN_CNT_MODULE,
	.n = sizeof(TERN_CNT_CAT(TERN_CNT_SET, _info)) / sizeof(struct tern_counter_info),
	.info = TERN_CNT_CAT(TERN_CNT_SET, _info),
};

#undef TERN_CNT_CAT
#undef TERN_CNT_CAT2
#undef TERN_CNT_SET
#undef TERN_CNT_MODULE
#undef TERN_CNT_DEF
