/* [ctl]: the control plane's keys. */
#ifndef TERN_CTL_CTL_CONFIG_H
#define TERN_CTL_CTL_CONFIG_H

#include <stdint.h>

#include "core/config.h"

struct ctl_cfg {
	uint32_t metrics_addr;     /* host order; 0: no Prometheus endpoint */
	uint16_t metrics_port;
	uint32_t capture_ring;     /* captured packets in flight per worker */
};

extern const struct cfg_section ctl_section;

static inline const struct ctl_cfg *
ctl_config(const struct tern_config *cfg)
{
	return tern_config_obj(cfg, &ctl_section, 0);
}

#endif
