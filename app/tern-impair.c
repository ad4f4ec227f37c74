/*
 * tern-impair: a two-port bridge that carries frames between port0 and
 * port1 through tern's impairment layer, so Linux-to-Linux transfers can
 * cross exactly the impairments tern's own tests use. Frames received on a
 * port get that port's RX impairment and its peer port's TX impairment.
 */
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

static int
bridge_init(struct tern_worker *w, const struct tern_config *cfg)
{
	(void)w;
	if (cfg->nports != 2) {
		fprintf(stderr, "%s: tern-impair needs exactly two ports (port0, port1), got %u\n",
			cfg->path, cfg->nports);
		return -EINVAL;
	}
	return 0;
}

static const struct tern_app impair_app = {
	.name = "tern-impair",
	.worker_size = sizeof(struct tern_worker),
	.worker_init = bridge_init,
	.ops = &bridge_ops,
	.finalize = net_cksum_finalize,
};

int
main(int argc, char **argv)
{
	return tern_runtime_main(&impair_app, argc, argv);
}
