/* Shared between the files of lib/net; not part of its interface. */
#ifndef TERN_NET_INTERNAL_H
#define TERN_NET_INTERNAL_H

#include <rte_ether.h>
#include <rte_ip.h>

#include "net.h"

#define NET_IP_TTL 64
#define ICMP_DEST_UNREACH 3 /* RFC 792 */

enum net_verdict arp_input(struct net_worker *nw, uint16_t port, struct rte_mbuf *m);
enum net_verdict ipv4_input(struct net_worker *nw, uint16_t port, struct rte_mbuf *m);
void icmp_input(struct net_worker *nw, uint16_t port, struct rte_mbuf *m);

void net_resolve_gateways(struct net_worker *nw);

/* Sends an ARP request for ip out of port (ip == our address: gratuitous). */
void arp_send_request(struct net_worker *nw, uint16_t port, rte_be32_t ip);

/* Fills the Ethernet header of a frame for next hop nexthop and queues it, resolving if needed. */
void eth_output_ipv4(struct net_worker *nw, uint16_t port, struct rte_mbuf *m, rte_be32_t nexthop);

static inline struct net_counters *
net_cnt(struct net_worker *nw)
{
	return &nw->cnt;
}

static inline const struct tern_port *
net_port(const struct net_worker *nw, uint16_t port)
{
	return &nw->w->ports[port];
}

#endif
