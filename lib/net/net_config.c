#include <stddef.h>

#include <rte_common.h>

#include "net_config.h"

#define AK(name, ...) CFG_KEY(struct arp_cfg, name, CFG_UINT, __VA_ARGS__)
static const struct cfg_key arp_keys[] = {
	AK("entries", entries, 16, 1u << 20, "1024", "neighbour cache size per worker"),
	AK("timeout_ms", timeout_ms, 1000, 3600000, "60000",
	   "how long a learned address is used before it is confirmed again"),
	AK("retry_ms", retry_ms, 10, 60000, "1000",
	   "interval between requests while resolving or confirming"),
	AK("retries", retries, 1, 100, "3",
	   "requests before a resolution is given up (its queued packets are dropped and counted)"),
	AK("queue", queue, 1, 1024, "8", "packets held per neighbour while it is resolved"),
};

const struct cfg_section net_arp_section = {
	.name = "arp", .kind = CFG_SINGLE, .size = sizeof(struct arp_cfg),
	.keys = arp_keys, .nkeys = RTE_DIM(arp_keys),
};

#define CK(name, ...) CFG_KEY(struct icmp_cfg, name, CFG_UINT, __VA_ARGS__)
static const struct cfg_key icmp_keys[] = {
	CK("error_rate", error_rate, 0, 1000000, "1000",
	   "ICMP errors per second per worker (0: none sent)"),
	CK("error_burst", error_burst, 1, 1000000, "50", "token-bucket depth for ICMP errors"),
};

const struct cfg_section net_icmp_section = {
	.name = "icmp", .kind = CFG_SINGLE, .size = sizeof(struct icmp_cfg),
	.keys = icmp_keys, .nkeys = RTE_DIM(icmp_keys),
};
