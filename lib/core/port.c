#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "log.h"
#include "port.h"
#include "steer.h"


/* The ethdev name is the devargs up to the first comma ("net_tap0,iface=x"). */
static void
devargs_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int
probe(const struct tern_port_cfg *cfg, uint16_t *port_id, char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	devargs_name(cfg->devargs, name, sizeof(name));
	/* A PCI device already probed by EAL (-a) is found by name directly. */
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	rc = rte_dev_probe(cfg->devargs);
	if (rc < 0) {
		snprintf(err, errlen, "[%s] device: cannot probe '%s': %s", cfg->section,
			 cfg->devargs, rte_strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		snprintf(err, errlen, "[%s] device: '%s' probed but no ethdev named '%s'",
			 cfg->section, cfg->devargs, name);
		return -ENODEV;
	}
	return 0;
}

/* Chooses offloads from what the port offers; software does the rest. */
static void
choose_offloads(struct tern_port *port, const struct rte_eth_dev_info *info,
		struct rte_eth_conf *conf, int allowed, int tso, int lro)
{
	uint64_t rx = allowed ? info->rx_offload_capa : 0;
	uint64_t tx = allowed ? info->tx_offload_capa : 0;

	port->rx_ip_cksum = !!(rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
	port->rx_l4_cksum = !!(rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	port->tx_ip_cksum = !!(tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
	port->tx_tcp_cksum = !!(tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
	port->tx_tso = !!(tx & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	conf->rxmode.offloads = rx & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	/* Coalesced frames are chains; tern takes them up to the IPv4 length (eth.c). */
	port->rx_lro = lro && (rx & RTE_ETH_RX_OFFLOAD_TCP_LRO) && (rx & RTE_ETH_RX_OFFLOAD_SCATTER);
	if (port->rx_lro) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_SCATTER;
		conf->rxmode.max_lro_pkt_size = RTE_MIN(info->max_lro_pkt_size,
							65535u + RTE_ETHER_HDR_LEN);
	}
	/*
	 * net_tap of DPDK 22.11 sums only the first segment of a chained frame
	 * (seen on the wire: Linux drops every header+payload-chain segment), so
	 * chained frames get a software checksum there, and its TSO (which
	 * chains each segment's header to the payload) is not used.
	 */
	port->tx_cksum_chained = strcmp(info->driver_name, "net_tap") != 0;
	/* TSO needs the checksum offloads and chains (header mbuf, payload pieces). */
	port->tx_tso = tso && port->tx_cksum_chained && (tx & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
		       port->tx_ip_cksum && port->tx_tcp_cksum && (tx & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	/* What the driver reads per frame (Intel's 710 series: 8 per packet, 255 per TSO frame). */
	port->tx_max_segs = (uint8_t)RTE_MIN(info->tx_desc_lim.nb_seg_max, UINT8_MAX);
	port->tx_mtu_segs = (uint8_t)RTE_MIN(info->tx_desc_lim.nb_mtu_seg_max, UINT8_MAX);
	conf->txmode.offloads = tx & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
				      RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
				      (port->tx_tso ? RTE_ETH_TX_OFFLOAD_TCP_TSO : 0));
}

/* Hardware RSS over IPv4/TCP when the port has it and there is more than one queue. */
static void
choose_rss(struct tern_port *port, const struct rte_eth_dev_info *info,
	   struct rte_eth_conf *conf, uint16_t nb_queues)
{
	uint64_t want = RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4;

	port->hw_rss = nb_queues > 1 && (info->flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) &&
		       info->hash_key_size > 0 && info->hash_key_size <= TERN_RSS_KEY_LEN;
	port->reta_size = info->reta_size ? RTE_MIN(info->reta_size, TERN_RETA_MAX) : 128;
	for (uint16_t i = 0; i < port->reta_size; i++)
		port->reta[i] = i % nb_queues;
	if (!port->hw_rss)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	/* Programmed with the key software steering hashes with (steer.c): they must agree. */
	conf->rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)tern_rss_key;
	conf->rx_adv_conf.rss_conf.rss_key_len = info->hash_key_size;
	conf->rx_adv_conf.rss_conf.rss_hf = want & info->flow_type_rss_offloads;
}

/* Programs the RETA so software steering (same table) agrees with hardware. */
static void
program_reta(struct tern_port *port)
{
	struct rte_eth_rss_reta_entry64 reta[TERN_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];

	if (!port->hw_rss)
		return;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < port->reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = port->reta[i];
	}
	if (rte_eth_dev_rss_reta_update(port->port_id, reta, port->reta_size) != 0) {
		/* Without our table, hardware placement cannot be predicted: steer in software. */
		TLOG(WARNING, "port%u: cannot program the RSS redirection table; steering flows in software",
		     port->index);
		port->hw_rss = 0;
	}
}

static int
setup_queues(struct tern_port *port, const struct tern_port_cfg *cfg,
	     const struct rte_eth_conf *conf, struct rte_mempool **pools,
	     char *err, size_t errlen)
{
	int socket = rte_eth_dev_socket_id(port->port_id);
	uint16_t rxd = cfg->rx_desc, txd = cfg->tx_desc;
	int rc;

	rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &rxd, &txd);
	/* A TSO frame must fit in the ring with room to spare for what is being freed. */
	port->tx_max_segs = (uint8_t)RTE_MIN(port->tx_max_segs ? port->tx_max_segs : UINT8_MAX,
					     txd > 128 ? txd - 64 : txd / 2);
	for (uint16_t q = 0; q < port->nb_queues; q++) {
		struct rte_eth_txconf txc = { .offloads = conf->txmode.offloads };

		rc = rte_eth_rx_queue_setup(port->port_id, q, rxd, socket, NULL, pools[q]);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port->port_id, q, txd, socket, &txc);
		if (rc != 0) {
			snprintf(err, errlen, "[%s]: queue %u setup failed: %s", cfg->section, q,
				 rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
log_port(const struct tern_port *port, const struct rte_eth_dev_info *info)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &port->mac);
	TLOG(NOTICE, "port%u: %s driver %s mac %s mtu %u queues %u", port->index,
	     port->cfg->devargs, info->driver_name, mac, port->mtu, port->nb_queues);
	TLOG(NOTICE, "port%u: offloads rx-ipv4-cksum %s rx-tcp-cksum %s tx-ipv4-cksum %s "
	     "tx-tcp-cksum %s tso %s lro %s rss %s", port->index,
	     port->rx_ip_cksum ? "hw" : "sw", port->rx_l4_cksum ? "hw" : "sw",
	     port->tx_ip_cksum ? "hw" : "sw", port->tx_tcp_cksum ? "hw" : "sw",
	     port->tx_tso ? "hw" :
	     (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO) ? "offered (unused)" : "no",
	     port->rx_lro ? "hw" :
	     (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO) ? "offered (unused)" : "no",
	     port->hw_rss ? "hw" : (port->nb_queues > 1 ? "sw steering" : "single queue"));
}

int
tern_port_init(struct tern_port *port, const struct tern_port_cfg *cfg,
	       uint16_t index, uint16_t nb_queues, struct rte_mempool **pools,
	       char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(port, 0, sizeof(*port));
	memset(&conf, 0, sizeof(conf));
	port->cfg = cfg;
	port->index = index;
	port->nb_queues = nb_queues;
	port->mtu = cfg->mtu;
	port->addr = rte_cpu_to_be_32(cfg->addr);
	port->netmask = rte_cpu_to_be_32(cfg->prefix_len ? ~0u << (32 - cfg->prefix_len) : 0);
	port->gateway = rte_cpu_to_be_32(cfg->gateway);
	if ((rc = probe(cfg, &port->port_id, err, errlen)) != 0)
		return rc;
	if ((rc = rte_eth_dev_info_get(port->port_id, &info)) != 0) {
		snprintf(err, errlen, "[%s]: cannot read device info: %s", cfg->section, rte_strerror(-rc));
		return rc;
	}
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues) {
		snprintf(err, errlen, "[%s] device: %s offers %u RX / %u TX queues, %u workers need %u",
			 cfg->section, info.driver_name, info.max_rx_queues, info.max_tx_queues,
			 nb_queues, nb_queues);
		return -EINVAL;
	}
	if (cfg->mtu > info.max_mtu || cfg->mtu < info.min_mtu) {
		snprintf(err, errlen, "[%s] mtu: %s accepts %u to %u, got %u", cfg->section,
			 info.driver_name, info.min_mtu, info.max_mtu, cfg->mtu);
		return -EINVAL;
	}
	/* Impairment acts on the frames tern hands the port: they must be wire segments. */
	choose_offloads(port, &info, &conf, cfg->offloads, cfg->tso && !cfg->impair.enabled,
			cfg->lro && !cfg->impair.enabled);
	choose_rss(port, &info, &conf, nb_queues);
	conf.rxmode.mtu = cfg->mtu;
	rc = rte_eth_dev_configure(port->port_id, nb_queues, nb_queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "[%s]: configure failed: %s", cfg->section, rte_strerror(-rc));
		return rc;
	}
	if ((rc = setup_queues(port, cfg, &conf, pools, err, errlen)) != 0)
		return rc;
	if ((rc = rte_eth_dev_start(port->port_id)) != 0) {
		snprintf(err, errlen, "[%s]: start failed: %s", cfg->section, rte_strerror(-rc));
		return rc;
	}
	program_reta(port);
	if (cfg->promiscuous)
		rte_eth_promiscuous_enable(port->port_id);
	rte_eth_macaddr_get(port->port_id, &port->mac);
	log_port(port, &info);
	return 0;
}

void
tern_port_close(struct tern_port *port)
{
	rte_eth_dev_stop(port->port_id);
	rte_eth_dev_close(port->port_id);
}
