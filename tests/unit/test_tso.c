/* net_tso_segment: a TSO frame cut as a NIC cuts it (lib/net/tso.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "net/cksum.h"
#include "net/net.h"
#include "test_eal.h"

#define HDR_LEN (14 + 20 + 32) /* Ethernet, IPv4, TCP with NOP NOP TS */
#define SEG 1448u
#define SEQ0 0xfffff000u       /* the frame's sequence numbers wrap */
#define ID0 0xfffe

static const uint16_t piece_len[] = { 1000, 2000, 1500, 7 };

static uint8_t
byte_at(uint32_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* Headers in one mbuf, the payload in the pieces above: what tcp_send_segment builds. */
static struct rte_mbuf *
tso_frame(uint8_t flags, uint32_t *payload)
{
	uint8_t h[HDR_LEN] = { 0 };
	struct rte_ipv4_hdr *ip = (void *)(h + 14);
	struct rte_tcp_hdr *th = (void *)(h + 34);
	struct rte_mbuf *m;
	uint32_t at = 0;

	h[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->packet_id = rte_cpu_to_be_16(ID0);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = RTE_BE32(0xc6120001);
	ip->dst_addr = RTE_BE32(0xc6120102);
	th->src_port = RTE_BE16(80);
	th->dst_port = RTE_BE16(40000);
	th->sent_seq = rte_cpu_to_be_32(SEQ0);
	th->data_off = 8 << 4;
	th->tcp_flags = flags;
	memcpy(th + 1, "\x01\x01\x08\x0a", 4);
	m = test_mbuf_from(h, HDR_LEN);
	for (unsigned i = 0; i < RTE_DIM(piece_len); i++) {
		uint8_t buf[2048];
		struct rte_mbuf *p;

		for (unsigned k = 0; k < piece_len[i]; k++)
			buf[k] = byte_at(at + k);
		at += piece_len[i];
		p = test_mbuf_from(buf, piece_len[i]);
		assert_int_equal(rte_pktmbuf_chain(m, p), 0);
	}
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 32 + at));
	m->l2_len = 14;
	m->l3_len = 20;
	m->l4_len = 32;
	m->tso_segsz = SEG;
	m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	*payload = at;
	return m;
}

static uint16_t
fold_sum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	return test_fold(test_sum16(p, len, sum));
}

/* One cut segment: headers fixed, sums right once finalized, its share of the bytes. */
static void
check_segment(struct rte_mbuf *s, unsigned i, unsigned n, uint32_t payload)
{
	uint32_t len = RTE_MIN(SEG, payload - i * SEG), total = HDR_LEN + len;
	uint8_t f[HDR_LEN + SEG];
	const uint8_t *p;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	uint32_t pseudo;

	assert_int_equal(rte_pktmbuf_pkt_len(s), total);
	net_cksum_finalize(s);
	p = rte_pktmbuf_read(s, 0, total, f);
	ip = (const void *)(p + 14);
	th = (const void *)(p + 34);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 32 + len);
	assert_int_equal(rte_be_to_cpu_16(ip->packet_id), (uint16_t)(ID0 + i));
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), (uint32_t)(SEQ0 + i * SEG));
	assert_int_equal(!!(th->tcp_flags & RTE_TCP_CWR_FLAG), i == 0);
	assert_int_equal(!!(th->tcp_flags & RTE_TCP_PSH_FLAG), i + 1 == n);
	assert_int_equal(!!(th->tcp_flags & RTE_TCP_FIN_FLAG), i + 1 == n);
	assert_true(th->tcp_flags & RTE_TCP_ACK_FLAG);
	assert_int_equal(memcmp(th + 1, "\x01\x01\x08\x0a", 4), 0);
	assert_int_equal(fold_sum(p + 14, 20, 0), 0xffff);
	pseudo = fold_sum(p + 26, 8, 0) + IPPROTO_TCP + 32 + len;
	assert_int_equal(fold_sum(p + 34, 32 + len, pseudo), 0xffff);
	for (uint32_t k = 0; k < len; k++)
		assert_int_equal(p[HDR_LEN + k], byte_at(i * SEG + k));
}

static void
test_cut_as_a_nic(void **state)
{
	unsigned in_use = rte_mempool_in_use_count(test_pool());
	uint8_t flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG | RTE_TCP_CWR_FLAG;
	uint32_t payload;
	struct rte_mbuf *m = tso_frame(flags, &payload), *out[8];
	int n = net_tso_segment(m, test_pool(), out, RTE_DIM(out));

	(void)state;
	assert_int_equal(n, (payload + SEG - 1) / SEG); /* 4 507 bytes: three full, one of 163 */
	for (int i = 0; i < n; i++)
		check_segment(out[i], (unsigned)i, (unsigned)n, payload);
	rte_pktmbuf_free_bulk(out, (unsigned)n);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), in_use); /* the payload went too */
}

/* Too many segments for the caller's array, or not a TSO frame: -1 and the frame untouched. */
static void
test_refused_frames_stay(void **state)
{
	unsigned in_use = rte_mempool_in_use_count(test_pool());
	uint32_t payload;
	struct rte_mbuf *m = tso_frame(RTE_TCP_ACK_FLAG, &payload), *out[8];

	(void)state;
	assert_int_equal(net_tso_segment(m, test_pool(), out, 3), -1);
	m->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
	assert_int_equal(net_tso_segment(m, test_pool(), out, RTE_DIM(out)), -1);
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = 0;
	assert_int_equal(net_tso_segment(m, test_pool(), out, RTE_DIM(out)), -1);
	m->tso_segsz = SEG;
	m->l4_len = 200; /* headers longer than the header mbuf */
	assert_int_equal(net_tso_segment(m, test_pool(), out, RTE_DIM(out)), -1);
	m->l4_len = 32;
	assert_int_equal(rte_pktmbuf_pkt_len(m), HDR_LEN + payload);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), in_use);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_as_a_nic),
		cmocka_unit_test(test_refused_frames_stay),
	};

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
