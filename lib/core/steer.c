#include <rte_thash.h>

#include "steer.h"

/*
 * Symmetric Toeplitz key: 0x6d5a repeated makes hash(a->b) == hash(b->a),
 * so both directions of a flow land on one queue (and one worker). Long
 * enough for every NIC tern programs (52 bytes: X710) and for rte_softrss.
 */
#define K2 0x6d, 0x5a
#define K10 K2, K2, K2, K2, K2
const uint8_t tern_rss_key[TERN_RSS_KEY_LEN] = { K10, K10, K10, K10, K10, K2 };

static uint32_t lport_part[65536];
static int lport_part_ready;

void
tern_flow_hash_init(void)
{
	if (__atomic_load_n(&lport_part_ready, __ATOMIC_ACQUIRE))
		return;
	for (uint32_t p = 0; p < 65536; p++)
		lport_part[p] = tern_flow_hash(0, 0, 0, rte_cpu_to_be_16((uint16_t)p));
	__atomic_store_n(&lport_part_ready, 1, __ATOMIC_RELEASE);
}

uint32_t
tern_flow_hash_lport(rte_be16_t lport)
{
	return lport_part[rte_be_to_cpu_16(lport)];
}

uint32_t
tern_flow_hash(rte_be32_t saddr, rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport)
{
	uint32_t tuple[3] = {
		rte_be_to_cpu_32(saddr),
		rte_be_to_cpu_32(daddr),
		((uint32_t)rte_be_to_cpu_16(sport) << 16) | rte_be_to_cpu_16(dport),
	};

	return rte_softrss(tuple, RTE_DIM(tuple), tern_rss_key);
}
