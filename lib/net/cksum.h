/* Checksums: trust the port's RX verdict when it gives one, compute in software otherwise. */
#ifndef TERN_NET_CKSUM_H
#define TERN_NET_CKSUM_H

#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "core/port.h"

/*
 * The pseudo-header sum (RFC 9293 §3.1) a NIC adds the segment to, as
 * rte_ipv4_phdr_cksum() gives it but without its byte loop: three 32-bit
 * words, folded (one's complement sums do not depend on word size or byte
 * order, RFC 1071 §2). l4_len 0 is what TSO asks for (each segment's
 * length is the NIC's to add).
 */
static inline uint16_t
net_tcp_phdr_sum(const struct rte_ipv4_hdr *ip, uint32_t l4_len)
{
	uint64_t s = (uint64_t)ip->src_addr + ip->dst_addr +
		     rte_cpu_to_be_32(((uint32_t)ip->next_proto_id << 16) | l4_len);

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)((s & 0xffff) + (s >> 16));
}

/* 1 when the IPv4 header checksum is right. */
int net_ipv4_cksum_ok(const struct tern_port *port, const struct rte_mbuf *m,
		      const struct rte_ipv4_hdr *ip);

/* 1 when the TCP checksum of the segment at m->l2_len + m->l3_len is right. */
int net_tcp_cksum_ok(const struct tern_port *port, const struct rte_mbuf *m,
		     const struct rte_ipv4_hdr *ip);

/* Internet checksum of an ICMP message (header plus data), over a possibly chained mbuf. */
uint16_t net_icmp_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len);

/*
 * Prepares IPv4 (and TCP when proto is TCP) checksums of an outgoing frame
 * with l2_len/l3_len set: offload flags when the port fills them, values
 * computed here otherwise.
 */
void net_tx_cksum(const struct tern_port *port, struct rte_mbuf *m, uint8_t proto);

/* Computes in software every checksum that offload flags on m left to the NIC. */
void net_cksum_finalize(struct rte_mbuf *m);

#endif
