/* Unit tests for the impairment stage (lib/core/impair.c) on a 1 GHz fake TSC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "core/clock.h"
#include "core/counters.h"
#include "core/impair.h"
#include "test_eal.h"

#define FRAME_LEN 64
#define ID_OFF 16      /* where a frame's id lives, after the Ethernet header */
#define T0 1000000ULL  /* arbitrary start time, in ticks (= ns at 1 GHz) */
#define US 1000ULL     /* ticks per microsecond at 1 GHz */
#define MS (1000 * US)

static struct core_counters cnt;
static unsigned pool_start;

static int
setup(void **state)
{
	(void)state;
	test_pool();
	/* test_eal_init sets the real TSC rate; 1 GHz makes microseconds exact. */
	tern_clock_init(1000000000ULL);
	memset(&cnt, 0, sizeof(cnt));
	pool_start = rte_mempool_in_use_count(test_pool());
	return 0;
}

/* Every test must give back every mbuf it took. */
static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start);
	return 0;
}

static void
frame_bytes(uint8_t *buf, uint32_t id)
{
	for (int i = 0; i < FRAME_LEN; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memcpy(buf + ID_OFF, &id, sizeof(id));
}

static struct rte_mbuf *
frame(uint32_t id)
{
	uint8_t buf[FRAME_LEN];

	frame_bytes(buf, id);
	return test_mbuf_from(buf, FRAME_LEN);
}

static uint32_t
frame_id(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod_offset(m, const uint8_t *, ID_OFF), sizeof(id));
	return id;
}

/* The first FRAME_LEN bytes of a (possibly segmented) frame. */
static void
read_all(const struct rte_mbuf *m, uint8_t *buf)
{
	const void *p = rte_pktmbuf_read(m, 0, FRAME_LEN, buf);

	assert_non_null(p);
	if (p != buf)
		memcpy(buf, p, FRAME_LEN);
}

static struct tern_impair *
stage(const struct tern_impair_dir_cfg *c, uint32_t qlen, uint32_t seed,
      enum tern_impair_dir dir, tern_impair_finalize_fn fin)
{
	struct tern_impair *im = tern_impair_create(c, qlen, seed, dir, SOCKET_ID_ANY,
						    test_pool(), &cnt, fin);

	assert_non_null(im);
	return im;
}

/* Pushes frames first .. first+n-1, in bursts, at now. */
static void
push_ids(struct tern_impair *im, uint64_t now, uint32_t first, uint32_t n)
{
	struct rte_mbuf *b[32];

	while (n > 0) {
		uint16_t k = n < 32 ? n : 32;

		for (uint16_t i = 0; i < k; i++)
			b[i] = frame(first++);
		tern_impair_push(im, now, b, k);
		n -= k;
	}
}

/* Pulls everything due at now; records ids (if ids != NULL) and frees. */
static uint32_t
drain(struct tern_impair *im, uint64_t now, uint32_t *ids, uint32_t max)
{
	struct rte_mbuf *b[32];
	uint32_t total = 0;
	uint16_t k;

	while ((k = tern_impair_pull(im, now, b, 32)) > 0) {
		for (uint16_t i = 0; i < k; i++) {
			if (ids != NULL && total < max)
				ids[total] = frame_id(b[i]);
			total++;
			rte_pktmbuf_free(b[i]);
		}
	}
	return total;
}

static void
test_active(void **state)
{
	struct tern_impair_cfg c = { 0 };

	(void)state;
	c.rx.reorder_gap_us = 5000; /* a gap alone does nothing */
	assert_int_equal(tern_impair_active(&c, TERN_IMPAIR_RX), 0);
	c.rx.jitter_us = 1;
	assert_int_equal(tern_impair_active(&c, TERN_IMPAIR_RX), 0); /* not enabled */
	c.enabled = 1;
	assert_int_equal(tern_impair_active(&c, TERN_IMPAIR_RX), 1);
	assert_int_equal(tern_impair_active(&c, TERN_IMPAIR_TX), 0);
	c.tx.loss_ppm = 1;
	assert_int_equal(tern_impair_active(&c, TERN_IMPAIR_TX), 1);
}

static void
test_zero_config_passthrough(void **state)
{
	struct tern_impair_dir_cfg c = { 0 };
	struct tern_impair *im = stage(&c, 64, 1, TERN_IMPAIR_RX, NULL);
	uint32_t ids[64];

	(void)state;
	push_ids(im, T0, 0, 50);
	assert_int_equal(tern_impair_held(im), 50);
	assert_int_equal(drain(im, T0, ids, 64), 50);
	for (uint32_t i = 0; i < 50; i++)
		assert_int_equal(ids[i], i);
	assert_int_equal(tern_impair_held(im), 0);
	for (size_t i = 0; i < RTE_DIM(cnt.v); i++)
		assert_int_equal(cnt.v[i], 0);
	tern_impair_free(im);
}

static void
test_loss_rate(void **state)
{
	struct tern_impair_dir_cfg c = { .loss_ppm = 100000 };
	struct tern_impair *im = stage(&c, 64, 42, TERN_IMPAIR_RX, NULL);
	uint32_t passed = 0, prev = 0, ids[32];

	(void)state;
	for (uint32_t i = 0; i < 100000; i += 32) {
		uint32_t k;

		push_ids(im, T0, i, 32 < 100000 - i ? 32 : 100000 - i);
		k = drain(im, T0, ids, 32);
		for (uint32_t j = 0; j < k; j++) { /* survivors stay in order */
			assert_true(passed + j == 0 || ids[j] > prev);
			prev = ids[j];
		}
		passed += k;
	}
	assert_int_equal(CNT_GET(&cnt, ImpairRxLost), 100000 - passed);
	assert_in_range(CNT_GET(&cnt, ImpairRxLost), 9500, 10500);
	assert_int_equal(CNT_GET(&cnt, ImpairTxLost), 0);
	tern_impair_free(im);
}

/* Which of 2000 frames survive 50% loss, as a bitmap. */
static void
survivors(uint32_t seed, enum tern_impair_dir dir, uint8_t map[250])
{
	struct tern_impair_dir_cfg c = { .loss_ppm = 500000 };
	struct tern_impair *im = stage(&c, 64, seed, dir, NULL);
	uint32_t ids[32];

	memset(map, 0, 250);
	for (uint32_t i = 0; i < 2000; i += 32) {
		uint32_t k;

		push_ids(im, T0, i, 32 < 2000 - i ? 32 : 2000 - i);
		k = drain(im, T0, ids, 32);
		for (uint32_t j = 0; j < k; j++)
			map[ids[j] / 8] |= (uint8_t)(1u << (ids[j] % 8));
	}
	tern_impair_free(im);
}

static void
test_seed_reproducible(void **state)
{
	uint8_t a[250], b[250], other_seed[250], other_dir[250];

	(void)state;
	survivors(7, TERN_IMPAIR_RX, a);
	survivors(7, TERN_IMPAIR_RX, b);
	survivors(8, TERN_IMPAIR_RX, other_seed);
	survivors(7, TERN_IMPAIR_TX, other_dir);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, other_seed, sizeof(a));
	assert_memory_not_equal(a, other_dir, sizeof(a));
}

static void
test_delay(void **state)
{
	struct tern_impair_dir_cfg c = { .delay_us = 50000 };
	struct tern_impair *im = stage(&c, 256, 1, TERN_IMPAIR_RX, NULL);
	uint32_t ids[100];

	(void)state;
	push_ids(im, T0, 0, 100);
	assert_int_equal(drain(im, T0, NULL, 0), 0);
	assert_int_equal(drain(im, T0 + 50 * MS - 1, NULL, 0), 0);
	assert_int_equal(tern_impair_held(im), 100);
	assert_int_equal(drain(im, T0 + 50 * MS, ids, 100), 100);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(ids[i], i);
	assert_int_equal(CNT_GET(&cnt, ImpairRxDelayed), 100);
	assert_int_equal(CNT_GET(&cnt, ImpairRxReordered), 0);
	tern_impair_free(im);
}

static void
test_jitter_bounds(void **state)
{
	struct tern_impair_dir_cfg c = { .delay_us = 10000, .jitter_us = 5000 };
	struct tern_impair *im = stage(&c, 1024, 3, TERN_IMPAIR_RX, NULL);
	uint32_t early = 0, late = 0, total = 0;

	(void)state;
	push_ids(im, T0, 0, 1000);
	assert_int_equal(drain(im, T0 + 5 * MS - 1, NULL, 0), 0);
	/* Walk time in 100 us steps across the whole window. */
	for (uint64_t t = 5 * MS; t <= 15 * MS; t += 100 * US) {
		uint32_t k = drain(im, T0 + t, NULL, 0);

		total += k;
		if (t < 9 * MS)
			early += k;
		if (t > 11 * MS)
			late += k;
	}
	assert_int_equal(total, 1000);
	assert_true(early > 100 && late > 100); /* spread over the window */
	assert_int_equal(CNT_GET(&cnt, ImpairRxDelayed), 1000);
	tern_impair_free(im);
}

/* Jitter larger than the delay clamps at 0 instead of going back in time. */
static void
test_jitter_clamps(void **state)
{
	struct tern_impair_dir_cfg c = { .delay_us = 1000, .jitter_us = 5000 };
	struct tern_impair *im = stage(&c, 1024, 3, TERN_IMPAIR_RX, NULL);
	uint32_t now_count, rest;

	(void)state;
	push_ids(im, T0, 0, 1000);
	assert_int_equal(drain(im, T0 - 1, NULL, 0), 0);
	now_count = drain(im, T0, NULL, 0);
	assert_true(now_count > 400); /* about 4/10 of the range is <= 0 */
	assert_int_equal(CNT_GET(&cnt, ImpairRxDelayed), 1000 - now_count);
	rest = drain(im, T0 + 6 * MS, NULL, 0);
	assert_int_equal(now_count + rest, 1000);
	tern_impair_free(im);
}

static void
test_reorder(void **state)
{
	struct tern_impair_dir_cfg c = { .reorder_ppm = 200000, .reorder_gap_us = 1000 };
	struct tern_impair *im = stage(&c, 1024, 5, TERN_IMPAIR_RX, NULL);
	uint32_t ids[1000], n = 0, inversions = 0;

	(void)state;
	/* One frame every 100 us: a reordered frame is overtaken by ~10 others. */
	for (uint32_t i = 0; i < 1000; i++) {
		uint64_t now = T0 + i * 100 * US;

		push_ids(im, now, i, 1);
		n += drain(im, now, ids + n, 1000 - n);
	}
	n += drain(im, T0 + 1000 * 100 * US + MS, ids + n, 1000 - n);
	assert_int_equal(n, 1000);
	for (uint32_t i = 1; i < n; i++)
		inversions += ids[i] < ids[i - 1];
	assert_true(inversions > 0);
	assert_in_range(CNT_GET(&cnt, ImpairRxReordered), 150, 250);
	assert_int_equal(CNT_GET(&cnt, ImpairRxDelayed), 0);
	tern_impair_free(im);
}

static void
test_duplicate(void **state)
{
	struct tern_impair_dir_cfg c = { .duplicate_ppm = 1000000 };
	struct tern_impair *im = stage(&c, 64, 1, TERN_IMPAIR_TX, NULL);
	struct rte_mbuf *out[32];
	uint8_t want[FRAME_LEN];

	(void)state;
	push_ids(im, T0, 0, 10);
	assert_int_equal(CNT_GET(&cnt, ImpairTxDuplicated), 10);
	assert_int_equal(CNT_GET(&cnt, ImpairRxDuplicated), 0);
	assert_int_equal(tern_impair_pull(im, T0, out, 32), 20);
	for (uint32_t i = 0; i < 20; i++) {
		frame_bytes(want, i / 2); /* each original followed by its copy */
		assert_int_equal(rte_pktmbuf_pkt_len(out[i]), FRAME_LEN);
		assert_memory_equal(rte_pktmbuf_mtod(out[i], void *), want, FRAME_LEN);
	}
	for (uint32_t i = 0; i < 20; i += 2)
		assert_ptr_not_equal(out[i], out[i + 1]); /* a deep copy, not the same mbuf */
	rte_pktmbuf_free_bulk(out, 20);
	tern_impair_free(im);
}

static void
test_duplicate_rate(void **state)
{
	struct tern_impair_dir_cfg c = { .duplicate_ppm = 250000 };
	struct tern_impair *im = stage(&c, 128, 9, TERN_IMPAIR_RX, NULL);
	uint32_t pulled = 0;

	(void)state;
	for (uint32_t i = 0; i < 4000; i += 32) {
		push_ids(im, T0, i, 32);
		pulled += drain(im, T0, NULL, 0);
	}
	assert_int_equal(pulled, 4000 + CNT_GET(&cnt, ImpairRxDuplicated));
	assert_in_range(CNT_GET(&cnt, ImpairRxDuplicated), 800, 1200);
	tern_impair_free(im);
}

/* finalize records the bytes it saw so the test knows it ran before the flip. */
static unsigned finalize_calls;
static uint8_t finalize_seen[FRAME_LEN];

static void
finalize(struct rte_mbuf *m)
{
	finalize_calls++;
	assert_int_equal(rte_pktmbuf_pkt_len(m), FRAME_LEN);
	read_all(m, finalize_seen);
}

/* Number of differing bits between a and b; *pos gets the last differing byte. */
static unsigned
bit_diff(const uint8_t *a, const uint8_t *b, uint32_t len, uint32_t *pos)
{
	unsigned bits = 0;

	for (uint32_t i = 0; i < len; i++)
		if (a[i] != b[i]) {
			bits += (unsigned)__builtin_popcount(a[i] ^ b[i]);
			*pos = i;
		}
	return bits;
}

static void
test_corrupt(void **state)
{
	struct tern_impair_dir_cfg c = { .corrupt_ppm = 1000000 };
	struct tern_impair *im = stage(&c, 64, 11, TERN_IMPAIR_TX, finalize);
	uint8_t want[FRAME_LEN], got[FRAME_LEN];
	uint32_t seen_low = 0, seen_high = 0;

	(void)state;
	finalize_calls = 0;
	for (uint32_t i = 0; i < 300; i++) {
		struct rte_mbuf *m = frame(i), *out;
		uint32_t pos = 0;

		tern_impair_push(im, T0, &m, 1);
		assert_int_equal(finalize_calls, i + 1);
		frame_bytes(want, i);
		assert_memory_equal(finalize_seen, want, FRAME_LEN); /* before the flip */
		assert_int_equal(tern_impair_pull(im, T0, &out, 1), 1);
		memcpy(got, rte_pktmbuf_mtod(out, void *), FRAME_LEN);
		assert_int_equal(bit_diff(want, got, FRAME_LEN, &pos), 1);
		assert_true(pos >= 14 && pos < FRAME_LEN);
		seen_low += pos < 20;
		seen_high += pos > 58;
		rte_pktmbuf_free(out);
	}
	assert_true(seen_low > 0 && seen_high > 0); /* the whole payload is a target */
	assert_int_equal(CNT_GET(&cnt, ImpairTxCorrupted), 300);
	assert_int_equal(CNT_GET(&cnt, ImpairRxCorrupted), 0);
	tern_impair_free(im);
}

/* A bare Ethernet header has nothing after it to corrupt. */
static void
test_corrupt_short_frame(void **state)
{
	struct tern_impair_dir_cfg c = { .corrupt_ppm = 1000000 };
	struct tern_impair *im = stage(&c, 64, 11, TERN_IMPAIR_RX, finalize);
	uint8_t want[FRAME_LEN];
	struct rte_mbuf *m, *out;

	(void)state;
	finalize_calls = 0;
	frame_bytes(want, 0);
	m = test_mbuf_from(want, 14);
	tern_impair_push(im, T0, &m, 1);
	assert_int_equal(tern_impair_pull(im, T0, &out, 1), 1);
	assert_memory_equal(rte_pktmbuf_mtod(out, void *), want, 14);
	assert_int_equal(finalize_calls, 0);
	assert_int_equal(CNT_GET(&cnt, ImpairRxCorrupted), 0);
	rte_pktmbuf_free(out);
	tern_impair_free(im);
}

/* Shared data (a clone, as TCP retransmits are) is copied, never flipped in place. */
static void
test_corrupt_clone_and_chain(void **state)
{
	struct tern_impair_dir_cfg c = { .corrupt_ppm = 1000000 };
	struct tern_impair *im = stage(&c, 64, 13, TERN_IMPAIR_TX, NULL);
	uint8_t want[FRAME_LEN], got[FRAME_LEN];

	(void)state;
	frame_bytes(want, 77);
	for (int i = 0; i < 100; i++) {
		struct rte_mbuf *head = test_mbuf_from(want, 30);
		struct rte_mbuf *tail = test_mbuf_from(want + 30, FRAME_LEN - 30);
		struct rte_mbuf *clone, *out;
		uint32_t pos = 0;

		assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
		clone = rte_pktmbuf_clone(head, test_pool());
		assert_non_null(clone);
		tern_impair_push(im, T0, &clone, 1);
		assert_int_equal(tern_impair_pull(im, T0, &out, 1), 1);
		read_all(head, got);
		assert_memory_equal(got, want, FRAME_LEN); /* original untouched */
		assert_int_equal(rte_pktmbuf_pkt_len(out), FRAME_LEN);
		read_all(out, got);
		assert_int_equal(bit_diff(want, got, FRAME_LEN, &pos), 1);
		assert_true(pos >= 14);
		rte_pktmbuf_free(out);
		rte_pktmbuf_free(head);
	}
	assert_int_equal(CNT_GET(&cnt, ImpairTxCorrupted), 100);
	tern_impair_free(im);
}

/* In-place corruption of a private multi-segment frame reaches every segment. */
static void
test_corrupt_chain_in_place(void **state)
{
	struct tern_impair_dir_cfg c = { .corrupt_ppm = 1000000 };
	struct tern_impair *im = stage(&c, 64, 17, TERN_IMPAIR_RX, NULL);
	uint8_t want[FRAME_LEN], got[FRAME_LEN];
	uint32_t in_tail = 0;

	(void)state;
	frame_bytes(want, 5);
	for (int i = 0; i < 100; i++) {
		struct rte_mbuf *head = test_mbuf_from(want, 20);
		struct rte_mbuf *tail = test_mbuf_from(want + 20, FRAME_LEN - 20);
		struct rte_mbuf *out;
		uint32_t pos = 0;

		assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
		tern_impair_push(im, T0, &head, 1);
		assert_int_equal(tern_impair_pull(im, T0, &out, 1), 1);
		assert_ptr_equal(out, head); /* private: no copy needed */
		read_all(out, got);
		assert_int_equal(bit_diff(want, got, FRAME_LEN, &pos), 1);
		assert_true(pos >= 14);
		in_tail += pos >= 20;
		rte_pktmbuf_free(out);
	}
	assert_true(in_tail > 0);
	tern_impair_free(im);
}

static void
test_queue_full(void **state)
{
	struct tern_impair_dir_cfg c = { .delay_us = 1000 };
	struct tern_impair *im = stage(&c, 16, 1, TERN_IMPAIR_TX, NULL);
	uint32_t ids[16];

	(void)state;
	push_ids(im, T0, 0, 40);
	assert_int_equal(tern_impair_held(im), 16);
	assert_int_equal(CNT_GET(&cnt, ImpairTxQueueFull), 24);
	assert_int_equal(CNT_GET(&cnt, ImpairTxDelayed), 16);
	assert_int_equal(CNT_GET(&cnt, ImpairRxQueueFull), 0);
	assert_int_equal(drain(im, T0 + MS, ids, 16), 16);
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(ids[i], i); /* the first ones were kept */
	tern_impair_free(im);
}

static void
test_pull_cap(void **state)
{
	struct tern_impair_dir_cfg c = { 0 };
	struct tern_impair *im = stage(&c, 64, 1, TERN_IMPAIR_RX, NULL);
	struct rte_mbuf *out[8];

	(void)state;
	push_ids(im, T0, 0, 20);
	assert_int_equal(tern_impair_pull(im, T0, out, 8), 8);
	assert_int_equal(frame_id(out[7]), 7);
	rte_pktmbuf_free_bulk(out, 8);
	assert_int_equal(tern_impair_held(im), 12);
	assert_int_equal(tern_impair_pull(im, T0, out, 0), 0);
	tern_impair_free(im);
}

static void
test_free_held(void **state)
{
	struct tern_impair_dir_cfg c = { .delay_us = 1000000, .duplicate_ppm = 500000 };
	struct tern_impair *im = stage(&c, 1024, 1, TERN_IMPAIR_RX, NULL);

	(void)state;
	push_ids(im, T0, 0, 300);
	assert_int_equal(tern_impair_held(im), 300 + CNT_GET(&cnt, ImpairRxDuplicated));
	assert_int_equal(rte_mempool_in_use_count(test_pool()),
			 pool_start + tern_impair_held(im));
	tern_impair_free(im); /* teardown checks the pool is back where it started */
	tern_impair_free(NULL);
}

/* An Ethernet + IPv4 frame with the given ECN field and a valid header checksum. */
static struct rte_mbuf *
ip_frame(uint8_t ecn, uint16_t id)
{
	uint8_t buf[FRAME_LEN] = { 0 };
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);

	buf[12] = 0x08; /* EtherType IPv4 */
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = (uint8_t)(0xb8 | ecn); /* DSCP EF: marking keeps it */
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - 14);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = 6;
	ip->src_addr = RTE_BE32(0xc6120002);
	ip->dst_addr = RTE_BE32(0xc6120001);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return test_mbuf_from(buf, FRAME_LEN);
}

/* Pulls one frame; returns its ECN field after checking its header checksum. */
static unsigned
pull_ecn(struct tern_impair *im, uint64_t now)
{
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;
	unsigned ecn;

	assert_int_equal(tern_impair_pull(im, now, &m, 1), 1);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 14);
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff); /* still valid */
	assert_int_equal(ip->type_of_service & 0xfc, 0xb8);
	ecn = ip->type_of_service & 3;
	rte_pktmbuf_free(m);
	return ecn;
}

/* RFC 3168 §5: from a threshold of held frames on, ECT frames become CE; Not-ECT ones never. */
static void
test_ce_threshold(void **state)
{
	struct tern_impair_dir_cfg c = { .delay_us = 1000, .ce_threshold = 4 };
	struct tern_impair *im = stage(&c, 64, 1, TERN_IMPAIR_TX, NULL);
	static const uint8_t sent[] = { 2, 1, 2, 0, 2, 1, 0, 2, 2, 3 };
	static const uint8_t want[] = { 2, 1, 2, 0, 3, 3, 0, 3, 3, 3 };

	(void)state;
	assert_true(tern_impair_active(&(struct tern_impair_cfg){ .enabled = 1, .tx = c },
				       TERN_IMPAIR_TX));
	for (unsigned i = 0; i < RTE_DIM(sent); i++) {
		struct rte_mbuf *m = ip_frame(sent[i], (uint16_t)(i * 4099));

		tern_impair_push(im, T0, &m, 1);
	}
	for (unsigned i = 0; i < RTE_DIM(sent); i++)
		assert_int_equal(pull_ecn(im, T0 + MS), want[i]);
	assert_int_equal(CNT_GET(&cnt, ImpairTxCeMarked), 4);
	assert_int_equal(CNT_GET(&cnt, ImpairRxCeMarked), 0);
	tern_impair_free(im);
}

/* At random: about the configured share of ECT frames; frames that are not IPv4 are left alone. */
static void
test_ce_rate(void **state)
{
	struct tern_impair_dir_cfg c = { .ce_ppm = 250000 };
	struct tern_impair *im = stage(&c, 64, 7, TERN_IMPAIR_RX, NULL);
	unsigned marked = 0;
	uint8_t want[FRAME_LEN], got[FRAME_LEN];
	struct rte_mbuf *m;

	(void)state;
	for (unsigned i = 0; i < 4000; i++) {
		m = ip_frame(2, (uint16_t)i);
		tern_impair_push(im, T0, &m, 1);
		marked += pull_ecn(im, T0) == 3;
	}
	assert_in_range(marked, 850, 1150);
	assert_int_equal(CNT_GET(&cnt, ImpairRxCeMarked), marked);
	m = frame(5);
	tern_impair_push(im, T0, &m, 1);
	assert_int_equal(tern_impair_pull(im, T0, &m, 1), 1);
	read_all(m, got);
	frame_bytes(want, 5);
	assert_memory_equal(got, want, FRAME_LEN);
	rte_pktmbuf_free(m);
	tern_impair_free(im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_config_passthrough, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loss_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_reproducible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitter_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitter_clamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_short_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_clone_and_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_chain_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pull_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ce_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ce_rate, setup, teardown),
	};

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
