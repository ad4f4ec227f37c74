/* Logging through DPDK's log system under one "tern" type. */
#ifndef TERN_CORE_LOG_H
#define TERN_CORE_LOG_H

#include <rte_log.h>

extern int tern_logtype;

#define TLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, tern_logtype, "tern: " fmt "\n", ##__VA_ARGS__)

#endif
