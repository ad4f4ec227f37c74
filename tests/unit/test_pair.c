/*
 * In-memory loss tests without netem: a tern client downloads GET
 * /bytes/N from a tern http server, both stacks in this process
 * (bench/pair.c), while a tamper hook drops chosen frames on the wire. The
 * body must arrive whole and on its pattern (the client checks every
 * byte), every mbuf must come back, and the server's counters must show
 * how the loss was repaired: SACK recovery, and a lost retransmission
 * found without waiting for the RTO (RFC 8985 §6.2 in order of sending).
 * Each test runs with MSS-sized frames, with TSO (the wire cuts tern's
 * 64 KiB frames into segments as the sending NIC would: the same segments,
 * the same losses) and, where whole frames are what is lost, with LRO
 * (the frames pass whole).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "../bench/pair.h"
#include "core/counters.h"
#include "test_eal.h"

int bench_huge; /* bench/pair.c sizes its pools for 4 KiB pages when 0 */

#define BODY (1u << 20)

static struct pair p;
static int wire_kind; /* enum pair_wire_kind of the group running */

/* A data segment's sequence number and payload length; 0 length for anything else. */
static uint32_t
seg_of(const struct rte_mbuf *m, uint32_t *seq)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 14);
	const struct rte_tcp_hdr *th;
	uint32_t ihl = (ip->version_ihl & 0xf) * 4;

	if (ip->next_proto_id != IPPROTO_TCP)
		return 0;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, 14 + ihl);
	*seq = rte_be_to_cpu_32(th->sent_seq);
	return rte_be_to_cpu_16(ip->total_length) - ihl - (uint32_t)(th->data_off >> 4) * 4;
}

/* What the tamper hook drops. */
struct plan {
	uint32_t drop_nth[4];      /* server data segments, by order of first transmission */
	unsigned ndrop;
	unsigned copies;           /* transmissions of each chosen segment dropped (2: also its first retransmission) */
	unsigned client_every;     /* drop every Nth frame from the client (ACKs), 0: none */
	/* state */
	uint32_t seen, seq[4], dropped[4], client_frames;
	int have_base;
	uint32_t base;             /* first data sequence number */
};

static int
tamper(void *ctx, int from_server, const struct rte_mbuf *m)
{
	struct plan *pl = ctx;
	uint32_t seq, len;

	if (!from_server)
		return pl->client_every && ++pl->client_frames % pl->client_every == 0;
	if ((len = seg_of(m, &seq)) == 0)
		return 0;
	if (!pl->have_base) {
		pl->have_base = 1;
		pl->base = seq;
	}
	for (unsigned i = 0; i < pl->ndrop; i++) {
		if (pl->dropped[i] > 0 && seq == pl->seq[i])
			return pl->dropped[i] < pl->copies ? (int)++pl->dropped[i] : 0;
	}
	if (seq - pl->base >= pl->seen * 1448u) { /* a first transmission */
		pl->seen++;
		for (unsigned i = 0; i < pl->ndrop; i++)
			if (pl->seen == pl->drop_nth[i]) {
				pl->seq[i] = seq;
				pl->dropped[i] = 1;
				return 1;
			}
	}
	return 0;
}

static const struct client_result *
download(struct plan *pl)
{
	char err[256];
	struct pair_opts o = {
		/*
		 * Buffers larger than the body: with a hole, held data must not fill the
		 * window, or nothing new could be sent after a retransmission.
		 */
		.max_connections = 256, .msl_ms = 100, .mbufs = 8192, .wire = wire_kind,
		.sndbuf = 4 * BODY, .rcvbuf = 4 * BODY,
		.client = { .name = "get", .type = SVC_CLIENT, .port = 80,
			    .target = PAIR_SERVER_IP, .mode = SVC_CLIENT_RPS, .concurrency = 1,
			    .requests = 1, .duration_ms = 0 },
	};

	snprintf(o.client.path, sizeof(o.client.path), "/bytes/%u", BODY);
	memset(&p, 0, sizeof(p));
	p.tamper = pl ? tamper : NULL;
	p.tamper_ctx = pl;
	if (pair_create(&p, &o, err, sizeof(err)) != 0)
		fail_msg("pair_create: %s", err);
	assert_int_equal(pair_run(&p, 20), 0);
	return client_result(pair_client(&p));
}

static uint64_t
server_cnt(const char *name)
{
	return stack_counter(p.server.sw, name);
}

static void
assert_whole_body(const struct client_result *r)
{
	assert_int_equal(r->requests, 1);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->bad_bodies, 0);
	assert_int_equal(r->bytes, BODY);
}

static void
test_no_loss(void **state)
{
	(void)state;
	assert_whole_body(download(NULL));
	assert_int_equal(server_cnt("TcpRetransSegs"), 0);
	/* With TSO the server sends frames of many segments: fewer frames than segments. */
	if (wire_kind != PAIR_WIRE_MSS) {
		assert_true(server_cnt("TcpExtTCPTsoFrames") > 0);
		assert_true(p.server.tso_frames == server_cnt("TcpExtTCPTsoFrames"));
	} else
		assert_int_equal(server_cnt("TcpExtTCPTsoFrames"), 0);
	assert_true(server_cnt("TcpOutSegs") >= BODY / 1448);
	assert_int_equal(pair_destroy(&p), 0);
}

/*
 * LRO: two whole frames lost (the first is 26 segments), each a burst at
 * the end of what was in flight: few segments after them to SACK, so the
 * probe and the RTO may be what repairs them. Whole and byte-exact.
 */
static void
test_whole_frames_lost(void **state)
{
	struct plan pl = { .drop_nth = { 3, 12 }, .ndrop = 2, .copies = 1 };

	(void)state;
	assert_whole_body(download(&pl));
	assert_int_equal(pl.dropped[0] + pl.dropped[1], 2);
	assert_true(server_cnt("TcpRetransSegs") >= 2);
	assert_int_equal(pair_destroy(&p), 0);
}

/* Two segments of one window lost: one SACK recovery resends both, no timeout. */
static void
test_two_losses_one_recovery(void **state)
{
	struct plan pl = { .drop_nth = { 200, 203 }, .ndrop = 2, .copies = 1 };

	(void)state;
	assert_whole_body(download(&pl));
	assert_true(server_cnt("TcpExtTCPSackRecovery") >= 1);
	assert_int_equal(server_cnt("TcpRetransSegs"), 2);
	assert_int_equal(server_cnt("TcpExtTCPTimeouts"), 0);
	assert_int_equal(pl.dropped[0] + pl.dropped[1], 2);
	assert_int_equal(pair_destroy(&p), 0);
}

/* The fast retransmission is lost too: found by the SACKs of data sent after it, not by the RTO. */
static void
test_lost_retransmission_without_rto(void **state)
{
	struct plan pl = { .drop_nth = { 300 }, .ndrop = 1, .copies = 2 };

	(void)state;
	assert_whole_body(download(&pl));
	assert_int_equal(pl.dropped[0], 2);
	assert_true(server_cnt("TcpExtTCPLostRetransmit") >= 1);
	assert_int_equal(server_cnt("TcpExtTCPTimeouts"), 0);
	assert_int_equal(pair_destroy(&p), 0);
}

/* Every 7th ACK lost as well as three data segments: still whole, still no leak. */
static void
test_ack_loss_and_data_loss(void **state)
{
	struct plan pl = { .drop_nth = { 50, 400, 401 }, .ndrop = 3, .copies = 1,
				  .client_every = 7 };

	(void)state;
	assert_whole_body(download(&pl));
	assert_true(server_cnt("TcpRetransSegs") >= 3);
	assert_true(p.client.tampered > 0);
	assert_int_equal(pair_destroy(&p), 0);
}

/*
 * Flow tables that file every tuple in one home bucket (the last, so runs
 * wrap around): the server's with one signature for all, the client's with
 * one per local port. Each lookup, the burst's and the single ones after a
 * SYN or a close, must then walk runs of full buckets; every connection
 * must still find its TCB.
 */
static void
one_home(struct flowtab *ft, uint64_t per_port)
{
	ft->key[0] = (uint64_t)ft->mask << ft->shift;
	ft->key[1] = ft->key[2] = 0;
	ft->key[3] = per_port;
}

static void
test_connections_in_one_bucket(void **state)
{
	char err[256];
	struct pair_opts o = {
		.max_connections = 4096, .msl_ms = 2000, .mbufs = 8192, .wire = wire_kind,
		.client = { .name = "cps", .type = SVC_CLIENT, .port = 80, .path = "/bytes/100",
			    .target = PAIR_SERVER_IP, .mode = SVC_CLIENT_CPS, .concurrency = 32,
			    .requests = 1000, .duration_ms = 0 },
	};
	const struct client_result *r;
	const struct flowtab *cf, *sf;

	(void)state;
	memset(&p, 0, sizeof(p));
	if (pair_create(&p, &o, err, sizeof(err)) != 0)
		fail_msg("pair_create: %s", err);
	sf = &p.server.sw->tcp.flows;
	cf = &p.client.sw->tcp.flows;
	one_home(&p.server.sw->tcp.flows, 0);
	/* The local port is the ports word's high half: it lands in the signature's bits. */
	one_home(&p.client.sw->tcp.flows, 1ull << (cf->sig_shift - 16));
	assert_int_equal(pair_run(&p, 20), 0);
	r = client_result(pair_client(&p));
	/* The last round of the 32 connections finishes what it started. */
	assert_in_range(r->requests, 1000, 1000 + 32);
	assert_int_equal(r->connections, r->requests);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->bad_bodies, 0);
	/* TIME-WAIT keeps the closed ones filed: the runs went past the home bucket. */
	assert_true(sf->b[sf->mask].passed + cf->b[cf->mask].passed > 0);
	assert_int_equal(pair_destroy(&p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss),
		cmocka_unit_test(test_two_losses_one_recovery),
		cmocka_unit_test(test_lost_retransmission_without_rto),
		cmocka_unit_test(test_ack_loss_and_data_loss),
		cmocka_unit_test(test_connections_in_one_bucket),
	};
	const struct CMUnitTest lro_tests[] = {
		cmocka_unit_test(test_no_loss),
		cmocka_unit_test(test_whole_frames_lost),
	};
	int failed = 0;

	test_eal_init();
	wire_kind = PAIR_WIRE_MSS;
	failed += cmocka_run_group_tests_name("MSS-sized frames", tests, NULL, NULL);
	wire_kind = PAIR_WIRE_TSO;
	failed += cmocka_run_group_tests_name("TSO, cut on the wire", tests, NULL, NULL);
	wire_kind = PAIR_WIRE_TSO_LRO;
	failed += cmocka_run_group_tests_name("TSO and LRO, whole frames", lro_tests, NULL, NULL);
	return failed;
}
