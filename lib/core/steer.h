/*
 * Which worker owns a flow. Hardware RSS and the software hash agree: both
 * use the symmetric Toeplitz key and the port's redirection table, so a
 * packet steered in software lands where hardware would have put it, and
 * an active open can pick a source port whose replies come back to it.
 */
#ifndef TERN_CORE_STEER_H
#define TERN_CORE_STEER_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "port.h"

#define TERN_RSS_KEY_LEN 52

/* The one symmetric key: the ports are programmed with it, and software hashes with it. */
extern const uint8_t tern_rss_key[TERN_RSS_KEY_LEN];

/* Toeplitz hash of an IPv4/TCP 4-tuple with the symmetric key (inputs in network order). */
uint32_t tern_flow_hash(rte_be32_t saddr, rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport);

/*
 * The Toeplitz hash is linear (XOR) in its input bits, so the hash of a
 * reply (raddr -> laddr, rport -> lport) is
 *     tern_flow_hash(raddr, laddr, rport, 0) ^ tern_flow_hash_lport(lport):
 * an active open finds source ports whose replies come back to it with a
 * table lookup per candidate instead of a hash. Call tern_flow_hash_init
 * once before workers run (idempotent).
 */
void tern_flow_hash_init(void);
uint32_t tern_flow_hash_lport(rte_be16_t lport);

/* The worker (queue) that owns a flow hash on port. */
static inline uint16_t
tern_flow_owner(const struct tern_port *port, uint32_t hash)
{
	return port->reta[hash % port->reta_size];
}

#endif
