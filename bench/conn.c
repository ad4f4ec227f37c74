/*
 * tern-bench conn: connections and requests per second of tern against
 * tern, in memory. Two complete stacks (net, TCP, services) share one core:
 * a client (the `client` service of lib/app, the same code `type = client`
 * runs) and a server (the `http` service). What one side transmits goes to
 * the other's receive ring, marked as a checksum-offloading NIC pair would
 * (filled by the sender's NIC, verified by the receiver's). The core does
 * everything both ends do, as Linux does for a client and a server on one
 * core over loopback, which is the baseline (bench/linux_conn.c, run by
 * bench/conn.sh in the same run).
 */
#include <errno.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "app/client.h"
#include "app/services.h"
#include "bench.h"
#include "core/counters.h"
#include "net/arp_cache.h"

#define CONN_RING 4096
#define SERVER_IP 0xc6120001u /* 198.18.0.1 */
#define CLIENT_IP 0xc6120002u /* 198.18.0.2 */

struct conn_side {
	struct tern_config cfg;
	struct tern_port port;
	struct rte_mempool *pool;
	struct stack_worker *sw;
	struct rte_ring *rx;          /* frames the other side sent */
	struct conn_side *peer;
	uint64_t frames_out, ring_full;
};

/* The wire: frames go to the peer's ring as a NIC pair with checksum offloads would hand them over. */
static void
side_tx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct conn_side *s = w->tx_hook_ctx;
	unsigned k;

	(void)port;
	for (uint16_t i = 0; i < n; i++) {
		pkts[i]->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		pkts[i]->port = 0;
	}
	k = rte_ring_enqueue_burst(s->peer->rx, (void **)pkts, n, NULL);
	s->frames_out += k;
	if (k < n) {
		s->ring_full += n - k;
		rte_pktmbuf_free_bulk(pkts + k, n - k);
	}
}

static void
side_poll(struct conn_side *s)
{
	struct tern_worker *w = &s->sw->w;
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned n = rte_ring_dequeue_burst(s->rx, (void **)pkts, BENCH_BURST, NULL);

	w->now = rte_rdtsc();
	if (n > 0) {
		CNT_ADD(&w->cnt, PortRxPackets, n);
		stack_app.ops->rx(w, 0, pkts, (uint16_t)n);
	}
	stack_app.ops->tick(w);
	tern_worker_flush(w);
}

static void
side_config(struct conn_side *s, uint32_t ip, const struct bench_opts *o, int client)
{
	struct tern_service_cfg *svc = &s->cfg.services[0];

	tern_config_defaults(&s->cfg);
	s->cfg.nports = 1;
	s->cfg.ports[0].mtu = 1500;
	s->cfg.log_level = RTE_LOG_ERR;
	/* Thousands of connections a second end in TIME-WAIT: keep it short, the table large. */
	s->cfg.tcp.max_connections = 1u << 18;
	s->cfg.tcp.msl_ms = 500;
	s->cfg.nservices = 1;
	snprintf(svc->name, sizeof(svc->name), client ? "load" : "http");
	svc->type = client ? TERN_SVC_CLIENT : TERN_SVC_HTTP;
	svc->port = 80;
	if (client) {
		svc->target = SERVER_IP;
		svc->mode = o->conn_mode;
		svc->concurrency = o->concurrency;
		snprintf(svc->path, sizeof(svc->path), "/bytes/%u", o->conn_bytes);
		svc->duration_ms = (uint32_t)(o->seconds * 1000);
	}
	(void)ip;
}

static int
side_init(struct conn_side *s, const char *name, uint32_t ip, uint8_t mac_last,
	  const struct bench_opts *o, int client, char *err, size_t errlen)
{
	char pname[RTE_MEMPOOL_NAMESIZE];
	int rc;

	side_config(s, ip, o, client);
	s->port = (struct tern_port){ .index = 0, .nb_queues = 1, .mtu = 1500,
		.mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, mac_last } },
		.addr = rte_cpu_to_be_32(ip), .netmask = RTE_BE32(0xffffff00), .reta_size = 1,
		.rx_ip_cksum = 1, .rx_l4_cksum = 1, .tx_ip_cksum = 1, .tx_tcp_cksum = 1,
		.tx_cksum_chained = 1, .cfg = &s->cfg.ports[0] };
	static unsigned serial;

	serial++;
	snprintf(pname, sizeof(pname), "conn_pool_%s_%u", name, serial);
	s->pool = bench_pool_create(pname, 65536);
	snprintf(pname, sizeof(pname), "conn_rx_%s_%u", name, serial);
	s->rx = rte_ring_create(pname, CONN_RING, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	s->sw = rte_zmalloc("conn_worker", sizeof(*s->sw), RTE_CACHE_LINE_SIZE);
	if (s->pool == NULL || s->rx == NULL || s->sw == NULL) {
		snprintf(err, errlen, "%s: cannot allocate pool, ring or worker: %s", name,
			 rte_strerror(rte_errno));
		return -1;
	}
	rc = tern_worker_init(&s->sw->w, 0, 1, &s->port, 1, s->pool, stack_app.ops, NULL);
	if (rc == 0) {
		s->sw->w.tx_hook = side_tx;
		s->sw->w.tx_hook_ctx = s;
		s->sw->w.now = rte_rdtsc();
		rc = stack_app.worker_init(&s->sw->w, &s->cfg);
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: worker init: %s", name, rte_strerror(-rc));
		return -1;
	}
	return 0;
}

/* After the run: what either side still sends goes nowhere. */
static void
tx_discard(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w;
	(void)port;
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
side_stop(struct conn_side *s)
{
	struct rte_mbuf *m;

	if (s->sw != NULL) {
		s->sw->w.tx_hook = tx_discard;
		if (s->sw->tcp.tcbs != NULL)
			stack_app.worker_fini(&s->sw->w);
		tern_worker_flush(&s->sw->w);
		tern_worker_fini(&s->sw->w);
		rte_free(s->sw);
		s->sw = NULL;
	}
	while (s->rx != NULL && rte_ring_dequeue(s->rx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* Only once both sides have stopped: mbufs of one pool may wait in the other's ring. */
static void
side_free(struct conn_side *s, const char *name)
{
	rte_ring_free(s->rx);
	if (s->pool != NULL) {
		unsigned used = rte_mempool_in_use_count(s->pool);

		if (used != 0)
			fprintf(stderr, "tern-bench: conn: %u mbufs of the %s side not returned\n",
				used, name);
		else
			rte_mempool_free(s->pool);
	}
}

/* The peers know each other's MAC from the start, as after the first ARP exchange. */
static void
learn_peer(struct conn_side *s)
{
	struct rte_mbuf *out[8];

	arp_cache_learn(s->sw->net.arp, 0, s->peer->port.addr, &s->peer->port.mac, rte_rdtsc(), 1,
			out, RTE_DIM(out));
}

struct conn_run {
	struct client_result res;
	uint64_t frames, ring_full, cycles;
};

/* Tears the client's connections down after the run: both sides drain until idle. */
static void
drain(struct conn_side *c, struct conn_side *s, struct client_worker *cw)
{
	uint64_t until = rte_rdtsc() + rte_get_tsc_hz() * (uint64_t)(c->cfg.services[0].duration_ms / 1000 + 15);

	while (!client_done(cw) && rte_rdtsc() < until) {
		side_poll(c);
		side_poll(s);
	}
}

static int
conn_once(const struct bench_opts *o, struct conn_run *r, char *err, size_t errlen)
{
	struct conn_side srv = { 0 }, cli = { 0 };
	struct client_worker *cw;
	uint64_t t0;
	int rc = -1;

	srv.peer = &cli;
	cli.peer = &srv;
	if (side_init(&srv, "server", SERVER_IP, 1, o, 0, err, errlen) != 0 ||
	    side_init(&cli, "client", CLIENT_IP, 2, o, 1, err, errlen) != 0)
		goto out;
	learn_peer(&srv);
	learn_peer(&cli);
	cw = services_client(cli.sw->app, 0);
	t0 = rte_rdtsc();
	drain(&cli, &srv, cw); /* the run itself: until the client has finished */
	r->cycles = rte_rdtsc() - t0;
	r->res = *client_result(cw);
	r->frames = cli.frames_out + srv.frames_out;
	r->ring_full = cli.ring_full + srv.ring_full;
	rc = 0;
out:
	side_stop(&cli);
	side_stop(&srv);
	side_stop(&cli); /* frames the server sent while it stopped */
	side_free(&cli, "client");
	side_free(&srv, "server");
	return rc;
}

/*
 * Linux on the same core: tern-linux-conn's server and client over
 * loopback, the same mode, concurrency, answer size and duration. Returns
 * the client's rate (0 when it did not run) and its p50 in *p50_us.
 */
static double
linux_baseline(const struct bench_opts *o, unsigned cpu, double *p50_us)
{
	char cmd[1024], line[1024];
	unsigned port = 20000 + (unsigned)(getpid() % 20000);
	double rate = 0;
	FILE *f;

	*p50_us = 0;
	snprintf(cmd, sizeof(cmd),
		 "%s server --addr 127.0.0.1 --port %u --cpu %u >/dev/null 2>&1 & srv=$!; sleep 0.3; "
		 "%s client --addr 127.0.0.1 --port %u --cpu %u --mode %s --concurrency %u "
		 "--bytes %u --seconds %.3f --json 2>/dev/null; kill $srv; wait $srv 2>/dev/null",
		 o->linux_conn, port, cpu, o->linux_conn, port, cpu,
		 o->conn_mode == TERN_CLIENT_CPS ? "cps" : "rps", o->concurrency, o->conn_bytes,
		 o->seconds);
	f = popen(cmd, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *r = strstr(line, "\"rate\":"), *p = strstr(line, "\"p50_us\":");

		if (r != NULL)
			rate = strtod(r + 7, NULL);
		if (p != NULL)
			*p50_us = strtod(p + 9, NULL);
	}
	pclose(f);
	return rate;
}

static void
print_conn(FILE *out, const struct bench_opts *o, const char *mode, double *rates, unsigned runs,
	   const struct conn_run *med, double linux_rate, double linux_p50)
{
	double secs = (double)(med->res.end_tsc - med->res.start_tsc) / (double)rte_get_tsc_hz();
	double wall = (double)med->cycles / (double)rte_get_tsc_hz();
	double pps = wall > 0 ? (double)med->frames / wall : 0;
	double rmin = rates[0], rmax = rates[runs - 1], rmed = rates[(runs - 1) / 2];
	double p50 = (double)lat_quantile(&med->res.lat, 0.5) / 1000.0;
	double p99 = (double)lat_quantile(&med->res.lat, 0.99) / 1000.0;
	double p999 = (double)lat_quantile(&med->res.lat, 0.999) / 1000.0;
	double ratio = linux_rate > 0 ? rmed / linux_rate : 0;

	fprintf(stderr, "%-4s %6u %10.0f %10.0f %10.0f %9.1f %9.1f %9.1f %10" PRIu64 " %6" PRIu64
		" %10.0f %6.2f\n", mode, o->concurrency, rmin, rmed, rmax, p50, p99, p999,
		med->res.connections, med->res.errors, linux_rate, ratio);
	if (!o->json)
		return;
	fprintf(out, "{\"bench\":\"conn\",\"scenario\":\"%s\",\"flows\":%u,\"cores\":1,"
		"\"bytes\":%u,\"packets\":%" PRIu64 ",\"seconds\":%.3f,\"mpps\":%.4f,"
		"\"ns_per_pkt\":%.1f,\"cycles_per_pkt\":%.0f,\"requests\":%" PRIu64 ","
		"\"connections\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"rate\":%.1f,"
		"\"rate_min\":%.1f,\"rate_max\":%.1f,\"cycles_per_request\":%.0f,"
		"\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"ring_full\":%" PRIu64 ","
		"\"linux_rate\":%.1f,\"linux_p50_us\":%.1f,\"ratio\":%.3f}\n",
		mode, o->concurrency, o->conn_bytes, med->frames, secs, pps / 1e6,
		med->frames ? wall * 1e9 / (double)med->frames : 0,
		med->frames ? (double)med->cycles / (double)med->frames : 0, med->res.requests,
		med->res.connections, med->res.errors, rmed, rmin, rmax,
		med->res.requests ? (double)med->cycles / (double)med->res.requests : 0,
		p50, p99, p999, med->ring_full, linux_rate, linux_p50, ratio);
	fflush(out);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One mode: o->runs runs of tern against tern, the median run reported, then Linux once per run. */
static int
conn_mode(struct bench_opts *o, unsigned mode, FILE *out)
{
	static struct conn_run runs[BENCH_MAX_RUNS];
	double rates[BENCH_MAX_RUNS], sorted[BENCH_MAX_RUNS], lrates[BENCH_MAX_RUNS];
	double lp50 = 0, lmed;
	char err[256];
	unsigned med = 0;

	o->conn_mode = mode;
	for (unsigned i = 0; i < o->runs; i++) {
		double secs;

		if (conn_once(o, &runs[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "tern-bench: conn: %s\n", err);
			return -1;
		}
		secs = (double)(runs[i].res.end_tsc - runs[i].res.start_tsc) / (double)rte_get_tsc_hz();
		rates[i] = sorted[i] = secs > 0 ? (double)runs[i].res.requests / secs : 0;
		lrates[i] = o->linux_conn ? linux_baseline(o, rte_lcore_id(), &lp50) : 0;
	}
	qsort(sorted, o->runs, sizeof(double), cmp_double);
	for (unsigned i = 0; i < o->runs; i++)
		if (rates[i] == sorted[(o->runs - 1) / 2])
			med = i;
	qsort(lrates, o->runs, sizeof(double), cmp_double);
	lmed = lrates[(o->runs - 1) / 2];
	print_conn(out, o, mode == TERN_CLIENT_CPS ? "cps" : "rps", sorted, o->runs, &runs[med],
		   lmed, lp50);
	return 0;
}

int
bench_conn(const struct bench_opts *o_in, FILE *out)
{
	struct bench_opts o = *o_in;

	fprintf(stderr, "conn: tern client and tern http server on one core (lcore %u), "
		"%u-byte answers, %.1f s x %u runs; Linux: tern-linux-conn over loopback on the same core\n",
		rte_lcore_id(), o.conn_bytes, o.seconds, o.runs);
	fprintf(stderr, "%-4s %6s %10s %10s %10s %9s %9s %9s %10s %6s %10s %6s\n", "mode", "conc",
		"req/s min", "median", "max", "p50 us", "p99 us", "p999 us", "conns", "errors",
		"Linux", "ratio");
	for (unsigned m = 0; m < 2; m++)
		if ((o.conn_modes & (1u << m)) && conn_mode(&o, m, out) != 0)
			return -1;
	return 0;
}
