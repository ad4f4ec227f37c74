/* lib/net's configuration: [arp] and [icmp] (tables in net_config.c). */
#ifndef TERN_NET_CONFIG_H
#define TERN_NET_CONFIG_H

#include <stdint.h>

#include "core/config.h"

struct arp_cfg {
	uint32_t entries;     /* cache size per worker */
	uint32_t timeout_ms;  /* how long a learned entry is trusted */
	uint32_t retry_ms;    /* between requests while resolving */
	uint32_t retries;     /* requests before giving up */
	uint32_t queue;       /* packets held per unresolved neighbour */
};

struct icmp_cfg {
	uint32_t error_rate;   /* ICMP errors per second per worker */
	uint32_t error_burst;
};

extern const struct cfg_section net_arp_section, net_icmp_section;

static inline struct arp_cfg *
net_arp_cfg(const struct tern_config *cfg)
{
	return tern_config_obj(cfg, &net_arp_section, 0);
}

static inline struct icmp_cfg *
net_icmp_cfg(const struct tern_config *cfg)
{
	return tern_config_obj(cfg, &net_icmp_section, 0);
}

#endif
