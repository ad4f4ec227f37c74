/*
 * tern-bench conn: connections and requests per second of tern against
 * tern, in memory. Two complete stacks (net, TCP, services) share one core:
 * a client (the `client` service of lib/app, the same code `type = client`
 * runs) and a server (the `http` service). What one side transmits goes to
 * the other's receive ring, marked as a checksum-offloading NIC pair would
 * (filled by the sender's NIC, verified by the receiver's). The core does
 * everything both ends do, as Linux does for a client and a server on one
 * core over loopback, which is the baseline (tern-linux-conn of
 * bench/linux_conn.c, run after each tern run with --linux PATH).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "app/client.h"
#include "bench.h"
#include "pair.h"

struct conn_run {
	struct client_result res;
	uint64_t frames, ring_full, cycles;
};

static int
conn_once(const struct bench_opts *o, struct conn_run *r, char *err, size_t errlen)
{
	static struct pair p;
	struct pair_opts po = {
		/* Thousands of connections a second end in TIME-WAIT: keep it short, the table large. */
		.max_connections = 1u << 18, .msl_ms = 500, .mbufs = 131072,
		.client = { .name = "load", .type = TERN_SVC_CLIENT, .port = 80,
			    .target = PAIR_SERVER_IP, .mode = o->conn_mode,
			    .concurrency = o->concurrency,
			    .duration_ms = (uint32_t)(o->seconds * 1000) },
	};
	uint64_t t0;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	snprintf(po.client.path, sizeof(po.client.path), "/bytes/%u", o->conn_bytes);
	if (pair_create(&p, &po, err, errlen) == 0) {
		t0 = rte_rdtsc();
		if (pair_run(&p, o->seconds + 15) != 0)
			snprintf(err, errlen, "the client did not finish within %.0f s", o->seconds + 15);
		else
			rc = 0;
		r->cycles = rte_rdtsc() - t0;
		r->res = *client_result(pair_client(&p));
		r->frames = p.client.frames_out + p.server.frames_out;
		r->ring_full = p.client.ring_full + p.server.ring_full;
	}
	pair_destroy(&p);
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

/* The index of the run whose value is bench_median's (the lower middle). */
static unsigned
median_index(const double *v, unsigned n)
{
	double sorted[BENCH_MAX_RUNS], m;

	memcpy(sorted, v, n * sizeof(double));
	m = bench_median(sorted, n);
	for (unsigned i = 0; i < n; i++)
		if (v[i] == m)
			return i;
	return 0;
}

/* One mode: o->runs runs of tern against tern, the median run reported, then Linux once per run. */
static int
conn_mode(struct bench_opts *o, unsigned mode, FILE *out)
{
	static struct conn_run runs[BENCH_MAX_RUNS];
	double rates[BENCH_MAX_RUNS], sorted[BENCH_MAX_RUNS], lrates[BENCH_MAX_RUNS];
	double lp50[BENCH_MAX_RUNS] = { 0 };
	char err[256];
	unsigned med = 0, lmed = 0;

	o->conn_mode = mode;
	for (unsigned i = 0; i < o->runs; i++) {
		double secs;

		if (conn_once(o, &runs[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "tern-bench: conn: %s\n", err);
			return -1;
		}
		secs = (double)(runs[i].res.end_tsc - runs[i].res.start_tsc) / (double)rte_get_tsc_hz();
		rates[i] = sorted[i] = secs > 0 ? (double)runs[i].res.requests / secs : 0;
		lrates[i] = o->linux_conn ? linux_baseline(o, rte_lcore_id(), &lp50[i]) : 0;
	}
	bench_median(sorted, o->runs); /* sorts: min, median, max for the report */
	med = median_index(rates, o->runs);
	lmed = median_index(lrates, o->runs); /* Linux's figures come from its own median run */
	print_conn(out, o, mode == TERN_CLIENT_CPS ? "cps" : "rps", sorted, o->runs, &runs[med],
		   lrates[lmed], lp50[lmed]);
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
