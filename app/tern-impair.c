/*
 * tern-impair: a two-port bridge that carries frames between port0 and
 * port1 through tern's impairment layer, so Linux-to-Linux transfers can
 * cross exactly the impairments tern's own tests use. Frames received on a
 * port get that port's RX impairment and its peer port's TX impairment.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "core/runtime.h"
#include "net/cksum.h"

static void
bridge_rx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t out = port ^ 1;

	for (uint16_t i = 0; i < n; i++)
		tern_tx(w, out, pkts[i]);
}

static void
bridge_steered(struct tern_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		tern_tx(w, pkts[i]->port ^ 1, pkts[i]);
}

static const struct tern_worker_ops bridge_ops = {
	.rx = bridge_rx,
	.steered = bridge_steered,
};

static const struct tern_counter_layout bridge_layout = {
	.nsets = 1,
	.total = sizeof(struct core_counters) / sizeof(uint64_t),
	.set = { &core_counter_set },
	.offset = { offsetof(struct tern_worker, cnt) },
};

static int
bridge_build(struct tern_worker *w, const struct tern_config *cfg,
	     const struct tern_worker_env *env)
{
	if (cfg->nports != 2) {
		fprintf(stderr, "%s: tern-impair needs exactly two ports (port0, port1), got %u\n",
			cfg->path, cfg->nports);
		return -EINVAL;
	}
	int rc = tern_worker_init(w, env, &bridge_ops, net_cksum_finalize);

	w->counters = &bridge_layout;
	return rc;
}

/* tern-impair reads core's sections only: [tern], [portN], [impair.portN]. */
static const struct cfg_schema bridge_schema = {
	.n = 3,
	.sections = { &tern_main_section, &tern_port_section, &tern_impair_section },
};

static const struct tern_counter_layout *
bridge_counters(void)
{
	return &bridge_layout;
}

static const struct tern_program bridge_program = {
	.name = "tern-impair",
	.schema = &bridge_schema,
	.worker_size = sizeof(struct tern_worker),
	.worker_build = bridge_build,
	.worker_teardown = tern_worker_fini,
	.counters = bridge_counters,
};

int
main(int argc, char **argv)
{
	return tern_runtime_main(&bridge_program, argc, argv);
}
