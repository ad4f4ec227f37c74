/* Core's own sections: [tern], [portN], [impair.portN]. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "config_internal.h"

/* ---- [tern] ----------------------------------------------------------------------- */

#define TK(...) CFG_KEY(struct tern_config, __VA_ARGS__)
static const struct cfg_key tern_keys[] = {
	TK("workers", CFG_UINT, workers, 1, TERN_MAX_WORKERS, "1",
	   "worker lcores; each owns RX/TX queue *i* of every port"),
	TK("mbufs", CFG_UINT, mbufs, 1024, 16u << 20, "16384", "mbufs per worker pool"),
	TK("log_level", CFG_LOGLEVEL, log_level, 0, 0, "notice", "what tern logs, from errors only to debugging"),
};

static void *
locate_main(struct tern_config *cfg, unsigned index)
{
	(void)index;
	return cfg;
}

const struct cfg_section tern_main_section = {
	.name = "tern", .kind = CFG_SINGLE, .size = sizeof(struct tern_config),
	.keys = tern_keys, .nkeys = RTE_DIM(tern_keys), .locate = locate_main,
};

/* ---- [portN] ---------------------------------------------------------------------- */

#define PK(...) CFG_KEY(struct tern_port_cfg, __VA_ARGS__)
static const struct cfg_key port_keys[] = {
	{ "device", CFG_STR, offsetof(struct tern_port_cfg, devargs), 0, TERN_DEVARGS_LEN, NULL,
	  "DPDK devargs: `net_tap0,iface=tern0`, `net_af_packet0,iface=veth0`, `net_null0`, or a "
	  "PCI address probed with `-a`", .flags = CFG_REQUIRED },
	PK("address", CFG_CIDR, addr, 0, 0, NULL,
	   "IPv4 address and prefix, e.g. `198.18.0.1/24` (prefix /1–/30; not the network or "
	   "broadcast address); required by tern, not by tern-impair"),
	PK("gateway", CFG_IPV4, gateway, 0, 0, NULL,
	   "next hop for off-link destinations; must be inside the prefix; resolved with ARP at start"),
	PK("mtu", CFG_UINT, mtu, 576, 9000, "1500", "IP MTU"),
	PK("rx_desc", CFG_UINT, rx_desc, 64, 4096, "1024",
	   "RX ring size, a power of two (adjusted to the driver's limits)"),
	PK("tx_desc", CFG_UINT, tx_desc, 64, 4096, "1024",
	   "TX ring size, a power of two (adjusted to the driver's limits)"),
	PK("offloads", CFG_BOOL, offloads, 0, 0, "yes",
	   "`no` forces software checksums even when the port offers offloads"),
	PK("tso", CFG_BOOL, tso, 0, 0, "yes",
	   "TCP segmentation offload when the port offers it (not net_tap, whose TSO sums "
	   "chained segments wrong; not with TX impairment): one frame of up to 64 KiB per send, "
	   "cut into MSS-sized segments by the NIC"),
	PK("lro", CFG_BOOL, lro, 0, 0, "yes",
	   "large receive offload when the port offers it (not with RX impairment): in-order "
	   "segments of a flow arrive coalesced, up to 64 KiB, and cost one TCP input"),
	PK("promiscuous", CFG_BOOL, promiscuous, 0, 0, "no",
	   "receive frames for any MAC (tern-impair uses it)"),
};

static void *
locate_port(struct tern_config *cfg, unsigned index)
{
	return index < TERN_MAX_PORTS ? &cfg->ports[index] : NULL;
}

static void port_init(void *obj, const char *name, unsigned index);

static int
check_port(struct cfg_ctx *p, void *obj)
{
	struct tern_port_cfg *pc = obj;
	uint32_t mask = pc->prefix_len == 32 ? ~0u : ~(~0u >> pc->prefix_len);

	if ((pc->rx_desc & (pc->rx_desc - 1)) || (pc->tx_desc & (pc->tx_desc - 1)))
		return cfg_fail(p, (pc->rx_desc & (pc->rx_desc - 1)) ? "rx_desc" : "tx_desc",
				"expected a power of two");
	if (pc->prefix_len == 0) {
		if (pc->gateway != 0)
			return cfg_fail(p, "gateway", "needs an address key in the same section");
		return 0;
	}
	if (pc->prefix_len > 30)
		return cfg_fail(p, "address", "expected a prefix of /30 or shorter, got /%u",
				pc->prefix_len);
	if ((pc->addr & ~mask) == 0 || (pc->addr & ~mask) == ~mask)
		return cfg_fail(p, "address", "is the network or broadcast address of its prefix");
	if (pc->gateway != 0 && (pc->gateway & mask) != (pc->addr & mask))
		return cfg_fail(p, "gateway", "expected an address inside the port's prefix /%u",
				pc->prefix_len);
	if (pc->gateway != 0 && (pc->gateway == pc->addr || (pc->gateway & ~mask) == 0 ||
				 (pc->gateway & ~mask) == ~mask))
		return cfg_fail(p, "gateway", "expected another host's address, not the port's own, "
				"network or broadcast address");
	return 0;
}

/* Ports are numbered from port0 without gaps; nports counts them. */
static int
check_ports(struct cfg_ctx *p, struct tern_config *cfg)
{
	for (unsigned i = 0; i < TERN_MAX_PORTS; i++) {
		if (cfg->ports[i].section[0] == '\0')
			continue;
		if (i != cfg->nports) {
			cfg_at(p, cfg->ports[i].section);
			return cfg_fail(p, NULL, "ports must be numbered from port0 without gaps");
		}
		cfg->nports++;
	}
	if (cfg->nports == 0) {
		cfg_at(p, "port0");
		return cfg_fail(p, NULL, "at least one port section is required");
	}
	return 0;
}

const struct cfg_section tern_port_section = {
	.name = "port", .kind = CFG_NUMBERED, .max = TERN_MAX_PORTS,
	.size = sizeof(struct tern_port_cfg), .keys = port_keys, .nkeys = RTE_DIM(port_keys),
	.locate = locate_port, .init = port_init, .check = check_port, .check_all = check_ports,
	.title = "[port0] … [port3] (numbered from 0 without gaps)",
};

/* ---- [impair.portN] ----------------------------------------------------------------- */

#define IK(...) CFG_KEY(struct tern_impair_cfg, __VA_ARGS__)
#define IDIR(d, what) \
	IK(#d "_loss", CFG_PPM, d.loss_ppm, 0, 0, "0", "percentage of frames dropped " what), \
	IK(#d "_delay_ms", CFG_MS_US, d.delay_us, 0, 10000, "0", "added delay " what), \
	IK(#d "_jitter_ms", CFG_MS_US, d.jitter_us, 0, 10000, "0", \
	   "uniform jitter ± this around the delay (clamped at 0) " what), \
	IK(#d "_reorder", CFG_PPM, d.reorder_ppm, 0, 0, "0", \
	   "percentage of frames held back by the reorder gap " what), \
	IK(#d "_reorder_gap_ms", CFG_MS_US, d.reorder_gap_us, 1, 10000, "5", \
	   "how long a reordered frame is held back " what), \
	IK(#d "_duplicate", CFG_PPM, d.duplicate_ppm, 0, 0, "0", \
	   "percentage of frames sent twice " what), \
	IK(#d "_corrupt", CFG_PPM, d.corrupt_ppm, 0, 0, "0", \
	   "percentage of frames with one bit flipped after the Ethernet header " what), \
	IK(#d "_ce_mark", CFG_PPM, d.ce_ppm, 0, 0, "0", \
	   "percentage of ECN-capable (ECT) IPv4 frames marked Congestion Experienced " what \
	   " (RFC 3168 §5), at random; Not-ECT frames pass unmarked"), \
	IK(#d "_ce_threshold", CFG_UINT, d.ce_threshold, 0, 1u << 20, "0", \
	   "ECT frames are marked CE " what " while the delay queue holds at least this many " \
	   "frames, a step-marking AQM instead of the drop at `queue` (0: off; at most `queue`)")
static const struct cfg_key impair_keys[] = {
	IK("seed", CFG_UINT, seed, 0, UINT32_MAX, "1", "PRNG seed"),
	IK("queue", CFG_UINT, queue_len, 256, 1u << 20, "65536",
	   "frames the delay queue may hold (overflow is dropped and counted)"),
	IDIR(rx, "on receive"), IDIR(tx, "on transmit"),
};

static void *
locate_impair(struct tern_config *cfg, unsigned index)
{
	if (index >= TERN_MAX_PORTS || cfg->ports[index].section[0] == '\0')
		return NULL;
	return &cfg->ports[index].impair;
}

static void
impair_init(void *obj, const char *name, unsigned index)
{
	(void)name;
	(void)index;
	((struct tern_impair_cfg *)obj)->enabled = 1;
}

/* A threshold the delay queue can never reach would mark nothing, silently. */
static int
check_impair(struct cfg_ctx *p, void *obj)
{
	const struct tern_impair_cfg *ic = obj;

	if (ic->rx.ce_threshold > ic->queue_len || ic->tx.ce_threshold > ic->queue_len)
		return cfg_fail(p, ic->rx.ce_threshold > ic->queue_len ? "rx_ce_threshold" : "tx_ce_threshold",
				"expected at most `queue` (%u): the delay queue never holds more frames, "
				"so nothing would be marked", ic->queue_len);
	return 0;
}

const struct cfg_section tern_impair_section = {
	.name = "impair.port", .kind = CFG_NUMBERED, .max = TERN_MAX_PORTS,
	.size = sizeof(struct tern_impair_cfg), .keys = impair_keys, .nkeys = RTE_DIM(impair_keys),
	.locate = locate_impair, .init = impair_init, .check = check_impair,
	.title = "[impair.portN] — test-only impairment",
	.doc = "This machine's kernel has no netem, so tests get lossy, slow, reordering "
	       "networks from tern itself. Present only in test configurations. Each key exists "
	       "for both directions, `rx_` (frames received on portN) and `tx_` (frames sent on "
	       "it); decisions come from a PRNG seeded by `seed`, so runs are reproducible. "
	       "Corruption is applied after the checksums a NIC would fill are computed, so it "
	       "is visible to the receiver.",
};

/* A port's impairment starts from the impairment table's defaults, off until its section. */
static void
port_init(void *obj, const char *name, unsigned index)
{
	struct tern_port_cfg *pc = obj;
	char err[256];
	struct cfg_ctx p = { .path = "(defaults)", .err = err, .errlen = sizeof(err) };

	(void)index;
	memset(pc, 0, sizeof(*pc));
	snprintf(pc->section, sizeof(pc->section), "%s", name);
	cfg_apply_defaults(&p, &tern_impair_section, &pc->impair);
}

int
tern_config_require_addresses(const struct tern_config *cfg, char *err, size_t errlen)
{
	for (unsigned i = 0; i < cfg->nports; i++)
		if (cfg->ports[i].prefix_len == 0) {
			snprintf(err, errlen, "%s: [%s] address: required key is missing "
				 "(expected address/prefix like 198.18.0.1/24)",
				 cfg->path, cfg->ports[i].section);
			return -1;
		}
	return 0;
}
