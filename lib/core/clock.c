#include <rte_common.h>
#include <rte_log.h>

#include "clock.h"
#include "log.h"

uint64_t tern_tsc_hz = 1000000000ULL;
int tern_logtype = RTE_LOGTYPE_USER1;
const char *tern_log_prefix = "tern";

void
tern_clock_init(uint64_t hz)
{
	if (hz != 0)
		tern_tsc_hz = hz;
}
