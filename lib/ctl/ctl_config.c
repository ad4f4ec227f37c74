#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "ctl_config.h"

/* "off", or ADDRESS:PORT of the kernel socket /metrics is served on. */
static int
parse_metrics(struct cfg_ctx *p, const char *key, const char *value, void *obj)
{
	struct ctl_cfg *c = obj;

	if (strcmp(value, "off") == 0) {
		c->metrics_addr = 0;
		c->metrics_port = 0;
		return 0;
	}
	if (cfg_parse_addr_port(value, &c->metrics_addr, &c->metrics_port) != 0 ||
	    c->metrics_addr == 0)
		return cfg_fail(p, key, "expected off or ADDRESS:PORT like 127.0.0.1:9469, got '%s'",
				value);
	return 0;
}

static const struct cfg_key ctl_keys[] = {
	{ "metrics", CFG_FN, 0, 0, 0, "off",
	  "serve Prometheus metrics at http://ADDRESS:PORT/metrics (a kernel socket of the "
	  "main lcore, in tern's network namespace; if it cannot be bound, that is logged and "
	  "tern runs without metrics)", .parse = parse_metrics,
	  .expects = "off or ADDRESS:PORT" },
	CFG_KEY(struct ctl_cfg, "capture_ring", CFG_UINT, capture_ring, 64, 1u << 20, "4096",
		"captured packets in flight from each worker to the writer; more are dropped "
		"and counted (CaptureDrops)"),
};

const struct cfg_section ctl_section = {
	.name = "ctl", .kind = CFG_SINGLE, .size = sizeof(struct ctl_cfg),
	.keys = ctl_keys, .nkeys = RTE_DIM(ctl_keys),
	.doc = "The control plane: DPDK telemetry commands under /tern/ (what ternctl reads) are "
	       "always on; Prometheus is off unless metrics is set.",
};
