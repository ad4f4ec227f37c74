/*
 * Unit tests for Ethernet/ARP/IPv4/ICMP input (lib/net), the closed-port
 * RST and burst input's re-lookup (lib/tcp/tcp_input.c), on a worker built
 * by the composition root (stack_build) and driven by the production loop
 * (tern_worker_poll): each frame arrives through the worker's rx hook, what
 * the worker sends is captured by its tx hook, where the tests inspect and
 * free it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <rte_malloc.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/counters.h"
#include "core/port.h"
#include "core/worker.h"
#include "net/arp_cache.h"
#include "net/net_config.h"
#include "stack/stack.h"
#include "tcp/tcp.h"
#include "test_eal.h"

#define HZ 1000000000ULL
#define NOW (100 * HZ) /* fake TSC */

#define IP(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define OUR_IP IP(198, 18, 0, 1)
#define PEER_IP IP(198, 18, 0, 2)
#define ETH_LEN ((uint16_t)sizeof(struct rte_ether_hdr))
#define IP_LEN ((uint16_t)sizeof(struct rte_ipv4_hdr))
#define TCP_LEN ((uint16_t)sizeof(struct rte_tcp_hdr))
#define ICMP_LEN ((uint16_t)sizeof(struct rte_icmp_hdr))
#define ARP_LEN ((uint16_t)(ETH_LEN + sizeof(struct rte_arp_hdr)))

static const struct rte_ether_addr our_mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr peer_mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr bcast_mac = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

static struct tern_port port;
static struct tern_config cfg;
static struct stack_worker *sw; /* no listeners (but in the burst test): segments reach a closed port */
static uint64_t now;            /* the worker's (fake) TSC */
static unsigned pool_start;
static uint8_t f[2048]; /* the frame under construction */

#define CAP 64
static struct rte_mbuf *rxq[TERN_RX_BURST]; /* the next loop's burst */
static uint16_t nrxq;
static struct rte_mbuf *sent[CAP];          /* what the worker transmitted, oldest first */
static unsigned nsent;

/* ---- worker set-up --------------------------------------------------------------- */

static uint16_t
rx_hook(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t max)
{
	(void)w, (void)p;
	return tern_rx_take(rxq, &nrxq, pkts, max);
}

static void
tx_hook(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w, (void)p;
	for (uint16_t i = 0; i < n; i++) {
		if (nsent == CAP)
			fail_msg("more than %d frames sent", CAP);
		sent[nsent++] = pkts[i];
	}
}

/* One worker loop at `now` over the queued frames. */
static void
poll_worker(void)
{
	tern_worker_poll(&sw->w, now);
}

static void
txq_free(void)
{
	rte_pktmbuf_free_bulk(sent, nsent);
	nsent = 0;
}

static void
worker_start(void)
{
	struct tern_worker_env env = { .index = 0, .nworkers = 1, .ports = &port, .nports = 1,
		.pool = test_pool(), .socket = SOCKET_ID_ANY, .now = now, .rx_hook = rx_hook,
		.tx_hook = tx_hook };

	tcp_config(&cfg)->max_connections = 64;
	tcp_config(&cfg)->ooo_mbufs = 64;
	sw = rte_zmalloc("test_ipv4", sizeof(*sw), RTE_CACHE_LINE_SIZE);
	assert_non_null(sw);
	assert_int_equal(stack_build(sw, &cfg, &env, STACK_NO_SERVICES), 0);
	poll_worker(); /* the first loop announces our address (gratuitous ARP) */
	txq_free();
}

static void
worker_stop(void)
{
	txq_free();
	stack_teardown(sw);
	rte_free(sw);
	sw = NULL;
}

static int
setup(void **state)
{
	(void)state;
	test_pool();
	tern_clock_init(HZ);
	now = NOW;
	pool_start = rte_mempool_in_use_count(test_pool());
	memset(&port, 0, sizeof(port));
	port.mac = our_mac;
	port.addr = OUR_IP;
	port.netmask = RTE_BE32(0xffffff00);
	port.mtu = 1500;
	port.nb_queues = 1;
	port.reta_size = 1;
	assert_int_equal(tern_config_init(&cfg, &stack_schema), 0);
	cfg.nports = 1;
	port.cfg = &cfg.ports[0];
	worker_start();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	worker_stop();
	tern_config_free(&cfg);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start);
	return 0;
}

/* ---- counters and output ------------------------------------------------------- */

/* Drop counter `only` equals n and no other drop counter moved (one reason per drop). */
static void
assert_drops(const char *only, uint64_t n)
{
	const struct tern_counter_layout *l = stack_counters();
	uint64_t v[l->total];

	tern_counters_read(l, sw, v);
	for (unsigned i = 0; i < l->total; i++) {
		const struct tern_counter_info *c = tern_counter_at(l, i);

		if (c->kind != 'D')
			continue;
		if (only != NULL && strcmp(c->name, only) == 0)
			assert_int_equal(v[i], n);
		else if (v[i] != 0)
			fail_msg("unexpected drop counter %s = %lu", c->name, (unsigned long)v[i]);
	}
	if (only != NULL && tern_counter_find(l, only) < 0)
		fail_msg("no counter named %s", only);
}

#define EXPECT_DROP(name) assert_drops(#name, 1)
#define EXPECT_NO_DROP() assert_drops(NULL, 0)
#define CNT(name) stack_counter(sw, #name)

static void
assert_nothing_sent(void)
{
	assert_int_equal(nsent, 0);
}

/* The one frame sent, now owned by the caller. */
static struct rte_mbuf *
tx_take(void)
{
	assert_int_equal(nsent, 1);
	nsent = 0;
	return sent[0];
}

static const struct rte_ether_hdr *
eth_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
}

static const struct rte_ipv4_hdr *
ip_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_LEN);
}

static const struct rte_arp_hdr *
arp_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, ETH_LEN);
}

static void
assert_mac(const struct rte_ether_addr *got, const struct rte_ether_addr *want)
{
	assert_memory_equal(got, want, RTE_ETHER_ADDR_LEN);
}

/* An IPv4 frame we sent: Ethernet to dst, a valid 20-byte header from us (RFC 791). */
static void
assert_ipv4_out(const struct rte_mbuf *m, const struct rte_ether_addr *dst, rte_be32_t ip_dst,
		uint8_t proto)
{
	const struct rte_ipv4_hdr *ip = ip_of(m);

	assert_mac(&eth_of(m)->dst_addr, dst);
	assert_mac(&eth_of(m)->src_addr, &our_mac);
	assert_int_equal(eth_of(m)->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), rte_pktmbuf_pkt_len(m) - ETH_LEN);
	assert_int_equal(ip->next_proto_id, proto);
	assert_int_equal(ip->src_addr, OUR_IP);
	assert_int_equal(ip->dst_addr, ip_dst);
	assert_true(ip->time_to_live > 0);
	assert_int_equal(rte_raw_cksum(ip, IP_LEN), 0xffff);
}

static void
learn_peer(void)
{
	struct rte_mbuf *out[4];

	assert_int_equal(arp_cache_learn(sw->net.arp, 0, PEER_IP, &peer_mac, now, 1, out, 4), 0);
}

/* ---- frame builders -------------------------------------------------------------- */

static struct rte_ether_hdr *
f_eth(void)
{
	return (struct rte_ether_hdr *)f;
}

static struct rte_ipv4_hdr *
f_ip(void)
{
	return (struct rte_ipv4_hdr *)(f + ETH_LEN);
}

static void
eth_build(const struct rte_ether_addr *dst, uint16_t type)
{
	f_eth()->dst_addr = *dst;
	f_eth()->src_addr = peer_mac;
	f_eth()->ether_type = rte_cpu_to_be_16(type);
}

static void
ip_recksum(void)
{
	f_ip()->hdr_checksum = 0;
	f_ip()->hdr_checksum = rte_ipv4_cksum(f_ip());
}

/* Ethernet + IPv4 (no options) from the peer to us around l4; returns the frame length. */
static uint16_t
ip_build(uint8_t proto, const void *l4, uint16_t l4len)
{
	struct rte_ipv4_hdr *ip = f_ip();

	memset(f, 0, sizeof(f));
	eth_build(&our_mac, RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(IP_LEN + l4len);
	ip->packet_id = RTE_BE16(0x4242);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = PEER_IP;
	ip->dst_addr = OUR_IP;
	memcpy(ip + 1, l4, l4len);
	ip_recksum();
	return ETH_LEN + IP_LEN + l4len;
}

#define ECHO_ID 0x1234
#define ECHO_SEQ 7

/* ICMP echo request (RFC 792) with datalen bytes of data, checksum filled. */
static uint16_t
echo_build(uint8_t *b, uint16_t datalen)
{
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)b;

	memset(icmp, 0, ICMP_LEN);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = RTE_BE16(ECHO_ID);
	icmp->icmp_seq_nb = RTE_BE16(ECHO_SEQ);
	for (uint16_t i = 0; i < datalen; i++)
		b[ICMP_LEN + i] = (uint8_t)(0x30 + i);
	icmp->icmp_cksum = ~rte_raw_cksum(b, ICMP_LEN + datalen);
	return ICMP_LEN + datalen;
}

static uint16_t
echo_frame(uint16_t datalen)
{
	uint8_t b[256];

	return ip_build(IPPROTO_ICMP, b, echo_build(b, datalen));
}

#define UDP_DATA 12

static uint16_t
udp_frame(void)
{
	uint8_t b[sizeof(struct rte_udp_hdr) + UDP_DATA];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)b;

	memset(b, 0x77, sizeof(b));
	udp->src_port = RTE_BE16(5353);
	udp->dst_port = RTE_BE16(53);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(b));
	udp->dgram_cksum = 0; /* none (RFC 768) */
	return ip_build(IPPROTO_UDP, b, sizeof(b));
}

#define SEG_SEQ 1000u
#define SEG_ACK 5555u

static struct rte_tcp_hdr *
f_tcp(void)
{
	return (struct rte_tcp_hdr *)(f + ETH_LEN + IP_LEN);
}

static void
tcp_recksum(void)
{
	f_tcp()->cksum = 0;
	f_tcp()->cksum = rte_ipv4_udptcp_cksum(f_ip(), f_tcp());
}

/* TCP 40000 -> 80 with flags and payload bytes of data; checksum filled. */
static uint16_t
tcp_frame(uint8_t flags, uint16_t payload)
{
	uint8_t b[TCP_LEN + 256];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)b;
	uint16_t len;

	memset(b, 0x5e, sizeof(b));
	memset(th, 0, TCP_LEN);
	th->src_port = RTE_BE16(40000);
	th->dst_port = RTE_BE16(80);
	th->sent_seq = rte_cpu_to_be_32(SEG_SEQ);
	th->recv_ack = (flags & RTE_TCP_ACK_FLAG) ? rte_cpu_to_be_32(SEG_ACK) : 0;
	th->data_off = TCP_LEN / 4 << 4;
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(65535);
	len = ip_build(IPPROTO_TCP, b, TCP_LEN + payload);
	tcp_recksum();
	return len;
}

/* ARP over Ethernet (RFC 826), padded to the 60-byte minimum frame. */
static uint16_t
arp_frame(const struct rte_ether_addr *eth_dst, uint16_t op, rte_be32_t sip,
	  const struct rte_ether_addr *tha, rte_be32_t tip)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(f + ETH_LEN);

	memset(f, 0, sizeof(f));
	eth_build(eth_dst, RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	memcpy(&arp->arp_data.arp_sha, &peer_mac, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_sip = sip;
	memcpy(&arp->arp_data.arp_tha, tha, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = tip;
	return RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
}

/* The frame in f arrives: a worker loop receives it (a burst of one). */
static void
rx(uint16_t len)
{
	rxq[nrxq++] = test_mbuf_from(f, len);
	poll_worker();
}

/* A frame that must be dropped under drop counter `name`, with nothing sent. */
static void
rx_dropped(uint16_t len, const char *name)
{
	rx(len);
	assert_drops(name, 1);
	assert_nothing_sent();
}

/* ---- Ethernet ------------------------------------------------------------------ */

static void
test_eth_runt(void **state)
{
	(void)state;
	echo_frame(0);
	rx_dropped(ETH_LEN - 1, "EthInRunts");
}

static void
test_eth_other_mac(void **state)
{
	static const struct rte_ether_addr other = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x99 } };
	uint16_t len = echo_frame(0);

	(void)state;
	f_eth()->dst_addr = other;
	rx_dropped(len, "EthInNotForUs");
}

static void
test_eth_multicast(void **state)
{
	static const struct rte_ether_addr mcast = { .addr_bytes = { 0x01, 0x00, 0x5e, 0, 0, 0x01 } };
	uint16_t len = echo_frame(0);

	(void)state;
	f_eth()->dst_addr = mcast;
	rx_dropped(len, "EthInMulticast");
}

static void
test_eth_ipv6(void **state)
{
	uint16_t len = echo_frame(0);

	(void)state;
	f_eth()->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	rx_dropped(len, "EthInIpv6");
}

static void
test_eth_vlan(void **state)
{
	uint16_t len = echo_frame(0);

	(void)state;
	f_eth()->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	rx_dropped(len, "EthInVlan");
}

static void
test_eth_unknown_type(void **state)
{
	uint16_t len = echo_frame(0);

	(void)state;
	f_eth()->ether_type = RTE_BE16(0x88b5); /* IEEE local experimental */
	rx_dropped(len, "EthInUnknownType");
}

/* ---- IPv4 header checks (RFC 791 §3.1, RFC 1122 §3.2.1.1-2) ------------------------- */

/* A header error: its own drop counter plus IpInHdrErrors. */
static void
rx_hdr_error(uint16_t len, const char *name)
{
	rx_dropped(len, name);
	assert_int_equal(CNT(IpInHdrErrors), 1);
	assert_int_equal(CNT(IpInReceives), 1);
	assert_int_equal(CNT(IpInDelivers), 0);
}

static void
test_ip_truncated_header(void **state)
{
	(void)state;
	echo_frame(0);
	rx_hdr_error(ETH_LEN + 10, "IpInTruncated");
}

/* RFC 1122 §3.2.1.1: a datagram whose version is not 4 is discarded. */
static void
test_ip_bad_version(void **state)
{
	uint16_t len = echo_frame(0);

	(void)state;
	f_ip()->version_ihl = 0x65;
	ip_recksum();
	rx_hdr_error(len, "IpInBadVersion");
}

static void
test_ip_ihl_below_5(void **state)
{
	uint16_t len = echo_frame(0);

	(void)state;
	f_ip()->version_ihl = 0x44;
	rx_hdr_error(len, "IpInBadIhl");
}

static void
test_ip_total_length_beyond_frame(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f_ip()->total_length = rte_cpu_to_be_16(len - ETH_LEN + 10);
	ip_recksum();
	rx_hdr_error(len, "IpInTruncated");
}

static void
test_ip_total_length_below_header(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f_ip()->total_length = rte_cpu_to_be_16(IP_LEN - 1);
	ip_recksum();
	rx_hdr_error(len, "IpInBadIhl");
}

/* RFC 1122 §3.2.1.2: a datagram with a bad header checksum is silently discarded. */
static void
test_ip_bad_checksum(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f_ip()->hdr_checksum ^= RTE_BE16(0x0100);
	rx_hdr_error(len, "IpInCsumErrors");
}

/* ---- IPv4 addressing and fragments ----------------------------------------------- */

static void
test_ip_fragment_mf(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f_ip()->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	ip_recksum();
	rx_dropped(len, "IpInFragDropped");
	assert_int_equal(CNT(IpInHdrErrors), 0);
}

static void
test_ip_fragment_offset(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f_ip()->fragment_offset = RTE_BE16(185); /* 1480 bytes in, last fragment */
	ip_recksum();
	rx_dropped(len, "IpInFragDropped");
}

static void
test_ip_dst_not_ours(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f_ip()->dst_addr = IP(198, 18, 0, 3);
	ip_recksum();
	rx_dropped(len, "IpInAddrErrors");
}

/* RFC 1122 §3.2.1.3: sources that cannot name a single host are discarded. */
static void
test_ip_martian_sources(void **state)
{
	static const rte_be32_t bad[] = {
		IP(0, 0, 0, 0), IP(127, 0, 0, 1), IP(224, 0, 0, 1), IP(255, 255, 255, 255),
		IP(198, 18, 0, 255), /* our subnet's broadcast */
		IP(198, 18, 0, 1),   /* ourselves */
	};

	(void)state;
	for (unsigned i = 0; i < RTE_DIM(bad); i++) {
		uint16_t len = echo_frame(8);

		f_ip()->src_addr = bad[i];
		ip_recksum();
		rx(len);
		assert_drops("IpInMartianSrc", i + 1);
	}
	assert_nothing_sent();
}

/* ---- ICMP (RFC 792, RFC 1122 §3.2.2) ---------------------------------------------- */

/* An echo reply to the peer with our echo data; returns it for further checks. */
static void
assert_echo_reply(const struct rte_mbuf *m, uint16_t datalen)
{
	const struct rte_icmp_hdr *icmp =
		rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, ETH_LEN + IP_LEN);
	uint8_t want[ICMP_LEN + 256];

	assert_ipv4_out(m, &peer_mac, PEER_IP, IPPROTO_ICMP);
	assert_int_equal(rte_pktmbuf_pkt_len(m), ETH_LEN + IP_LEN + ICMP_LEN + datalen);
	assert_int_equal(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(icmp->icmp_code, 0);
	assert_int_equal(icmp->icmp_ident, RTE_BE16(ECHO_ID));
	assert_int_equal(icmp->icmp_seq_nb, RTE_BE16(ECHO_SEQ));
	echo_build(want, datalen);
	assert_memory_equal(icmp + 1, want + ICMP_LEN, datalen);
	assert_int_equal(rte_raw_cksum(icmp, ICMP_LEN + datalen), 0xffff);
}

static void
assert_arp_request_for_peer(const struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp = arp_of(m);

	assert_mac(&eth_of(m)->dst_addr, &bcast_mac);
	assert_mac(&eth_of(m)->src_addr, &our_mac);
	assert_int_equal(eth_of(m)->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	assert_int_equal(arp->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	assert_memory_equal(&arp->arp_data.arp_sha, &our_mac, RTE_ETHER_ADDR_LEN);
	assert_int_equal(arp->arp_data.arp_sip, OUR_IP);
	assert_int_equal(arp->arp_data.arp_tip, PEER_IP);
}

/* RFC 1122 §3.2.2.6 echo, RFC 1122 §2.3.2.2: the reply waits for ARP, then leaves. */
static void
test_icmp_echo_reply_after_arp(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	rx(echo_frame(32));
	assert_int_equal(CNT(IcmpInEchos), 1);
	assert_int_equal(CNT(ArpOutRequests), 1);
	m = tx_take();
	assert_arp_request_for_peer(m);
	rte_pktmbuf_free(m);

	rx(arp_frame(&our_mac, RTE_ARP_OP_REPLY, PEER_IP, &our_mac, OUR_IP));
	assert_int_equal(CNT(ArpInReplies), 1);
	m = tx_take();
	assert_echo_reply(m, 32);
	rte_pktmbuf_free(m);
	assert_int_equal(CNT(IcmpOutEchoReps), 1);
	EXPECT_NO_DROP();
}

/* RFC 826 "Packet reception": reply to a request for our address and learn the sender. */
static void
test_arp_request_for_us(void **state)
{
	static const struct rte_ether_addr zero;
	const struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	(void)state;
	rx(arp_frame(&bcast_mac, RTE_ARP_OP_REQUEST, PEER_IP, &zero, OUR_IP));
	m = tx_take();
	arp = arp_of(m);
	assert_mac(&eth_of(m)->dst_addr, &peer_mac);
	assert_mac(&eth_of(m)->src_addr, &our_mac);
	assert_int_equal(eth_of(m)->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	assert_int_equal(arp->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_memory_equal(&arp->arp_data.arp_sha, &our_mac, RTE_ETHER_ADDR_LEN);
	assert_int_equal(arp->arp_data.arp_sip, OUR_IP);
	assert_memory_equal(&arp->arp_data.arp_tha, &peer_mac, RTE_ETHER_ADDR_LEN);
	assert_int_equal(arp->arp_data.arp_tip, PEER_IP);
	rte_pktmbuf_free(m);
	assert_int_equal(CNT(ArpInRequests), 1);
	assert_int_equal(CNT(ArpOutReplies), 1);
	EXPECT_NO_DROP();
}

static void
test_arp_request_sender_learned(void **state)
{
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m;

	(void)state;
	rx(arp_frame(&bcast_mac, RTE_ARP_OP_REQUEST, PEER_IP, &zero, OUR_IP));
	txq_free();
	rx(echo_frame(8));
	m = tx_take(); /* the reply itself: no ARP needed */
	assert_echo_reply(m, 8);
	rte_pktmbuf_free(m);
	assert_int_equal(CNT(ArpOutRequests), 0);
}

static void
test_arp_request_for_other_ip(void **state)
{
	static const struct rte_ether_addr zero;

	(void)state;
	rx_dropped(arp_frame(&bcast_mac, RTE_ARP_OP_REQUEST, PEER_IP, &zero, IP(198, 18, 0, 7)),
		   "ArpInNotForUs");
	/* RFC 826: not the target, nothing known: the sender is not added. */
	assert_int_equal(arp_cache_count(sw->net.arp), 0);
}

static void
test_arp_malformed_hlen(void **state)
{
	static const struct rte_ether_addr zero;
	uint16_t len = arp_frame(&bcast_mac, RTE_ARP_OP_REQUEST, PEER_IP, &zero, OUR_IP);

	(void)state;
	((struct rte_arp_hdr *)(f + ETH_LEN))->arp_hlen = 5;
	rx_dropped(len, "ArpInErrors");
	assert_int_equal(arp_cache_count(sw->net.arp), 0);
}

/* RFC 1122 §3.2.2: an ICMP message with a bad checksum is discarded. */
static void
test_icmp_bad_checksum(void **state)
{
	uint16_t len = echo_frame(8);

	(void)state;
	f[len - 1] ^= 0x01;
	rx_dropped(len, "IcmpInErrors");
	assert_int_equal(CNT(IcmpInEchos), 0);
}

/* RFC 894: padding after the IP datagram is not part of it. */
static void
test_eth_padding_trimmed(void **state)
{
	uint16_t len = echo_frame(0); /* 14 + 28 bytes */
	struct rte_mbuf *m;

	(void)state;
	assert_int_equal(len, 42);
	memset(f + len, 0x55, 60 - len); /* non-zero padding would break the ICMP sum */
	learn_peer();
	rx(60);
	m = tx_take();
	assert_echo_reply(m, 0);
	assert_int_equal(rte_be_to_cpu_16(ip_of(m)->total_length), 28);
	rte_pktmbuf_free(m);
	EXPECT_NO_DROP();
}

/* RFC 1122 §3.2.1.8: unknown options are ignored, the datagram is processed. */
static void
test_ip_options_skipped(void **state)
{
	uint8_t echo[ICMP_LEN + 8];
	uint16_t elen = echo_build(echo, 8), len;
	struct rte_mbuf *m;

	(void)state;
	ip_build(IPPROTO_ICMP, echo, 0);
	f_ip()->version_ihl = 0x46;
	memcpy(f + ETH_LEN + IP_LEN, "\x01\x01\x01\x00", 4); /* NOP NOP NOP EOL */
	memcpy(f + ETH_LEN + IP_LEN + 4, echo, elen);
	f_ip()->total_length = rte_cpu_to_be_16(IP_LEN + 4 + elen);
	ip_recksum();
	len = ETH_LEN + IP_LEN + 4 + elen;
	learn_peer();
	rx(len);
	assert_int_equal(CNT(IpInOptions), 1);
	m = tx_take();
	assert_echo_reply(m, 8);
	rte_pktmbuf_free(m);
	EXPECT_NO_DROP();
}

/* RFC 1122 §3.2.1.7: a host accepts TTL 0 or 1; it only must not forward it. */
static void
test_ip_low_ttl_accepted(void **state)
{
	uint16_t len = echo_frame(8);
	struct rte_mbuf *m;

	(void)state;
	f_ip()->time_to_live = 1;
	ip_recksum();
	learn_peer();
	rx(len);
	assert_int_equal(CNT(IpInTtlBelow2), 1);
	m = tx_take();
	assert_echo_reply(m, 8);
	rte_pktmbuf_free(m);
}

/* A Destination Unreachable with `code` quoting the datagram in f (RFC 792, RFC 1812 §4.3.2.3). */
static void
assert_dest_unreach(const struct rte_mbuf *m, uint8_t code, uint16_t dgram_len)
{
	const struct rte_icmp_hdr *icmp =
		rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, ETH_LEN + IP_LEN);

	assert_ipv4_out(m, &peer_mac, PEER_IP, IPPROTO_ICMP);
	assert_int_equal(icmp->icmp_type, 3);
	assert_int_equal(icmp->icmp_code, code);
	assert_int_equal(icmp->icmp_ident, 0); /* unused, zero */
	assert_int_equal(icmp->icmp_seq_nb, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), ETH_LEN + IP_LEN + ICMP_LEN + dgram_len);
	/* The original IP header and (at least) the first 64 bits of its data. */
	assert_memory_equal(icmp + 1, f + ETH_LEN, dgram_len);
	assert_int_equal(rte_raw_cksum(icmp, ICMP_LEN + dgram_len), 0xffff);
}

/* RFC 1122 §3.2.2.1: a host SHOULD send Port Unreachable for a transport it does not serve. */
static void
test_udp_port_unreachable(void **state)
{
	uint16_t len = udp_frame();
	struct rte_mbuf *m;

	(void)state;
	learn_peer();
	rx(len);
	EXPECT_DROP(IpInUnknownProtos);
	m = tx_take();
	assert_dest_unreach(m, 3, len - ETH_LEN);
	rte_pktmbuf_free(m);
	assert_int_equal(CNT(IcmpOutDestUnreachs), 1);
}

/* RFC 1122 §3.2.2.1: Protocol Unreachable for a protocol not implemented. */
static void
test_unknown_proto_unreachable(void **state)
{
	uint8_t gre[8] = { 0 };
	uint16_t len = ip_build(47, gre, sizeof(gre));
	struct rte_mbuf *m;

	(void)state;
	learn_peer();
	rx(len);
	EXPECT_DROP(IpInUnknownProtos);
	m = tx_take();
	assert_dest_unreach(m, 2, len - ETH_LEN);
	rte_pktmbuf_free(m);
}

/* RFC 1812 §4.3.2.8 (and RFC 1122 §3.2.2): ICMP errors are rate limited. */
static void
test_icmp_error_rate_limit(void **state)
{
	(void)state;
	worker_stop();
	net_icmp_cfg(&cfg)->error_burst = 3;
	net_icmp_cfg(&cfg)->error_rate = 1;
	worker_start();
	learn_peer();
	for (int i = 0; i < 10; i++)
		rx(udp_frame());
	assert_int_equal(nsent, 3);
	assert_int_equal(CNT(IcmpOutDestUnreachs), 3);
	assert_int_equal(CNT(IcmpOutRateLimited), 7);
	assert_drops("IpInUnknownProtos", 10);
	/* One second later one more token is there. */
	now += HZ;
	rx(udp_frame());
	assert_int_equal(nsent, 4);
}

/* Makes every free mbuf's buffer hold 0xaa, so stale headroom cannot pass for a header. */
static void
poison_free_mbufs(void)
{
	unsigned n = rte_mempool_avail_count(test_pool());
	struct rte_mbuf **all = calloc(n, sizeof(*all));

	assert_non_null(all);
	assert_int_equal(rte_pktmbuf_alloc_bulk(test_pool(), all, n), 0);
	for (unsigned i = 0; i < n; i++)
		memset(all[i]->buf_addr, 0xaa, all[i]->buf_len);
	rte_pktmbuf_free_bulk(all, n);
	free(all);
}

/* RFC 894: a frame released after ARP resolution is a complete IPv4-over-Ethernet frame. */
static void
test_arp_released_frame_has_ipv4_ethertype(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	poison_free_mbufs();
	rx(udp_frame()); /* error queued behind ARP */
	rte_pktmbuf_free(tx_take());                     /* the ARP request */
	rx(arp_frame(&our_mac, RTE_ARP_OP_REPLY, PEER_IP, &our_mac, OUR_IP));
	udp_frame(); /* f again holds the datagram the error quotes */
	assert_int_equal(nsent, 1);
	m = sent[0]; /* left captured: teardown frees it even if an assert fails */
	assert_int_equal(rte_be_to_cpu_16(eth_of(m)->ether_type), RTE_ETHER_TYPE_IPV4);
	assert_dest_unreach(m, 3, rte_be_to_cpu_16(f_ip()->total_length));
}

/* ---- TCP to a closed port (RFC 9293 §3.10.7.1) ------------------------------------ */

/* Receives the TCP frame in f, which must reach TCP, validate and be answered as closed. */
static void
tcp_closed(uint16_t len)
{
	learn_peer();
	rx(len);
	assert_int_equal(CNT(TcpInSegs), 1);
	EXPECT_DROP(TcpInClosedPort);
}

/* The RST in the TX queue: ports swapped, checksums valid; returns its TCP header. */
static const struct rte_tcp_hdr *
rst_of(const struct rte_mbuf *m)
{
	const struct rte_tcp_hdr *th =
		rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, ETH_LEN + IP_LEN);

	assert_ipv4_out(m, &peer_mac, PEER_IP, IPPROTO_TCP);
	assert_int_equal(rte_pktmbuf_pkt_len(m), ETH_LEN + IP_LEN + TCP_LEN);
	assert_int_equal(th->src_port, RTE_BE16(80));
	assert_int_equal(th->dst_port, RTE_BE16(40000));
	assert_int_equal(th->data_off, TCP_LEN / 4 << 4);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip_of(m), th), 0);
	return th;
}

/* No ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, and a SYN counts one. */
static void
test_tcp_syn_closed_port(void **state)
{
	const struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	(void)state;
	tcp_closed(tcp_frame(RTE_TCP_SYN_FLAG, 0));
	m = tx_take();
	th = rst_of(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(th->sent_seq, 0);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), SEG_SEQ + 1);
	rte_pktmbuf_free(m);
	assert_int_equal(CNT(TcpOutRsts), 1);
}

/* SEG.LEN counts the data and the FIN (RFC 9293 §3.4). */
static void
test_tcp_data_fin_closed_port(void **state)
{
	const struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	(void)state;
	tcp_closed(tcp_frame(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG, 10));
	m = tx_take();
	th = rst_of(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(th->sent_seq, 0);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), SEG_SEQ + 11);
	rte_pktmbuf_free(m);
}

/* With ACK: <SEQ=SEG.ACK><CTL=RST>. */
static void
test_tcp_ack_closed_port(void **state)
{
	const struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	(void)state;
	tcp_closed(tcp_frame(RTE_TCP_ACK_FLAG, 5));
	m = tx_take();
	th = rst_of(m);
	assert_int_equal(th->tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), SEG_ACK);
	assert_int_equal(th->recv_ack, 0);
	rte_pktmbuf_free(m);
}

/* "An incoming segment containing a RST is discarded." */
static void
test_tcp_rst_gets_nothing(void **state)
{
	(void)state;
	tcp_closed(tcp_frame(RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0));
	assert_nothing_sent();
	assert_int_equal(CNT(TcpOutRsts), 0);
}

/* The TCP frame in f must reach TCP and fail validation under drop counter id. */
static void
tcp_invalid(uint16_t len, const char *name)
{
	rx(len);
	assert_int_equal(CNT(IpInDelivers), 1);
	assert_drops(name, 1);
	assert_int_equal(CNT(TcpInErrs), 1);
	assert_nothing_sent();
}

/* RFC 9293 §3.10.7.1 / RFC 1122 §4.2.2.7: a segment with a bad checksum is dropped. */
static void
test_tcp_bad_checksum(void **state)
{
	uint16_t len = tcp_frame(RTE_TCP_SYN_FLAG, 4);

	(void)state;
	f[len - 1] ^= 0x01;
	tcp_invalid(len, "TcpInCsumErrors");
}

static void
test_tcp_data_offset_below_5(void **state)
{
	uint16_t len = tcp_frame(RTE_TCP_SYN_FLAG, 4);

	(void)state;
	f_tcp()->data_off = 4 << 4;
	tcp_recksum();
	tcp_invalid(len, "TcpInBadHeader");
}

static void
test_tcp_data_offset_beyond_segment(void **state)
{
	uint16_t len = tcp_frame(RTE_TCP_SYN_FLAG, 4); /* 24 bytes of TCP */

	(void)state;
	f_tcp()->data_off = 7 << 4; /* 28 */
	tcp_recksum();
	tcp_invalid(len, "TcpInBadHeader");
}

static void
test_tcp_shorter_than_header(void **state)
{
	uint16_t len = tcp_frame(RTE_TCP_SYN_FLAG, 0) - 4;

	(void)state;
	f_ip()->total_length = rte_cpu_to_be_16(IP_LEN + TCP_LEN - 4);
	ip_recksum();
	tcp_invalid(len, "TcpInBadHeader");
}

/* ---- burst input (tcp_input_burst): lookups for the whole burst first ------------- */

static int
accept_any(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	static const struct tern_conn_ops none;

	(void)c;
	(void)listen_ctx;
	*ops = &none;
	*ctx = NULL;
	return 0;
}

/*
 * A SYN and its retransmission in one burst: both were looked up before
 * either was processed, and both missed. The first one adds the flow, so
 * the second must be looked up again and find the embryo (a SYN,ACK again,
 * RFC 9293 §3.10.7.4), not open a second connection on the same 4-tuple.
 */
static void
test_tcp_burst_relookup_after_flow_added(void **state)
{
	uint16_t len;

	(void)state;
	learn_peer();
	assert_int_equal(tern_listen(&sw->tcp, 80, accept_any, NULL), 0);
	len = tcp_frame(RTE_TCP_SYN_FLAG, 0);
	for (int i = 0; i < 2; i++)
		rxq[nrxq++] = test_mbuf_from(f, len);
	poll_worker(); /* one burst of two */
	assert_int_equal(CNT(TcpPassiveOpens), 1);
	assert_int_equal(CNT(TcpExtTcbExhausted), 0);
	assert_int_equal(sw->tcp.used, 1);
	assert_int_equal(nsent, 2); /* a SYN,ACK for each */
	for (int i = 0; i < 2; i++) {
		const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(
			sent[i], const struct rte_tcp_hdr *, ETH_LEN + IP_LEN);

		assert_int_equal(th->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		assert_int_equal(rte_be_to_cpu_32(th->recv_ack), SEG_SEQ + 1);
	}
}


/* ---- virtual addresses (net_add_address) and listeners on one address -------------- */

#define VIP IP(198, 18, 0, 10)

/* A frame in f to another of our addresses: the same frame, IP destination and checksums redone. */
static void
retarget(rte_be32_t dst, int tcp)
{
	f_ip()->dst_addr = dst;
	ip_recksum();
	if (tcp)
		tcp_recksum();
}

static void
test_vip_added_and_refused(void **state)
{
	(void)state;
	assert_int_equal(net_add_address(&sw->net, 0, VIP), 0);
	assert_int_equal(net_add_address(&sw->net, 0, VIP), 0); /* twice is fine */
	assert_true(net_is_local(&sw->net, 0, VIP));
	assert_true(net_is_local(&sw->net, 0, OUR_IP));
	assert_int_equal(net_add_address(&sw->net, 0, IP(198, 19, 0, 10)), -EINVAL); /* off prefix */
	assert_int_equal(net_add_address(&sw->net, 0, IP(198, 18, 0, 0)), -EINVAL); /* network */
	assert_int_equal(net_add_address(&sw->net, 0, IP(198, 18, 0, 255)), -EINVAL); /* broadcast */
	assert_false(net_is_local(&sw->net, 0, IP(198, 18, 0, 11)));
}

/* RFC 826: a request for a virtual address is answered, with that address as sender. */
static void
test_vip_arp_reply(void **state)
{
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m;

	(void)state;
	assert_int_equal(net_add_address(&sw->net, 0, VIP), 0);
	rx(arp_frame(&bcast_mac, RTE_ARP_OP_REQUEST, PEER_IP, &zero, VIP));
	m = tx_take();
	assert_int_equal(arp_of(m)->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_int_equal(arp_of(m)->arp_data.arp_sip, VIP);
	assert_memory_equal(&arp_of(m)->arp_data.arp_sha, &our_mac, RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_free(m);
	EXPECT_NO_DROP();
}

/* An echo to a virtual address is answered from it; a datagram from it is a martian. */
static void
test_vip_echo_and_martian(void **state)
{
	struct rte_mbuf *m;
	uint16_t len;

	(void)state;
	assert_int_equal(net_add_address(&sw->net, 0, VIP), 0);
	learn_peer();
	len = echo_frame(8);
	retarget(VIP, 0);
	rx(len);
	m = tx_take();
	assert_int_equal(ip_of(m)->src_addr, VIP);
	rte_pktmbuf_free(m);
	len = echo_frame(8);
	f_ip()->src_addr = VIP;
	ip_recksum();
	rx_dropped(len, "IpInMartianSrc");
}

static int accepted;

static int
accept_count(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	static const struct tern_conn_ops none;

	(void)c, (void)listen_ctx;
	accepted++;
	*ops = &none;
	*ctx = NULL;
	return 0;
}

/* A listener on VIP:80 answers SYNs to the VIP only, from the VIP; the port's own address gets RST. */
static void
test_listener_on_one_address(void **state)
{
	struct rte_mbuf *m;
	uint16_t len;

	(void)state;
	assert_int_equal(net_add_address(&sw->net, 0, VIP), 0);
	assert_int_equal(tern_listen_on(&sw->tcp, VIP, 80, accept_count, NULL), 0);
	assert_int_equal(tern_listen_on(&sw->tcp, VIP, 80, accept_count, NULL), -EADDRINUSE);
	learn_peer();
	len = tcp_frame(RTE_TCP_SYN_FLAG, 0);
	retarget(VIP, 1);
	rx(len);
	m = tx_take();
	assert_int_equal(ip_of(m)->src_addr, VIP);
	assert_int_equal(rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, ETH_LEN + IP_LEN)->tcp_flags,
			 RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	len = tcp_frame(RTE_TCP_SYN_FLAG, 0); /* to 198.18.0.1:80: no listener there */
	rx(len);
	m = tx_take();
	assert_int_equal(rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, ETH_LEN + IP_LEN)->tcp_flags,
			 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	EXPECT_DROP(TcpInClosedPort);
}

/* The flags of what tern answered a SYN to dport with. */
static uint8_t
answer_to_syn(uint16_t dport)
{
	uint16_t len = tcp_frame(RTE_TCP_SYN_FLAG, 0);
	struct rte_mbuf *m;
	uint8_t flags;

	f_tcp()->dst_port = rte_cpu_to_be_16(dport);
	tcp_recksum();
	rx(len);
	m = tx_take();
	flags = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, ETH_LEN + IP_LEN)->tcp_flags;
	rte_pktmbuf_free(m);
	return flags;
}

/* Listeners are found by their port's low byte: ports sharing it (80, 336, 592) stay apart. */
static void
test_listeners_sharing_a_port_byte(void **state)
{
	const uint8_t synack = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, rst = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;

	(void)state;
	learn_peer();
	assert_int_equal(tern_listen(&sw->tcp, 80, accept_count, NULL), 0);
	assert_int_equal(tern_listen(&sw->tcp, 336, accept_count, NULL), 0);
	assert_int_equal(answer_to_syn(336), synack);
	assert_int_equal(answer_to_syn(592), rst);
	assert_int_equal(tern_unlisten(&sw->tcp, 336), 0);
	poll_worker(); /* sends what the worker queued */
	rte_pktmbuf_free(tx_take()); /* its embryo went with it, reset */
	assert_int_equal(answer_to_syn(336), rst);
	assert_int_equal(answer_to_syn(80), synack);
	assert_int_equal(tern_listen(&sw->tcp, 592, accept_count, NULL), 0); /* 336's slot again */
	assert_int_equal(answer_to_syn(592), synack);
	assert_int_equal(answer_to_syn(336), rst);
}

/*
 * A SYN to port 0 is a closed port like any other. Port 0 used to mark a
 * free listener slot, so such a SYN found a "listener" with no accept
 * function and the handshake's completion crashed the worker.
 */
static void
test_tcp_syn_to_port_zero(void **state)
{
	struct rte_mbuf *m;
	uint16_t len;

	(void)state;
	learn_peer();
	assert_int_equal(tern_listen(&sw->tcp, 80, accept_count, NULL), 0);
	len = tcp_frame(RTE_TCP_SYN_FLAG, 0);
	f_tcp()->dst_port = 0;
	tcp_recksum();
	rx(len);
	m = tx_take();
	assert_int_equal(rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, ETH_LEN + IP_LEN)->tcp_flags,
			 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(m);
	assert_int_equal(sw->tcp.used, 0);
	EXPECT_DROP(TcpInClosedPort);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_eth_runt),
		T(test_eth_other_mac),
		T(test_eth_multicast),
		T(test_eth_ipv6),
		T(test_eth_vlan),
		T(test_eth_unknown_type),
		T(test_ip_truncated_header),
		T(test_ip_bad_version),
		T(test_ip_ihl_below_5),
		T(test_ip_total_length_beyond_frame),
		T(test_ip_total_length_below_header),
		T(test_ip_bad_checksum),
		T(test_ip_fragment_mf),
		T(test_ip_fragment_offset),
		T(test_ip_dst_not_ours),
		T(test_ip_martian_sources),
		T(test_icmp_echo_reply_after_arp),
		T(test_arp_request_for_us),
		T(test_arp_request_sender_learned),
		T(test_arp_request_for_other_ip),
		T(test_arp_malformed_hlen),
		T(test_icmp_bad_checksum),
		T(test_eth_padding_trimmed),
		T(test_ip_options_skipped),
		T(test_ip_low_ttl_accepted),
		T(test_udp_port_unreachable),
		T(test_unknown_proto_unreachable),
		T(test_icmp_error_rate_limit),
		T(test_arp_released_frame_has_ipv4_ethertype),
		T(test_tcp_syn_closed_port),
		T(test_tcp_data_fin_closed_port),
		T(test_tcp_ack_closed_port),
		T(test_tcp_rst_gets_nothing),
		T(test_tcp_bad_checksum),
		T(test_tcp_data_offset_below_5),
		T(test_tcp_data_offset_beyond_segment),
		T(test_tcp_shorter_than_header),
		T(test_tcp_burst_relookup_after_flow_added),
		T(test_vip_added_and_refused),
		T(test_vip_arp_reply),
		T(test_vip_echo_and_martian),
		T(test_listener_on_one_address),
		T(test_listeners_sharing_a_port_byte),
		T(test_tcp_syn_to_port_zero),
	};
#undef T

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
