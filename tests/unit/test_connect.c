/*
 * Active opens (tern_connect_ex, lib/tcp/tcp_ports.c) on a worker of two,
 * built by stack_build: from a chosen source address, with source ports
 * whose replies hash to the opening worker (both directions of a proxied
 * connection must live on one worker), and a port range that runs out
 * failing at once, counted, instead of spinning; the per-state counts
 * (tern_tcp_states) follow opens and aborts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "core/steer.h"
#include "stack/stack.h"
#include "test_eal.h"

#define NWORKERS 2
#define OURS RTE_BE32(0xc6120001)     /* 198.18.0.1 */
#define SRC RTE_BE32(0xc6120009)      /* 198.18.0.9, a source address added for backends */
#define SERVER RTE_BE32(0xc6120064)   /* 198.18.0.100 */

static struct tern_config cfg;
static struct tern_port port;
static struct stack_worker *sw[NWORKERS];
static struct tern_worker *peers[NWORKERS];
static const struct tern_conn_ops quiet_ops;

static void
tx_free(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w, (void)p;
	rte_pktmbuf_free_bulk(pkts, n);
}

static uint16_t
no_rx(struct tern_worker *w, uint16_t p, struct rte_mbuf **pkts, uint16_t max)
{
	(void)w, (void)p, (void)pkts, (void)max;
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(tern_config_init(&cfg, &stack_schema), 0);
	cfg.workers = NWORKERS;
	cfg.nports = 1;
	tcp_config(&cfg)->max_connections = 1024;
	port = (struct tern_port){ .nb_queues = NWORKERS, .mtu = 1500, .reta_size = 128,
		.addr = OURS, .netmask = RTE_BE32(0xffffff00), .cfg = &cfg.ports[0] };
	for (unsigned i = 0; i < port.reta_size; i++)
		port.reta[i] = i % NWORKERS;
	for (unsigned i = 0; i < NWORKERS; i++) {
		struct tern_worker_env env = { .index = i, .nworkers = NWORKERS, .ports = &port,
			.nports = 1, .pool = test_pool(), .socket = SOCKET_ID_ANY, .peers = peers,
			.rx_hook = no_rx, .tx_hook = tx_free };

		sw[i] = rte_zmalloc("test_connect", sizeof(*sw[i]), RTE_CACHE_LINE_SIZE);
		assert_int_equal(stack_build(sw[i], &cfg, &env, STACK_NO_SERVICES), 0);
		assert_int_equal(net_add_address(&sw[i]->net, 0, SRC), 0);
		peers[i] = &sw[i]->w;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NWORKERS; i++) {
		stack_teardown(sw[i]);
		rte_free(sw[i]);
	}
	tern_config_free(&cfg);
	assert_int_equal(rte_mempool_in_use_count(test_pool()), 0);
	return 0;
}

/* Every connection worker 1 opens has a source port whose replies come back to worker 1. */
static void
test_replies_come_back(void **state)
{
	struct tern_connect_opts o = { .src = SRC };

	(void)state;
	for (int i = 0; i < 200; i++) {
		struct tcb *c = tern_connect_ex(&sw[1]->tcp, SERVER, 80, &o, &quiet_ops, NULL);
		rte_be32_t la, ra;
		rte_be16_t lp, rp;

		assert_non_null(c);
		tern_conn_addrs(c, &la, &lp, &ra, &rp);
		assert_int_equal(la, SRC);
		assert_true(rte_be_to_cpu_16(lp) >= 32768 && rte_be_to_cpu_16(lp) <= 60999);
		/* what the NIC (or software steering) does with the server's reply */
		assert_int_equal(tern_flow_owner(&port, tern_flow_hash(SERVER, SRC, RTE_BE16(80), lp)), 1);
	}
	assert_int_equal(stack_counter(sw[1], "TcpActiveOpens"), 200);
}

/* A range of 16 ports has about 8 whose replies come to worker 1: then a counted refusal. */
static void
test_port_range_runs_out(void **state)
{
	struct tern_connect_opts o = { .src = SRC, .sport_lo = 40000, .sport_hi = 40015 };
	unsigned opened = 0, expect = 0;

	(void)state;
	for (uint16_t p = 40000; p <= 40015; p++)
		expect += tern_flow_owner(&port, tern_flow_hash(SERVER, SRC, RTE_BE16(80),
							       rte_cpu_to_be_16(p))) == 1;
	for (int i = 0; i < 20; i++)
		if (tern_connect_ex(&sw[1]->tcp, SERVER, 80, &o, &quiet_ops, NULL) != NULL)
			opened++;
		else
			assert_int_equal(rte_errno, EADDRNOTAVAIL);
	assert_true(expect > 0 && expect < 16);
	assert_int_equal(opened, expect);
	assert_int_equal(stack_counter(sw[1], "TcpExtConnectNoPort"), 20 - expect);
	/* Another server is another 4-tuple: the same ports serve again. */
	assert_non_null(tern_connect_ex(&sw[1]->tcp, RTE_BE32(0xc6120065), 80, &o, &quiet_ops, NULL));
}

static void
test_bad_source(void **state)
{
	struct tern_connect_opts o = { .src = RTE_BE32(0xc6120063) }; /* not one of ours */
	struct tern_connect_opts bad_range = { .sport_lo = 500, .sport_hi = 400 };

	(void)state;
	assert_null(tern_connect_ex(&sw[0]->tcp, SERVER, 80, &o, &quiet_ops, NULL));
	assert_int_equal(rte_errno, EADDRNOTAVAIL);
	assert_null(tern_connect_ex(&sw[0]->tcp, RTE_BE32(0x0a000001), 80, NULL, &quiet_ops, NULL));
	assert_int_equal(rte_errno, ENETUNREACH);
	assert_null(tern_connect_ex(&sw[0]->tcp, SERVER, 80, &bad_range, &quiet_ops, NULL));
	assert_int_equal(rte_errno, EINVAL);
	assert_int_equal(sw[0]->tcp.used, 0);
}

/* The per-state counts follow opens and aborts without looking at a TCB. */
static void
test_state_counts(void **state)
{
	struct tcb *c[5];
	uint32_t n[TERN_TCP_NSTATES];

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_non_null(c[i] = tern_connect_ex(&sw[0]->tcp, SERVER, 80, NULL, &quiet_ops, NULL));
	tern_tcp_states(&sw[0]->tcp, n);
	assert_int_equal(n[TCPS_SYN_SENT], 5);
	assert_int_equal(n[TCPS_ESTABLISHED], 0);
	assert_int_equal(n[TCPS_CLOSED], 0);
	tern_abort(c[0]);
	tern_abort(c[3]);
	tern_tcp_states(&sw[0]->tcp, n);
	assert_int_equal(n[TCPS_SYN_SENT], 3);
	assert_int_equal(sw[0]->tcp.used, 3);
	tern_tcp_states(&sw[1]->tcp, n);
	assert_int_equal(n[TCPS_SYN_SENT], 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_replies_come_back),
		T(test_port_range_runs_out),
		T(test_bad_source),
		T(test_state_counts),
	};
#undef T

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
