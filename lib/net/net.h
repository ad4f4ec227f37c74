/*
 * Per-worker state of the Ethernet/ARP/IPv4/ICMP layer and its entry
 * points. Frames are parsed and validated once here; what reaches TCP has
 * m->l2_len and m->l3_len set, a verified IPv4 header, and is trimmed to
 * the IP total length.
 */
#ifndef TERN_NET_NET_H
#define TERN_NET_NET_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "core/config.h"
#include "core/worker.h"
#include "net_config.h"
#include "net_counters.h"

struct arp_cache;

#define NET_MAX_ADDRS 64   /* local addresses per port: its own, then VIPs and sources */

/* The addresses a port answers for (ARP, IPv4); a[0] is the port's own. */
struct net_addr_set {
	uint16_t n;
	rte_be32_t a[NET_MAX_ADDRS];
};

struct net_worker {
	struct tern_worker *w;
	const struct tern_config *cfg;
	const struct arp_cfg *arp_cfg;
	const struct icmp_cfg *icmp_cfg;
	struct arp_cache *arp;
	uint64_t arp_next_tick;      /* TSC of the next ARP retry scan */
	uint64_t gw_next_check;      /* TSC when the gateway is looked at again */
	/* ICMP error token bucket (RFC 1812 4.3.2.8 style rate limit). */
	uint64_t icmp_tokens_ts;
	uint32_t icmp_tokens;
	uint16_t ip_id;
	struct net_addr_set local[TERN_MAX_PORTS];
	struct net_counters cnt;
};

/* 1 when a (network order) is one of port's addresses. */
static inline int
net_is_local(const struct net_worker *nw, uint16_t port, rte_be32_t a)
{
	const struct net_addr_set *s = &nw->local[port];

	for (uint16_t i = 0; i < s->n; i++)
		if (s->a[i] == a)
			return 1;
	return 0;
}

/*
 * Adds an address port answers for (a virtual IP, a source address for
 * active opens): inside the port's prefix, not its network or broadcast
 * address. 0, -EINVAL (outside), -ENOSPC (NET_MAX_ADDRS); adding one twice
 * is fine. Call before the worker runs.
 */
int net_add_address(struct net_worker *nw, uint16_t port, rte_be32_t addr);

/* Where net_rx put a frame. */
enum net_verdict {
	NET_CONSUMED = 0,   /* handled (ARP, ICMP) or dropped and counted */
	NET_TCP,            /* a validated IPv4/TCP packet for the caller */
};

int net_worker_init(struct net_worker *nw, struct tern_worker *w,
		    const struct tern_config *cfg);
void net_worker_fini(struct net_worker *nw);

/*
 * Parses and validates n frames received on port. Frames for TCP are
 * written to tcp_out (capacity n); their count is returned.
 */
uint16_t net_rx_burst(struct net_worker *nw, uint16_t port, struct rte_mbuf **pkts,
		      uint16_t n, struct rte_mbuf **tcp_out);

/* One frame: the verdict; used by net_rx_burst and tests. */
enum net_verdict net_rx_one(struct net_worker *nw, uint16_t port, struct rte_mbuf *m);

/* Learns from an ARP frame another worker received (no reply sent). Frees m. */
void net_arp_from_peer(struct net_worker *nw, struct rte_mbuf *m);

/* Periodic work: ARP retries and expiry. */
void net_tick(struct net_worker *nw);

/* Announces our address on every port (gratuitous ARP) and asks for the gateway. */
void net_announce(struct net_worker *nw);

/*
 * The port a datagram to dst leaves from: the one whose prefix holds dst,
 * else the first with a gateway. -1 when no port reaches dst.
 */
int net_route(const struct net_worker *nw, rte_be32_t dst);

/*
 * Sends an IPv4 datagram whose L4 header and payload start at m's data:
 * prepends IPv4 and Ethernet headers, fills checksums (offload when the
 * port has it), resolves the next hop and queues the frame. src is one of
 * port's addresses (0: the port's own). ecn is the IP ECN field, 0
 * (Not-ECT) to 3 (CE) (RFC 3168 §5). Takes m.
 */
/*
 * Cuts frame m, marked RTE_MBUF_F_TX_TCP_SEG with l2/l3/l4_len and
 * tso_segsz, into the segments a NIC would send (headers copied, payload
 * referenced through indirect mbufs from pool; checksums left to offload
 * flags, see net_cksum_finalize). On success m is consumed and the count
 * returned; -1 leaves m as it was (not such a frame, more than cap
 * segments, or out of mbufs).
 */
int net_tso_segment(struct rte_mbuf *m, struct rte_mempool *pool, struct rte_mbuf **out,
		    unsigned cap);

void net_ipv4_send_ecn(struct net_worker *nw, uint16_t port, struct rte_mbuf *m, rte_be32_t src,
		       rte_be32_t dst, uint8_t proto, uint8_t ecn);

static inline void
net_ipv4_send(struct net_worker *nw, uint16_t port, struct rte_mbuf *m, rte_be32_t src,
	      rte_be32_t dst, uint8_t proto)
{
	net_ipv4_send_ecn(nw, port, m, src, dst, proto, 0);
}

/*
 * 1 when a datagram to dst out of port would leave now: the next hop's
 * link-layer address is known. 0 while it is being resolved, after its
 * resolution failed, or without a route. Changes nothing (no ARP request).
 */
int net_neighbour_known(const struct net_worker *nw, uint16_t port, rte_be32_t dst);

/* ICMP error about the datagram in m (m is not consumed). Rate limited. */
void net_icmp_error(struct net_worker *nw, uint16_t port, const struct rte_mbuf *m,
		    uint8_t type, uint8_t code);

#endif
