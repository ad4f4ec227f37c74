/*
 * A DPDK port as tern uses it: probed from devargs, capabilities read,
 * offloads enabled when offered (software otherwise), one RX and one TX
 * queue per worker.
 */
#ifndef TERN_CORE_PORT_H
#define TERN_CORE_PORT_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "config.h"

#define TERN_RETA_MAX 512

struct tern_port {
	uint16_t port_id;
	uint16_t index;          /* position in the config, portN */
	uint16_t nb_queues;
	uint16_t mtu;
	struct rte_ether_addr mac;
	rte_be32_t addr;         /* network byte order */
	rte_be32_t netmask;
	rte_be32_t gateway;      /* 0 when none */
	/* Offloads in use, decided once at start. */
	uint8_t rx_ip_cksum;     /* RX flags report IPv4 header checksum status */
	uint8_t rx_l4_cksum;     /* RX flags report TCP checksum status */
	uint8_t tx_ip_cksum;     /* port fills the IPv4 header checksum */
	uint8_t tx_tcp_cksum;    /* port fills the TCP checksum */
	uint8_t tx_tso;          /* port segments TCP (RTE_MBUF_F_TX_TCP_SEG) */
	uint8_t rx_lro;          /* port coalesces received TCP (RTE_MBUF_F_RX_LRO) */
	uint8_t tx_max_segs;     /* mbufs per frame (a TSO one) at most, 0: no limit */
	uint8_t tx_mtu_segs;     /* mbufs of a packet, or of a TSO segment with its header's, 0: no limit */
	uint8_t tx_cksum_chained; /* TX TCP checksum offload is right for chained mbufs too */
	uint8_t hw_rss;          /* port spreads flows over queues itself */
	uint16_t reta_size;
	uint16_t reta[TERN_RETA_MAX]; /* RSS hash -> queue, same as the port's */
	const struct tern_port_cfg *cfg;
};

/*
 * Probes cfg->devargs, configures nb_queues RX/TX queue pairs (RX queue q
 * takes mbufs from pools[q]) and starts the port. Logs what was enabled.
 * Returns 0 or -errno with a message in err.
 */
int tern_port_init(struct tern_port *port, const struct tern_port_cfg *cfg,
		   uint16_t index, uint16_t nb_queues, struct rte_mempool **pools,
		   char *err, size_t errlen);

/* Stops and closes the port; frees mbufs held in its rings. */
void tern_port_close(struct tern_port *port);

/* 1 when a is on the port's subnet. a in network byte order. */
static inline int
tern_port_on_link(const struct tern_port *port, rte_be32_t a)
{
	return ((a ^ port->addr) & port->netmask) == 0;
}

/* The next hop toward dst out of this port: dst itself on link, else the gateway (0: none). */
static inline rte_be32_t
tern_port_nexthop(const struct tern_port *port, rte_be32_t dst)
{
	return tern_port_on_link(port, dst) ? dst : port->gateway;
}

#endif
