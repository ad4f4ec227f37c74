/*
 * Unit tests for lib/net/cksum.c against known vectors and an independent
 * RFC 1071 implementation written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "core/port.h"
#include "net/cksum.h"
#include "test_eal.h"

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20

static unsigned pool_start;
static struct tern_port port;

/* The classic IPv4 header example; its checksum is 0xb861. */
static const uint8_t ip_vector[IP_LEN] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static int
setup(void **state)
{
	(void)state;
	memset(&port, 0, sizeof(port));
	pool_start = rte_mempool_in_use_count(test_pool());
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start);
	return 0;
}

/* ---- an independent RFC 1071 implementation ---------------------------------- */

/* Folded (not complemented) sum of the TCP pseudo-header (RFC 9293 §3.1). */
static uint16_t
pseudo_sum(const uint8_t *ip, uint16_t tcp_len)
{
	uint8_t ph[12];

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = ip[9];
	ph[10] = tcp_len >> 8;
	ph[11] = tcp_len & 0xff;
	return test_fold(test_sum16(ph, sizeof(ph), 0));
}

/* The checksum to store (host order) for a TCP segment whose checksum field is zero. */
static uint16_t
tcp_cksum_ref(const uint8_t *ip, const uint8_t *tcp, uint16_t tcp_len)
{
	return (uint16_t)~test_fold(test_sum16(tcp, tcp_len, pseudo_sum(ip, tcp_len)));
}

/* ---- frames ------------------------------------------------------------------- */

#define PAYLOAD_LEN 11 /* odd on purpose */
#define FRAME_LEN (ETH_LEN + IP_LEN + TCP_LEN + PAYLOAD_LEN)

/* Ethernet + IPv4 198.18.0.2 -> 198.18.0.1 + TCP 40000 -> 80 with payload; checksums left 0. */
static void
tcp_frame_bytes(uint8_t *f)
{
	static const uint8_t ip[IP_LEN] = {
		0x45, 0x00, 0x00, IP_LEN + TCP_LEN + PAYLOAD_LEN, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,
		0x00, 0x00, 198, 18, 0, 2, 198, 18, 0, 1,
	};
	static const uint8_t tcp[TCP_LEN] = {
		0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
		0x50, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	};

	memset(f, 0, ETH_LEN);
	f[12] = 0x08;
	memcpy(f + ETH_LEN, ip, IP_LEN);
	memcpy(f + ETH_LEN + IP_LEN, tcp, TCP_LEN);
	for (int i = 0; i < PAYLOAD_LEN; i++)
		f[ETH_LEN + IP_LEN + TCP_LEN + i] = (uint8_t)(0xf1 + 13 * i);
}

static void
fill_ip_cksum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~test_fold(test_sum16(ip, IP_LEN, 0));
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

/* A TCP frame with both checksums right, computed by this file. */
static struct rte_mbuf *
tcp_frame_ok(void)
{
	uint8_t f[FRAME_LEN];
	uint8_t *ip = f + ETH_LEN, *tcp = ip + IP_LEN;
	uint16_t c;
	struct rte_mbuf *m;

	tcp_frame_bytes(f);
	fill_ip_cksum(ip);
	c = tcp_cksum_ref(ip, tcp, TCP_LEN + PAYLOAD_LEN);
	tcp[16] = c >> 8;
	tcp[17] = c & 0xff;
	m = test_mbuf_from(f, FRAME_LEN);
	m->l2_len = ETH_LEN;
	m->l3_len = IP_LEN;
	return m;
}

static const struct rte_ipv4_hdr *
ip_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
}

static uint8_t *
bytes_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

/* ---- IPv4 header checksum (RFC 791 §3.1, RFC 1071) ------------------------------ */

static void
test_ip_vector_reference(void **state)
{
	uint8_t h[IP_LEN];

	(void)state;
	/* The reference implementation agrees with the published vector. */
	memcpy(h, ip_vector, IP_LEN);
	fill_ip_cksum(h);
	assert_int_equal(h[10] << 8 | h[11], 0xb861);
}

static void
test_ip_software_good(void **state)
{
	struct rte_mbuf *m = test_mbuf_from(ip_vector, IP_LEN);

	(void)state;
	port.rx_ip_cksum = 0;
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 1);
	rte_pktmbuf_free(m);
}

static void
test_ip_software_corrupt_byte_fails(void **state)
{
	struct rte_mbuf *m = test_mbuf_from(ip_vector, IP_LEN);

	(void)state;
	bytes_of(m)[8] ^= 0x01; /* TTL */
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 0);
	rte_pktmbuf_free(m);
}

/* Without RX offload in use the flags are not trusted, whatever they say. */
static void
test_ip_software_ignores_flags(void **state)
{
	struct rte_mbuf *m = test_mbuf_from(ip_vector, IP_LEN);

	(void)state;
	bytes_of(m)[15] ^= 0x80;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 0);
	rte_pktmbuf_free(m);
}

static void
test_ip_offload_good_trusted(void **state)
{
	struct rte_mbuf *m = test_mbuf_from(ip_vector, IP_LEN);

	(void)state;
	port.rx_ip_cksum = 1;
	bytes_of(m)[15] ^= 0x80; /* the NIC's verdict wins */
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 1);
	rte_pktmbuf_free(m);
}

static void
test_ip_offload_bad_trusted(void **state)
{
	struct rte_mbuf *m = test_mbuf_from(ip_vector, IP_LEN);

	(void)state;
	port.rx_ip_cksum = 1;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 0);
	rte_pktmbuf_free(m);
}

static void
test_ip_offload_unknown_falls_back(void **state)
{
	struct rte_mbuf *m = test_mbuf_from(ip_vector, IP_LEN);

	(void)state;
	port.rx_ip_cksum = 1;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 1);
	bytes_of(m)[3] ^= 0x04;
	assert_int_equal(net_ipv4_cksum_ok(&port, m, rte_pktmbuf_mtod(m, void *)), 0);
	rte_pktmbuf_free(m);
}

/* ---- TCP checksum (RFC 9293 §3.1, pseudo-header) -------------------------------- */

static void
test_tcp_software_good(void **state)
{
	struct rte_mbuf *m = tcp_frame_ok();

	(void)state;
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 1);
	rte_pktmbuf_free(m);
}

static void
test_tcp_software_corrupt_payload_fails(void **state)
{
	struct rte_mbuf *m = tcp_frame_ok();

	(void)state;
	bytes_of(m)[FRAME_LEN - 1] ^= 0x10; /* the odd last byte */
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 0);
	rte_pktmbuf_free(m);
}

static void
test_tcp_software_corrupt_pseudo_header_fails(void **state)
{
	struct rte_mbuf *m = tcp_frame_ok();

	(void)state;
	bytes_of(m)[ETH_LEN + 15] ^= 0x01; /* source address: covered by the pseudo-header */
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 0);
	rte_pktmbuf_free(m);
}

static void
test_tcp_offload_flags(void **state)
{
	struct rte_mbuf *m = tcp_frame_ok();

	(void)state;
	port.rx_l4_cksum = 1;
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 0);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 1);
	bytes_of(m)[FRAME_LEN - 2] ^= 0x20;
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 0);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	assert_int_equal(net_tcp_cksum_ok(&port, m, ip_of(m)), 1);
	rte_pktmbuf_free(m);
}

/* ---- ICMP checksum (RFC 792: over the ICMP message, RFC 1071) -------------------- */

/* An echo request of 8 + datalen bytes, checksum field zero. */
static void
echo_bytes(uint8_t *b, unsigned datalen)
{
	b[0] = 8;
	b[1] = 0;
	b[2] = b[3] = 0;
	b[4] = 0x12; /* identifier */
	b[5] = 0x34;
	b[6] = 0x00; /* sequence */
	b[7] = 0x07;
	for (unsigned i = 0; i < datalen; i++)
		b[8 + i] = (uint8_t)(0x61 + i * 5);
}

static uint16_t
icmp_ref(const uint8_t *b, unsigned len)
{
	return (uint16_t)~test_fold(test_sum16(b, len, 0));
}

/* net_icmp_cksum returns the value in memory order, ready to store in the field. */
static uint16_t
as_host(uint16_t stored)
{
	return rte_be_to_cpu_16(stored);
}

static void
test_icmp_echo_even(void **state)
{
	uint8_t b[8 + 56];
	struct rte_mbuf *m;

	(void)state;
	echo_bytes(b, 56);
	m = test_mbuf_from(b, sizeof(b));
	assert_int_equal(as_host(net_icmp_cksum(m, 0, sizeof(b))), icmp_ref(b, sizeof(b)));
	rte_pktmbuf_free(m);
}

static void
test_icmp_echo_odd_length(void **state)
{
	uint8_t b[8 + 13];
	struct rte_mbuf *m;

	(void)state;
	echo_bytes(b, 13);
	m = test_mbuf_from(b, sizeof(b));
	assert_int_equal(as_host(net_icmp_cksum(m, 0, sizeof(b))), icmp_ref(b, sizeof(b)));
	rte_pktmbuf_free(m);
}

/* A message with its checksum filled in verifies to 0. */
static void
test_icmp_verify_is_zero(void **state)
{
	uint8_t b[8 + 13];
	uint16_t c;
	struct rte_mbuf *m;

	(void)state;
	echo_bytes(b, 13);
	c = icmp_ref(b, sizeof(b));
	b[2] = c >> 8;
	b[3] = c & 0xff;
	m = test_mbuf_from(b, sizeof(b));
	assert_int_equal(net_icmp_cksum(m, 0, sizeof(b)), 0);
	bytes_of(m)[10] ^= 0x01;
	assert_int_not_equal(net_icmp_cksum(m, 0, sizeof(b)), 0);
	rte_pktmbuf_free(m);
}

/* The ICMP message after an Ethernet header, split over two segments at frame byte `split`. */
static void
check_chained(unsigned split)
{
	uint8_t f[ETH_LEN + 8 + 41];
	const unsigned len = sizeof(f) - ETH_LEN;
	struct rte_mbuf *m, *tail;
	uint16_t got;

	memset(f, 0xee, ETH_LEN);
	echo_bytes(f + ETH_LEN, 41);
	m = test_mbuf_from(f, split);
	tail = test_mbuf_from(f + split, sizeof(f) - split);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	assert_int_equal(m->nb_segs, 2);
	got = as_host(net_icmp_cksum(m, ETH_LEN, len));
	rte_pktmbuf_free(m); /* before asserting, so a failure leaks nothing */
	assert_int_equal(got, icmp_ref(f + ETH_LEN, len));
}

/* The message starts after an Ethernet header; the first segment holds 16 of its bytes. */
static void
test_icmp_chained_mbuf_even_split(void **state)
{
	(void)state;
	check_chained(ETH_LEN + 16);
}

/*
 * RFC 1071 §2(B): the sum is byte-order independent, so a segment starting at an
 * odd offset is summed byte-swapped, carries included. (Fails with DPDK 22.11's
 * rte_raw_cksum_mbuf, which truncates the segment sum to 16 bits before the swap.)
 */
static void
test_icmp_chained_mbuf_odd_split(void **state)
{
	(void)state;
	check_chained(ETH_LEN + 17);
}

/* ---- transmit: offload or software (RFC 1122 §3.2.1.2 / RFC 9293 §3.1) ----------- */

/* The TCP frame with both checksum fields set to garbage, l2/l3 lengths set. */
static struct rte_mbuf *
tcp_frame_unsummed(void)
{
	uint8_t f[FRAME_LEN];
	struct rte_mbuf *m;

	tcp_frame_bytes(f);
	f[ETH_LEN + 10] = f[ETH_LEN + 11] = 0xa5;
	f[ETH_LEN + IP_LEN + 16] = f[ETH_LEN + IP_LEN + 17] = 0x5a;
	m = test_mbuf_from(f, FRAME_LEN);
	m->l2_len = ETH_LEN;
	m->l3_len = IP_LEN;
	return m;
}

static void
assert_frame_sums_ok(struct rte_mbuf *m)
{
	uint8_t *ip = bytes_of(m) + ETH_LEN, *tcp = ip + IP_LEN;

	assert_int_equal(test_fold(test_sum16(ip, IP_LEN, 0)), 0xffff);
	assert_int_equal(test_fold(test_sum16(tcp, TCP_LEN + PAYLOAD_LEN,
				    pseudo_sum(ip, TCP_LEN + PAYLOAD_LEN))), 0xffff);
}

static void
test_tx_software(void **state)
{
	struct rte_mbuf *m = tcp_frame_unsummed();

	(void)state;
	net_tx_cksum(&port, m, IPPROTO_TCP);
	assert_frame_sums_ok(m);
	assert_true(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_false(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	rte_pktmbuf_free(m);
}

/* For other protocols only the IP header is summed; the L4 bytes are left alone. */
static void
test_tx_software_non_tcp(void **state)
{
	struct rte_mbuf *m = tcp_frame_unsummed();
	uint8_t *ip = bytes_of(m) + ETH_LEN;

	(void)state;
	ip[9] = IPPROTO_ICMP;
	net_tx_cksum(&port, m, IPPROTO_ICMP);
	assert_int_equal(test_fold(test_sum16(ip, IP_LEN, 0)), 0xffff);
	assert_int_equal(ip[IP_LEN + 16], 0x5a);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	rte_pktmbuf_free(m);
}

static void
test_tx_offload_flags_and_pseudo_header(void **state)
{
	struct rte_mbuf *m = tcp_frame_unsummed();
	uint8_t *ip = bytes_of(m) + ETH_LEN, *tcp = ip + IP_LEN;

	(void)state;
	port.tx_ip_cksum = port.tx_tcp_cksum = 1;
	net_tx_cksum(&port, m, IPPROTO_TCP);
	assert_true(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_true(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_CKSUM);
	assert_int_equal(ip[10] << 8 | ip[11], 0);
	/* The NIC adds the segment to the (uncomplemented) pseudo-header sum. */
	assert_int_equal(tcp[16] << 8 | tcp[17], pseudo_sum(ip, TCP_LEN + PAYLOAD_LEN));
	rte_pktmbuf_free(m);
}

/* The pseudo-header sum against DPDK's: carrying edge cases, then many random headers. */
static void
assert_phdr_sum(struct rte_mbuf *m, uint32_t src, uint32_t dst, uint16_t l4_len)
{
	struct rte_ipv4_hdr *ip = (void *)(bytes_of(m) + ETH_LEN);
	struct rte_tcp_hdr *tcp = (void *)(bytes_of(m) + ETH_LEN + IP_LEN);

	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->total_length = rte_cpu_to_be_16(IP_LEN + l4_len);
	m->ol_flags = 0;
	net_tx_cksum(&port, m, IPPROTO_TCP);
	assert_int_equal(tcp->cksum, rte_ipv4_phdr_cksum(ip, 0));
}

static void
test_tx_pseudo_header_carries(void **state)
{
	static const uint32_t addrs[] = { 0, 1, 0xffff, 0x10000, 0xfffeffff, 0xfffffffe, 0xffffffff,
					  0xc6120001, 0x8000ffff };
	static const uint16_t l4[] = { 20, 21, 1480, 0xff00, 0xffff - IP_LEN };
	struct rte_mbuf *m = tcp_frame_unsummed();

	(void)state;
	port.tx_ip_cksum = port.tx_tcp_cksum = 1;
	for (unsigned a = 0; a < RTE_DIM(addrs); a++)
		for (unsigned b = 0; b < RTE_DIM(addrs); b++)
			for (unsigned l = 0; l < RTE_DIM(l4); l++)
				assert_phdr_sum(m, addrs[a], addrs[b], l4[l]);
	rte_srand(7);
	for (unsigned i = 0; i < 1000000; i++) {
		uint64_t r = rte_rand();

		assert_phdr_sum(m, (uint32_t)r, (uint32_t)(r >> 32),
				(uint16_t)(rte_rand_max(0xffff - IP_LEN - 19) + 20));
	}
	rte_pktmbuf_free(m);
}

static void
test_finalize_computes_offloaded_sums(void **state)
{
	struct rte_mbuf *m = tcp_frame_unsummed(), *ref = tcp_frame_unsummed();

	(void)state;
	net_tx_cksum(&port, ref, IPPROTO_TCP); /* software */
	port.tx_ip_cksum = port.tx_tcp_cksum = 1;
	net_tx_cksum(&port, m, IPPROTO_TCP);
	net_cksum_finalize(m);
	assert_frame_sums_ok(m);
	assert_memory_equal(bytes_of(m), bytes_of(ref), FRAME_LEN);
	assert_false(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(ref);
}

static void
test_finalize_leaves_non_ipv4_alone(void **state)
{
	struct rte_mbuf *m = tcp_frame_unsummed();
	uint8_t before[FRAME_LEN];

	(void)state;
	memcpy(before, bytes_of(m), FRAME_LEN);
	net_cksum_finalize(m);
	assert_memory_equal(bytes_of(m), before, FRAME_LEN);
	rte_pktmbuf_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ip_vector_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_software_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_software_corrupt_byte_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_software_ignores_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_offload_good_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_offload_bad_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_offload_unknown_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_software_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_software_corrupt_payload_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_software_corrupt_pseudo_header_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_offload_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_even, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_odd_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_verify_is_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_chained_mbuf_even_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_chained_mbuf_odd_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_software, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_software_non_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_offload_flags_and_pseudo_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_pseudo_header_carries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finalize_computes_offloaded_sums, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finalize_leaves_non_ipv4_alone, setup, teardown),
	};

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
