/*
 * The control channel (lib/core/chan.c) with two workers, each built by
 * the composition root (stack_build) and run by the production loop
 * (tern_worker_main) on its own lcore, while this thread is the control
 * side: counters snapshots, pages of connections resumed by a cursor,
 * a broadcast event, a full ring, a worker that does not answer, and
 * connection references that go stale when their connection closes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "core/chan.h"
#include "core/worker.h"
#include "stack/stack.h"
#include "test_eal.h"

#define NWORKERS 2
#define CONNS_PER_WORKER 300   /* more than one page (rows) and a small TCB table (scan) */
#define PEER RTE_BE32(0xc6120002) /* 198.18.0.2: on link, never answers ARP */

static struct tern_config cfg;
static struct tern_port port;
static struct stack_worker *sw[NWORKERS];
static struct tern_worker *peers[NWORKERS];
static unsigned lcore[NWORKERS];
static int running;

static uint16_t
no_rx(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t max)
{
	(void)w, (void)p, (void)pkts, (void)max;
	return 0;
}

static void
tx_free(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w, (void)p;
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
build(void)
{
	assert_int_equal(tern_config_init(&cfg, &stack_schema), 0);
	cfg.workers = NWORKERS;
	cfg.nports = 1;
	tcp_config(&cfg)->max_connections = 4096;
	port = (struct tern_port){ .nb_queues = NWORKERS, .mtu = 1500, .reta_size = 2,
		.reta = { 0, 1 }, .addr = RTE_BE32(0xc6120001), .netmask = RTE_BE32(0xffffff00),
		.cfg = &cfg.ports[0] };
	for (unsigned i = 0; i < NWORKERS; i++) {
		struct tern_worker_env env = { .index = i, .nworkers = NWORKERS, .ports = &port,
			.nports = 1, .pool = test_pool(), .socket = SOCKET_ID_ANY, .peers = peers,
			.rx_hook = no_rx, .tx_hook = tx_free };

		sw[i] = rte_zmalloc("test_chan", sizeof(*sw[i]), RTE_CACHE_LINE_SIZE);
		assert_non_null(sw[i]);
		assert_int_equal(stack_build(sw[i], &cfg, &env, STACK_NO_SERVICES), 0);
		peers[i] = &sw[i]->w;
	}
}

static const struct tern_conn_ops quiet_ops;

/* Connections in SYN-SENT (the peer never answers ARP): opened before the workers run. */
static void
open_conns(unsigned w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_non_null(tern_connect(&sw[w]->tcp, PEER, 80, &quiet_ops, NULL));
}

static void
start_workers(void)
{
	unsigned l, i = 0;

	tern_worker_stop = 0;
	RTE_LCORE_FOREACH_WORKER(l) {
		if (i == NWORKERS)
			break;
		lcore[i] = l;
		assert_int_equal(rte_eal_remote_launch(tern_worker_main, peers[i], l), 0);
		i++;
	}
	assert_int_equal(i, NWORKERS);
	running = 1;
}

static void
stop_workers(void)
{
	if (!running)
		return;
	__atomic_store_n(&tern_worker_stop, 1, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	running = 0;
}

static int
setup(void **state)
{
	(void)state;
	build();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	stop_workers();
	for (unsigned i = 0; i < NWORKERS; i++) {
		stack_teardown(sw[i]);
		rte_free(sw[i]);
	}
	tern_config_free(&cfg);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), 0);
	return 0;
}

/* Every connection of worker w, page by page; returns the rows seen. */
static unsigned
list_all(unsigned w, uint32_t rows_per_page, unsigned *pages)
{
	uint32_t cursor = 0;
	unsigned total = 0;

	*pages = 0;
	do {
		struct tern_msg *m = tern_msg_new(STACK_MSG_CONNS, stack_conns_size(rows_per_page));
		struct stack_conns *page = (struct stack_conns *)m->body;

		page->cursor = cursor;
		page->max_rows = rows_per_page;
		m->len = sizeof(*page);
		assert_int_equal(tern_chan_call(peers[w], m, 5000), 0);
		assert_int_equal(m->status, 0);
		assert_int_equal(m->worker, w);
		assert_true(page->nrows <= rows_per_page);
		for (uint32_t r = 0; r < page->nrows; r++) {
			assert_int_equal(page->rows[r].info.state, 2 /* SYN-SENT */);
			assert_int_equal(page->rows[r].raddr, PEER);
			assert_int_not_equal(page->rows[r].ref.gen, 0);
		}
		total += page->nrows;
		assert_true(page->next_cursor == UINT32_MAX || page->next_cursor > cursor);
		cursor = page->next_cursor;
		(*pages)++;
		tern_msg_free(m);
	} while (cursor != UINT32_MAX);
	return total;
}

static void
test_pages_of_connections(void **state)
{
	unsigned pages;

	(void)state;
	open_conns(0, CONNS_PER_WORKER);
	open_conns(1, CONNS_PER_WORKER / 3);
	start_workers();
	assert_int_equal(list_all(0, 64, &pages), CONNS_PER_WORKER);
	assert_true(pages >= CONNS_PER_WORKER / 64); /* paged by rows */
	assert_int_equal(list_all(1, 64, &pages), CONNS_PER_WORKER / 3);
	/* a page of 64 rows, then the other 36 and the rest of the first scan, then a scan */
	assert_int_equal(pages, 3);
}

static void
test_counters_snapshot(void **state)
{
	const struct tern_counter_layout *l = stack_counters();
	int active_opens = tern_counter_find(l, "TcpActiveOpens");

	(void)state;
	assert_true(active_opens >= 0);
	open_conns(1, 7);
	start_workers();
	for (unsigned w = 0; w < NWORKERS; w++) {
		struct tern_msg *m = tern_msg_new(TERN_MSG_COUNTERS, l->total * sizeof(uint64_t));

		assert_int_equal(tern_chan_call(peers[w], m, 5000), 0);
		assert_int_equal(m->status, 0);
		assert_int_equal(m->len, l->total * sizeof(uint64_t));
		assert_int_equal(((uint64_t *)m->body)[active_opens], w == 1 ? 7 : 0);
		tern_msg_free(m);
	}
}

static void
test_broadcast_event(void **state)
{
	struct stack_event ev = { .kind = STACK_EV_PING, .arg = 42 };

	(void)state;
	start_workers();
	assert_int_equal(tern_chan_broadcast(peers, NWORKERS, STACK_MSG_EVENT, &ev, sizeof(ev)),
			 NWORKERS);
	/* Requests are served in order: once a later call is answered, the event was seen. */
	for (unsigned w = 0; w < NWORKERS; w++) {
		struct tern_msg *m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(struct tern_loop_stats));

		assert_int_equal(tern_chan_call(peers[w], m, 5000), 0);
		assert_int_equal(__atomic_load_n(&sw[w]->events, __ATOMIC_ACQUIRE), 1);
		assert_int_equal(sw[w]->last_event_arg, 42);
		assert_true(((struct tern_loop_stats *)m->body)->requests_served >= 1); /* the event */
		tern_msg_free(m);
	}
}

/* A worker that is not polling: its ring fills, and the caller is told at once. */
static void
test_full_ring_and_timeout(void **state)
{
	struct tern_msg *m;
	unsigned sent = 0;
	int rc;

	(void)state;
	for (;;) {
		m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(struct tern_loop_stats));
		if ((rc = tern_chan_send(peers[0], m)) != 0)
			break;
		sent++;
	}
	assert_int_equal(rc, -ENOBUFS);
	assert_true(sent >= 32);
	tern_msg_free(m);
	m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(struct tern_loop_stats));
	assert_int_equal(tern_chan_call(peers[0], m, 20), -ENOBUFS); /* still full */
	tern_msg_free(m);
	assert_null(tern_chan_reply(peers[0]));
	/* Worker 1 is not running either: a call times out and gives the message up. */
	m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(struct tern_loop_stats));
	assert_int_equal(tern_chan_call(peers[1], m, 20), -ETIMEDOUT);
	start_workers();
	for (unsigned got = 0; got < sent;) {
		struct tern_msg *r = tern_chan_reply(peers[0]);

		if (r != NULL) {
			assert_int_equal(r->status, 0);
			tern_msg_free(r);
			got++;
		}
	}
	/* The abandoned reply is freed by the next call (ASan would see a leak otherwise). */
	m = tern_msg_new(TERN_MSG_LOOP_STATS, sizeof(struct tern_loop_stats));
	assert_int_equal(tern_chan_call(peers[1], m, 5000), 0);
	tern_msg_free(m);
}

static void
test_unknown_type(void **state)
{
	struct tern_msg *m = tern_msg_new(999, 16);

	(void)state;
	start_workers();
	assert_int_equal(tern_chan_call(peers[0], m, 5000), 0);
	assert_int_equal(m->status, -ENOTSUP);
	tern_msg_free(m);
}

/* A reference outlives its connection only as a reference: it resolves to NULL. */
static void
test_conn_ref_goes_stale(void **state)
{
	struct tcb *c = tern_connect(&sw[0]->tcp, PEER, 80, &quiet_ops, NULL), *again;
	struct tern_conn_ref ref;

	(void)state;
	assert_non_null(c);
	ref = tern_conn_ref(c);
	assert_ptr_equal(tern_conn_deref(&sw[0]->tcp, ref), c);
	tern_abort(c);
	assert_null(tern_conn_deref(&sw[0]->tcp, ref));
	again = tern_connect(&sw[0]->tcp, PEER, 81, &quiet_ops, NULL); /* takes the freed slot */
	assert_ptr_equal(again, c);
	assert_null(tern_conn_deref(&sw[0]->tcp, ref));
	assert_ptr_equal(tern_conn_deref(&sw[0]->tcp, tern_conn_ref(again)), again);
	assert_null(tern_conn_deref(&sw[0]->tcp, (struct tern_conn_ref){ .idx = 5, .gen = 0 }));
	assert_null(tern_conn_deref(&sw[0]->tcp, (struct tern_conn_ref){ .idx = UINT32_MAX, .gen = 1 }));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_pages_of_connections),
		T(test_counters_snapshot),
		T(test_broadcast_event),
		T(test_full_ring_and_timeout),
		T(test_unknown_type),
		T(test_conn_ref_goes_stale),
	};
#undef T

	test_eal_init_lcores(NWORKERS + 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
