/* Logging through DPDK's log system under one "tern" type. */
#ifndef TERN_CORE_LOG_H
#define TERN_CORE_LOG_H

#include <rte_log.h>

extern int tern_logtype;
extern const char *tern_log_prefix; /* the program's name */

#define TLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, tern_logtype, "%s: " fmt "\n", tern_log_prefix, ##__VA_ARGS__)

#endif
