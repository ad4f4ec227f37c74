/*
 * Source ports for active opens: free on the 4-tuple, and with several
 * workers one whose replies hash to this worker (so both directions of the
 * connection live here). The search is bounded: a range that is used up
 * fails at once with a counted error, it never spins (the failure a load
 * balancer that retries on it would turn into a busy loop).
 */
#include <errno.h>

#include "core/steer.h"
#include "tcp_internal.h"

#define PORTS_LO 32768         /* Linux's ip_local_port_range */
#define PORTS_HI 60999
#define MAX_LOOKUPS 64         /* flow table lookups per open: the rest are cheap hash checks */

/* 1 when the reply to a flow with source port sport (network order) comes to this worker. */
static inline int
reply_is_ours(const struct tcp_worker *tw, const struct tern_port *p, uint32_t base,
	      rte_be16_t sport)
{
	return tw->w->nworkers == 1 ||
	       tern_flow_owner(p, base ^ tern_flow_hash_lport(sport)) == tw->w->index;
}

int
tcp_pick_source_port(struct tcp_worker *tw, const struct tern_port *p, rte_be32_t src,
		     rte_be32_t dst, rte_be16_t dport, uint16_t lo, uint16_t hi, rte_be16_t *out)
{
	uint32_t span, base = tern_flow_hash(dst, src, dport, 0);
	unsigned lookups = 0;

	if (lo == 0 && hi == 0)
		lo = PORTS_LO, hi = PORTS_HI;
	if (lo == 0 || lo > hi)
		return -EINVAL;
	span = (uint32_t)hi - lo + 1;
	for (uint32_t i = 0; i < span && lookups < MAX_LOOKUPS; i++) {
		uint16_t port = (uint16_t)(lo + (tw->ephemeral_next++ % span));
		rte_be16_t sport = rte_cpu_to_be_16(port);

		if (!reply_is_ours(tw, p, base, sport))
			continue;
		lookups++;
		if (tcp_flow_lookup(tw, dst, dport, src, sport) != NULL)
			continue;
		*out = sport;
		return 0;
	}
	CNT_INC(tcp_cnt(tw), TcpExtConnectNoPort);
	return -EADDRNOTAVAIL;
}
