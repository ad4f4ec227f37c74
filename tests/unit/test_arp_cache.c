/*
 * Unit tests for the neighbour cache (lib/net/arp_cache.c) on a 1 GHz fake
 * clock: resolution queueing, ageing and confirmation (RFC 1122 §2.3.2.1),
 * retry limits (RFC 1122 §2.3.2.2), and RFC 826 merge-or-add.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/counters.h"
#include "net/arp_cache.h"
#include "test_eal.h"

#define HZ 1000000000ULL
#define MS (HZ / 1000)
#define T0 (5000 * MS)      /* arbitrary start time */
#define TIMEOUT (1000 * MS) /* cfg.timeout_ms */
#define RETRY (100 * MS)    /* cfg.retry_ms */
#define RETRIES 3
#define QUEUE 2
#define ENTRIES 16

#define IP(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define PEER IP(198, 18, 0, 2)

static const struct arp_cfg cfg = {
	.entries = ENTRIES, .timeout_ms = 1000, .retry_ms = 100, .retries = RETRIES, .queue = QUEUE,
};
static const struct rte_ether_addr mac_a = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0xaa } };
static const struct rte_ether_addr mac_b = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0xbb } };

static struct net_counters cnt;
static struct arp_cache *cache;
static unsigned pool_start;

static int
setup(void **state)
{
	(void)state;
	test_pool();
	tern_clock_init(HZ);
	memset(&cnt, 0, sizeof(cnt));
	pool_start = rte_mempool_in_use_count(test_pool());
	cache = arp_cache_create(&cfg, tern_tsc_hz, SOCKET_ID_ANY, &cnt);
	return cache == NULL ? -1 : 0;
}

/* arp_cache_free must give back every mbuf still queued. */
static int
teardown(void **state)
{
	(void)state;
	arp_cache_free(cache);
	cache = NULL;
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start);
	return 0;
}

static struct rte_mbuf *
pkt(uint8_t id)
{
	uint8_t b[64];

	memset(b, id, sizeof(b));
	return test_mbuf_from(b, sizeof(b));
}

static void
learn(uint16_t port, rte_be32_t ip, const struct rte_ether_addr *mac, uint64_t now)
{
	struct rte_mbuf *out[4];

	assert_int_equal(arp_cache_learn(cache, port, ip, mac, now, 1, out, 4), 0);
}

static enum arp_lookup
lookup(uint16_t port, rte_be32_t ip, uint64_t now, struct rte_ether_addr *mac)
{
	return arp_cache_lookup(cache, port, ip, now, mac);
}

/* ---- resolution queue ---------------------------------------------------------- */

static void
test_miss_on_empty_cache(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(lookup(0, PEER, T0, &mac), ARP_MISS);
	assert_int_equal(arp_cache_count(cache), 0);
}

/* RFC 1122 §2.3.2.2: hold at least one packet per unresolved neighbour, bounded. */
static void
test_enqueue_new_then_queued_then_dropped(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(arp_cache_enqueue(cache, 0, PEER, pkt(1), T0), ARP_QUEUED_NEW);
	assert_int_equal(arp_cache_enqueue(cache, 0, PEER, pkt(2), T0), ARP_QUEUED);
	assert_int_equal(arp_cache_enqueue(cache, 0, PEER, pkt(3), T0), ARP_DROPPED);
	assert_int_equal(CNT_GET(&cnt, ArpQueueDrops), 1);
	assert_int_equal(lookup(0, PEER, T0, &mac), ARP_PENDING);
	assert_int_equal(arp_cache_count(cache), 1);
}

static void
test_learn_releases_queued_in_order(void **state)
{
	struct rte_mbuf *a = pkt(1), *b = pkt(2), *out[8];
	struct rte_ether_addr mac;

	(void)state;
	arp_cache_enqueue(cache, 0, PEER, a, T0);
	arp_cache_enqueue(cache, 0, PEER, b, T0);
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_a, T0 + MS, 1, out, 8), 2);
	assert_ptr_equal(out[0], a);
	assert_ptr_equal(out[1], b);
	rte_pktmbuf_free_bulk(out, 2);
	assert_int_equal(lookup(0, PEER, T0 + MS, &mac), ARP_HIT);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
	/* Nothing is released twice. */
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_a, T0 + MS, 1, out, 8), 0);
	assert_int_equal(CNT_GET(&cnt, ArpQueueDrops), 0);
}

/* A caller with less room than the queue holds: the rest are freed and counted. */
static void
test_learn_with_small_out_drops_rest(void **state)
{
	struct rte_mbuf *a = pkt(1), *out[1];

	(void)state;
	arp_cache_enqueue(cache, 0, PEER, a, T0);
	arp_cache_enqueue(cache, 0, PEER, pkt(2), T0);
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_a, T0, 1, out, 1), 1);
	assert_ptr_equal(out[0], a);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(CNT_GET(&cnt, ArpQueueDrops), 1);
}

/* RFC 826: a host not targeted only merges what it already has; nothing is added. */
static void
test_learn_no_create_unknown_adds_nothing(void **state)
{
	struct rte_mbuf *out[4];
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_a, T0, 0, out, 4), -1);
	assert_int_equal(arp_cache_count(cache), 0);
	assert_int_equal(lookup(0, PEER, T0, &mac), ARP_MISS);
}

/* RFC 826: "merge" updates the MAC of an entry that exists. */
static void
test_learn_no_create_updates_known(void **state)
{
	struct rte_mbuf *out[4];
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_b, T0, 0, out, 4), 0);
	assert_int_equal(lookup(0, PEER, T0, &mac), ARP_HIT);
	assert_true(rte_is_same_ether_addr(&mac, &mac_b));
	assert_int_equal(arp_cache_count(cache), 1);
}

/* ---- ageing and confirmation (RFC 1122 §2.3.2.1) --------------------------------- */

static void
test_hit_before_timeout(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	assert_int_equal(lookup(0, PEER, T0 + TIMEOUT - 1, &mac), ARP_HIT);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
}

static void
test_hit_refresh_after_timeout(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	memset(&mac, 0, sizeof(mac));
	assert_int_equal(lookup(0, PEER, T0 + TIMEOUT, &mac), ARP_HIT_REFRESH);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a)); /* still usable while confirming */
}

static void
test_hit_within_probe_window(void **state)
{
	const uint64_t t = T0 + TIMEOUT;
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	assert_int_equal(lookup(0, PEER, t, &mac), ARP_HIT_REFRESH);
	assert_int_equal(lookup(0, PEER, t + RETRY - 1, &mac), ARP_HIT);
	assert_int_equal(lookup(0, PEER, t + RETRY, &mac), ARP_HIT_REFRESH);
}

static void
test_removed_after_unanswered_refreshes(void **state)
{
	uint64_t t = T0 + TIMEOUT;
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	for (int i = 0; i < RETRIES; i++, t += RETRY)
		assert_int_equal(lookup(0, PEER, t, &mac), ARP_HIT_REFRESH);
	assert_int_equal(lookup(0, PEER, t, &mac), ARP_MISS);
	assert_int_equal(arp_cache_count(cache), 0);
	assert_int_equal(lookup(0, PEER, t, &mac), ARP_MISS);
}

static void
test_answered_refresh_restores_timeout(void **state)
{
	const uint64_t t = T0 + TIMEOUT;
	struct rte_mbuf *out[4];
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	assert_int_equal(lookup(0, PEER, t, &mac), ARP_HIT_REFRESH);
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_a, t + MS, 0, out, 4), 0);
	assert_int_equal(lookup(0, PEER, t + MS + TIMEOUT - 1, &mac), ARP_HIT);
}

/* ---- retries while resolving (RFC 1122 §2.3.2.1: at most one request per retry_ms) -- */

static void
test_tick_retries_at_retry_interval(void **state)
{
	struct arp_request req[4];

	(void)state;
	/* The caller sent the first request when enqueue said QUEUED_NEW. */
	assert_int_equal(arp_cache_enqueue(cache, 1, PEER, pkt(1), T0), ARP_QUEUED_NEW);
	assert_int_equal(arp_cache_tick(cache, T0 + RETRY - 1, req, 4), 0);
	assert_int_equal(arp_cache_tick(cache, T0 + RETRY, req, 4), 1);
	assert_int_equal(req[0].port, 1);
	assert_int_equal(req[0].ip, PEER);
	assert_int_equal(arp_cache_tick(cache, T0 + RETRY + 1, req, 4), 0);
	assert_int_equal(arp_cache_tick(cache, T0 + 2 * RETRY - 1, req, 4), 0);
	assert_int_equal(arp_cache_tick(cache, T0 + 2 * RETRY, req, 4), 1);
}

static void
test_tick_sends_at_most_retries_requests(void **state)
{
	struct arp_request req[4];
	unsigned sent = 1; /* the caller's first request */

	(void)state;
	arp_cache_enqueue(cache, 0, PEER, pkt(1), T0);
	for (uint64_t t = T0; t <= T0 + 20 * RETRY; t += MS)
		sent += arp_cache_tick(cache, t, req, 4);
	assert_int_equal(sent, RETRIES);
}

static void
test_tick_gives_up_and_frees_queue(void **state)
{
	struct arp_request req[4];
	struct rte_ether_addr mac;

	(void)state;
	arp_cache_enqueue(cache, 0, PEER, pkt(1), T0);
	arp_cache_enqueue(cache, 0, PEER, pkt(2), T0);
	for (int i = 1; i < RETRIES; i++)
		assert_int_equal(arp_cache_tick(cache, T0 + i * RETRY, req, 4), 1);
	assert_int_equal(CNT_GET(&cnt, ArpResolveFailed), 0);
	assert_int_equal(arp_cache_tick(cache, T0 + RETRIES * RETRY, req, 4), 0);
	assert_int_equal(CNT_GET(&cnt, ArpResolveFailed), 1);
	assert_int_equal(CNT_GET(&cnt, ArpQueueDrops), 2);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start);
	assert_int_equal(arp_cache_count(cache), 0);
	assert_int_equal(lookup(0, PEER, T0 + RETRIES * RETRY, &mac), ARP_MISS);
}

/* A resolved neighbour leaves the retry list: no more requests for it. */
static void
test_tick_ignores_resolved(void **state)
{
	struct rte_mbuf *out[4];
	struct arp_request req[4];

	(void)state;
	arp_cache_enqueue(cache, 0, PEER, pkt(1), T0);
	assert_int_equal(arp_cache_learn(cache, 0, PEER, &mac_a, T0 + MS, 1, out, 4), 1);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(arp_cache_tick(cache, T0 + 10 * RETRY, req, 4), 0);
	assert_int_equal(CNT_GET(&cnt, ArpResolveFailed), 0);
	assert_int_equal(arp_cache_count(cache), 1);
}

/* ---- capacity and keys ---------------------------------------------------------- */

static void
test_table_full(void **state)
{
	struct rte_mbuf *out[4];

	(void)state;
	for (int i = 0; i < ENTRIES; i++)
		assert_int_equal(arp_cache_enqueue(cache, 0, IP(198, 18, 0, 10 + i), pkt(i), T0),
				 ARP_QUEUED_NEW);
	assert_int_equal(arp_cache_count(cache), ENTRIES);
	assert_int_equal(arp_cache_enqueue(cache, 0, IP(198, 18, 0, 99), pkt(99), T0), ARP_DROPPED);
	assert_int_equal(CNT_GET(&cnt, ArpTableFull), 1);
	assert_int_equal(arp_cache_learn(cache, 0, IP(198, 18, 0, 98), &mac_a, T0, 1, out, 4), 0);
	assert_int_equal(CNT_GET(&cnt, ArpTableFull), 2);
	assert_int_equal(arp_cache_count(cache), ENTRIES);
}

/* A freed slot is reused once an entry goes away. */
static void
test_table_slot_reused_after_give_up(void **state)
{
	struct arp_request req[ENTRIES];

	(void)state;
	for (int i = 0; i < ENTRIES; i++)
		arp_cache_enqueue(cache, 0, IP(198, 18, 0, 10 + i), pkt(i), T0);
	for (int i = 1; i <= RETRIES; i++)
		arp_cache_tick(cache, T0 + i * RETRY, req, ENTRIES);
	assert_int_equal(arp_cache_count(cache), 0);
	assert_int_equal(CNT_GET(&cnt, ArpResolveFailed), ENTRIES);
	assert_int_equal(arp_cache_enqueue(cache, 0, PEER, pkt(1), T0), ARP_QUEUED_NEW);
}

static void
test_same_ip_two_ports_distinct(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	learn(0, PEER, &mac_a, T0);
	learn(1, PEER, &mac_b, T0);
	assert_int_equal(arp_cache_count(cache), 2);
	assert_int_equal(lookup(0, PEER, T0, &mac), ARP_HIT);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
	assert_int_equal(lookup(1, PEER, T0, &mac), ARP_HIT);
	assert_true(rte_is_same_ether_addr(&mac, &mac_b));
	assert_int_equal(lookup(2, PEER, T0, &mac), ARP_MISS);
}

static void
test_free_releases_queued_mbufs(void **state)
{
	(void)state;
	arp_cache_enqueue(cache, 0, PEER, pkt(1), T0);
	arp_cache_enqueue(cache, 0, PEER, pkt(2), T0);
	arp_cache_enqueue(cache, 1, PEER, pkt(3), T0);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start + 3);
	arp_cache_free(cache);
	cache = NULL;
	assert_int_equal(rte_mempool_in_use_count(test_pool()), pool_start);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_miss_on_empty_cache),
		T(test_enqueue_new_then_queued_then_dropped),
		T(test_learn_releases_queued_in_order),
		T(test_learn_with_small_out_drops_rest),
		T(test_learn_no_create_unknown_adds_nothing),
		T(test_learn_no_create_updates_known),
		T(test_hit_before_timeout),
		T(test_hit_refresh_after_timeout),
		T(test_hit_within_probe_window),
		T(test_removed_after_unanswered_refreshes),
		T(test_answered_refresh_restores_timeout),
		T(test_tick_retries_at_retry_interval),
		T(test_tick_sends_at_most_retries_requests),
		T(test_tick_gives_up_and_frees_queue),
		T(test_tick_ignores_resolved),
		T(test_table_full),
		T(test_table_slot_reused_after_give_up),
		T(test_same_ip_two_ports_distinct),
		T(test_free_releases_queued_mbufs),
	};
#undef T

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
