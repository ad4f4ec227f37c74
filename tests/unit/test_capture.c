/*
 * Unit tests for lib/core/capture.c, the worker's side of ternctl capture:
 * the filter (tcpdump's "host H and port P": source or destination, ARP
 * for a host, TCP and UDP ports, never a later fragment's "ports"), the
 * TSC to wall-clock conversion, and tern_capture_burst on a worker struct
 * built here: copies in pcapng form on the ring with this capture's
 * timestamp, a full ring or an empty pool counted as drops and the frame
 * never held, offloaded checksums filled in the copy (not in a truncated
 * one), and the port filter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "core/capture.h"
#include "core/worker.h"
#include "net/cksum.h"
#include "test_eal.h"

#define HZ 2000000000ull               /* a 2 GHz TSC */
/* RTE_IPV4 shifts an int: undefined for 198 << 24. */
#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define A IPV4(198, 18, 0, 1)
#define B IPV4(198, 18, 0, 2)
#define C IPV4(198, 18, 0, 3)

/*
 * A frame in a byte array, its headers written with memcpy: stores through
 * a struct pointer into a uint8_t array are not seen by an optimiser that
 * follows C's aliasing rules (the release build returned frames without them).
 */
struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void
put(struct frame *f, size_t off, const void *v, size_t n)
{
	memcpy(f->b + off, v, n);
}

static void
put16(struct frame *f, size_t off, rte_be16_t v)
{
	put(f, off, &v, sizeof(v));
}

/* Ethernet + IPv4 (ihl words) + 8 bytes of L4 (ports first) + pad bytes of payload. */
static struct frame
ipv4(uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, unsigned ihl,
     unsigned pad)
{
	struct frame f = { .len = (uint32_t)(14 + ihl * 4 + 20 + pad) };
	struct rte_ipv4_hdr ip = {
		.version_ihl = (uint8_t)(0x40 | ihl),
		.total_length = rte_cpu_to_be_16((uint16_t)(f.len - 14)),
		.time_to_live = 64, .next_proto_id = proto,
		.src_addr = rte_cpu_to_be_32(src), .dst_addr = rte_cpu_to_be_32(dst),
	};
	size_t l4 = 14 + ihl * 4;

	put16(&f, 12, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	put(&f, 14, &ip, sizeof(ip));
	put16(&f, l4, rte_cpu_to_be_16(sport));
	put16(&f, l4 + 2, rte_cpu_to_be_16(dport));
	if (proto == IPPROTO_TCP)
		f.b[l4 + offsetof(struct rte_tcp_hdr, data_off)] = 5 << 4;
	return f;
}

static struct frame
tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	return ipv4(IPPROTO_TCP, src, dst, sport, dport, 5, 0);
}

static struct frame
arp(uint32_t sip, uint32_t tip)
{
	struct frame f = { .len = 14 + sizeof(struct rte_arp_hdr) };
	struct rte_arp_hdr a = { .arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST) };

	a.arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a.arp_data.arp_tip = rte_cpu_to_be_32(tip);
	put16(&f, 12, RTE_BE16(RTE_ETHER_TYPE_ARP));
	put(&f, 14, &a, sizeof(a));
	return f;
}

static struct tern_capture_filter
filter(uint32_t host, uint16_t port)
{
	return (struct tern_capture_filter){ .port = TERN_CAPTURE_ANY_PORT, .has_host = host != 0,
		.host = rte_cpu_to_be_32(host), .has_l4port = port != 0,
		.l4port = rte_cpu_to_be_16(port) };
}

static int
match(struct tern_capture_filter f, struct frame fr)
{
	return tern_capture_match(&f, fr.b, fr.len);
}

static void
test_match_host(void **state)
{
	(void)state;
	assert_true(match(filter(B, 0), tcp(A, B, 80, 4000)));
	assert_true(match(filter(B, 0), tcp(B, A, 4000, 80)));
	assert_false(match(filter(C, 0), tcp(A, B, 80, 4000)));
	/* tcpdump's host matches ARP's sender and target too */
	assert_true(match(filter(B, 0), arp(B, A)));
	assert_true(match(filter(B, 0), arp(A, B)));
	assert_false(match(filter(C, 0), arp(A, B)));
	assert_true(match(filter(B, 0), ipv4(IPPROTO_ICMP, A, B, 0, 0, 5, 0)));
}

static void
test_match_port(void **state)
{
	(void)state;
	assert_true(match(filter(0, 80), tcp(A, B, 80, 4000)));
	assert_true(match(filter(0, 80), tcp(B, A, 4000, 80)));
	assert_false(match(filter(0, 81), tcp(A, B, 80, 4000)));
	assert_true(match(filter(0, 53), ipv4(IPPROTO_UDP, A, B, 5000, 53, 5, 0)));
	/* ICMP and ARP have no ports */
	assert_false(match(filter(0, 80), ipv4(IPPROTO_ICMP, A, B, 80, 80, 5, 0)));
	assert_false(match(filter(B, 80), arp(A, B)));
	/* IP options: the ports are after them */
	assert_true(match(filter(0, 80), ipv4(IPPROTO_TCP, A, B, 4000, 80, 7, 0)));
	/* host and port together */
	assert_true(match(filter(B, 80), tcp(A, B, 4000, 80)));
	assert_false(match(filter(C, 80), tcp(A, B, 4000, 80)));
	assert_false(match(filter(B, 81), tcp(A, B, 4000, 80)));
}

static void
test_match_odd_frames(void **state)
{
	struct frame f = tcp(A, B, 4000, 80), frag = f, v6 = f;

	(void)state;
	/* a later fragment carries data, not ports; the first one has them */
	put16(&frag, 14 + offsetof(struct rte_ipv4_hdr, fragment_offset), RTE_BE16(185));
	assert_false(match(filter(0, 80), frag));
	put16(&frag, 14 + offsetof(struct rte_ipv4_hdr, fragment_offset),
	      RTE_BE16(RTE_IPV4_HDR_MF_FLAG));
	assert_true(match(filter(0, 80), frag));
	put16(&v6, 12, RTE_BE16(RTE_ETHER_TYPE_IPV6));
	assert_false(match(filter(B, 0), v6));
	/* short frames: never read past len */
	f.len = 14 + 20 + 2;
	assert_false(match(filter(0, 80), f));
	f.len = 20;
	assert_false(match(filter(B, 0), f));
	f.len = 10;
	assert_false(match(filter(B, 0), f));
	/* no filter: everything, garbage included */
	assert_true(match(filter(0, 0), f));
}

static void
test_ns(void **state)
{
	struct tern_capture c = { .epoch_tsc = 1000 * HZ, .epoch_ns = 1700000000ull * 1000000000ull,
				  .tsc_hz = HZ };

	(void)state;
	assert_int_equal(tern_capture_ns(&c, c.epoch_tsc), c.epoch_ns);
	assert_int_equal(tern_capture_ns(&c, c.epoch_tsc + HZ * 3 / 2), c.epoch_ns + 1500000000ull);
	assert_int_equal(tern_capture_ns(&c, c.epoch_tsc - HZ / 4), c.epoch_ns - 250000000ull);
	assert_int_equal(tern_capture_ns(&c, c.epoch_tsc + 1), c.epoch_ns); /* 0.5 ns, rounded down */
	/* a day later: no overflow (tsc * 1e9 would wrap after 9 s) */
	assert_int_equal(tern_capture_ns(&c, c.epoch_tsc + 86400 * HZ + 7 * HZ / 1000),
			 c.epoch_ns + 86400000000000ull + 7000000ull);
}

/* ---- tern_capture_burst on a worker struct built here ------------------------------ */

struct bench {
	struct tern_worker w;
	struct tern_port ports[2];
	struct tern_capture c;
	struct rte_mempool *pool;
	unsigned pool_start;
};

static struct bench *b;

static int
setup(void **state)
{
	static unsigned serial;
	char name[32];

	(void)state;
	b = rte_zmalloc(NULL, sizeof(*b), RTE_CACHE_LINE_SIZE);
	assert_non_null(b);
	snprintf(name, sizeof(name), "cap_pool_%u", serial);
	b->pool = rte_pktmbuf_pool_create(name, 8, 0, 0, (uint16_t)rte_pcapng_mbuf_size(1518),
					  SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "cap_ring_%u", serial++);
	b->c.ring = rte_ring_create(name, 4, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	assert_non_null(b->pool);
	assert_non_null(b->c.ring);
	b->ports[0].port_id = 3;
	b->ports[1].port_id = 5;
	b->w.ports = b->ports;
	b->w.nports = 2;
	b->w.index = 1;
	b->w.now = 5000 * HZ;
	b->w.finalize = net_cksum_finalize;
	b->c.filter = filter(0, 0);
	b->c.pool = b->pool;
	b->c.snaplen = 1518;
	b->c.epoch_tsc = 4000 * HZ;
	b->c.epoch_ns = 1700000000ull * 1000000000ull;
	b->c.tsc_hz = HZ;
	b->pool_start = rte_mempool_in_use_count(test_pool());
	return 0;
}

static int
teardown(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	while (rte_ring_sc_dequeue(b->c.ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_in_use_count(b->pool), 0);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), b->pool_start);
	rte_ring_free(b->c.ring);
	rte_mempool_free(b->pool);
	rte_free(b);
	return 0;
}

/* The copy's Enhanced Packet Block: type, length, interface, ts hi/lo, caplen, len. */
static const uint32_t *
epb(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const uint32_t *);
}

static struct rte_mbuf *
take(void)
{
	struct rte_mbuf *m = NULL;

	assert_int_equal(rte_ring_sc_dequeue(b->c.ring, (void **)&m), 0);
	return m;
}

static void
test_burst_copies(void **state)
{
	struct frame f = tcp(A, B, 80, 4000);
	struct rte_mbuf *pkts[6], *m;
	uint64_t ns = b->c.epoch_ns + 1000000000000ull; /* now is 1000 s after the epoch */

	(void)state;
	for (unsigned i = 0; i < 6; i++)
		pkts[i] = test_mbuf_from(f.b, (uint16_t)f.len);
	tern_capture_burst(&b->w, &b->c, 1, pkts, 6, RTE_PCAPNG_DIRECTION_IN);
	/* the ring holds 4: two copies lost, the frames untouched and still ours */
	assert_int_equal(b->c.packets[1], 4);
	assert_int_equal(b->c.drops[1], 2);
	assert_int_equal(b->w.cnt.CapturePackets, 4);
	assert_int_equal(b->w.cnt.CaptureDrops, 2);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rte_mbuf_refcnt_read(pkts[i]), 1);
	rte_pktmbuf_free_bulk(pkts, 6);
	m = take();
	assert_int_equal(epb(m)[0], 6);                      /* Enhanced Packet Block */
	assert_int_equal(epb(m)[1], rte_pktmbuf_data_len(m));
	assert_int_equal(((uint64_t)epb(m)[3] << 32) | epb(m)[4], ns);
	assert_int_equal(epb(m)[5], f.len);
	assert_int_equal(epb(m)[6], f.len);
	assert_int_equal(m->port, 5);                        /* the ethdev port, for the writer */
	assert_memory_equal(rte_pktmbuf_mtod_offset(m, void *, 28), f.b, f.len);
	rte_pktmbuf_free(m);
}

static void
test_burst_pool_empty(void **state)
{
	struct frame f = tcp(A, B, 80, 4000);
	struct rte_mbuf *hold[8], *m = test_mbuf_from(f.b, (uint16_t)f.len);

	(void)state;
	assert_int_equal(rte_pktmbuf_alloc_bulk(b->pool, hold, 8), 0);
	tern_capture_burst(&b->w, &b->c, 0, &m, 1, RTE_PCAPNG_DIRECTION_IN);
	assert_int_equal(b->c.drops[0], 1);
	assert_int_equal(b->w.cnt.CaptureDrops, 1);
	assert_int_equal(rte_ring_count(b->c.ring), 0);
	rte_pktmbuf_free_bulk(hold, 8);
	rte_pktmbuf_free(m);
}

static void
test_burst_filters(void **state)
{
	struct frame f = tcp(A, B, 80, 4000), g = tcp(A, C, 80, 4000);
	struct rte_mbuf *pkts[2] = { test_mbuf_from(f.b, (uint16_t)f.len),
				     test_mbuf_from(g.b, (uint16_t)g.len) };

	(void)state;
	b->c.filter = filter(B, 80);
	b->c.filter.port = 1;
	tern_capture_burst(&b->w, &b->c, 0, pkts, 2, RTE_PCAPNG_DIRECTION_IN);
	assert_int_equal(rte_ring_count(b->c.ring), 0);      /* port 0 is not captured */
	tern_capture_burst(&b->w, &b->c, 1, pkts, 2, RTE_PCAPNG_DIRECTION_IN);
	assert_int_equal(rte_ring_count(b->c.ring), 1);      /* only the frame to B */
	assert_int_equal(b->c.packets[1], 1);
	rte_pktmbuf_free_bulk(pkts, 2);
}

/* An outgoing frame with its checksums left to the port, as net_tx_cksum leaves it. */
static struct rte_mbuf *
offloaded(void)
{
	struct frame f = ipv4(IPPROTO_TCP, A, B, 80, 4000, 5, 100);
	struct rte_mbuf *m = test_mbuf_from(f.b, (uint16_t)f.len);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	m->l2_len = 14;
	m->l3_len = 20;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	return m;
}

static void
test_burst_tx_checksums(void **state)
{
	struct rte_mbuf *m = offloaded(), *c;
	struct rte_ipv4_hdr *ip;
	uint16_t pseudo;

	(void)state;
	pseudo = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 34)->cksum;
	tern_capture_burst(&b->w, &b->c, 0, &m, 1, RTE_PCAPNG_DIRECTION_OUT);
	/* the frame keeps its flags and its pseudo-header sum: the port fills them */
	assert_true(m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM);
	assert_int_equal(rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 34)->cksum, pseudo);
	c = take();
	assert_int_equal(epb(c)[1], rte_pktmbuf_data_len(c)); /* the block is whole again */
	ip = rte_pktmbuf_mtod_offset(c, struct rte_ipv4_hdr *, 28 + 14);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	rte_pktmbuf_free(c);
	/* a truncated copy cannot be summed: it shows what tern handed over */
	b->c.snaplen = 60;
	tern_capture_burst(&b->w, &b->c, 0, &m, 1, RTE_PCAPNG_DIRECTION_OUT);
	c = take();
	assert_int_equal(epb(c)[5], 60);
	assert_int_equal(epb(c)[6], rte_pktmbuf_pkt_len(m));
	assert_int_equal(rte_pktmbuf_mtod_offset(c, struct rte_tcp_hdr *, 28 + 34)->cksum, pseudo);
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_host),
		cmocka_unit_test(test_match_port),
		cmocka_unit_test(test_match_odd_frames),
		cmocka_unit_test(test_ns),
		cmocka_unit_test_setup_teardown(test_burst_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_pool_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_tx_checksums, setup, teardown),
	};

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
