/*
 * Neighbour cache for one worker: IPv4 -> MAC per port, with entries that
 * age out, bounded retries while resolving, and a bounded queue of packets
 * waiting for each resolution. A pure data structure: it sends nothing and
 * reads no clock; callers pass time in and act on what it returns.
 */
#ifndef TERN_NET_ARP_CACHE_H
#define TERN_NET_ARP_CACHE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "core/config.h"
#include "net_config.h"
#include "net_counters.h"

enum arp_lookup {
	ARP_MISS = 0,     /* nothing known: queue the packet and resolve */
	ARP_HIT,          /* mac is valid */
	ARP_HIT_REFRESH,  /* mac is valid but old: send a request to confirm it */
	ARP_PENDING,      /* being resolved: queue the packet */
};

enum arp_enqueue {
	ARP_QUEUED_NEW,   /* first packet for this neighbour: send a request now */
	ARP_QUEUED,       /* resolution already under way */
	ARP_DROPPED,      /* queue or table full: packet freed and counted */
};

struct arp_cache;

/* Times in TSC ticks derived from cfg; cnt receives the Arp* counters. */
struct arp_cache *arp_cache_create(const struct arp_cfg *cfg, uint64_t tsc_hz,
				   int socket, struct net_counters *cnt);
/* Frees the cache and every queued packet. */
void arp_cache_free(struct arp_cache *c);

enum arp_lookup arp_cache_lookup(struct arp_cache *c, uint16_t port, rte_be32_t ip,
				 uint64_t now, struct rte_ether_addr *mac);

/*
 * Records ip -> mac. With create == 0 only an existing entry is updated
 * (RFC 826: a host merges what it already knows, and adds only when it is
 * the target). Packets that were waiting are moved to out (up to cap);
 * returns their count. Returns -1 when nothing was known and create == 0.
 */
int arp_cache_learn(struct arp_cache *c, uint16_t port, rte_be32_t ip,
		    const struct rte_ether_addr *mac, uint64_t now, int create,
		    struct rte_mbuf **out, unsigned cap);

/* Holds m until ip resolves; with m == NULL only starts the resolution. */
enum arp_enqueue arp_cache_enqueue(struct arp_cache *c, uint16_t port, rte_be32_t ip,
				   struct rte_mbuf *m, uint64_t now);

/* A neighbour the caller must send an ARP request for. */
struct arp_request {
	uint16_t port;
	rte_be32_t ip;
};

/*
 * Retries resolutions whose timer ran out (written to req, up to cap) and
 * gives up on those past the retry limit, freeing and counting their queued
 * packets. Returns the number of requests to send.
 */
unsigned arp_cache_tick(struct arp_cache *c, uint64_t now, struct arp_request *req,
			unsigned cap);

/* 1 when ip's link-layer address is known (resolved, possibly being confirmed); no side effect. */
int arp_cache_known(const struct arp_cache *c, uint16_t port, rte_be32_t ip);

/* Entries in use (any state). */
uint32_t arp_cache_count(const struct arp_cache *c);

#endif
