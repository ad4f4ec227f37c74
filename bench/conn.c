/*
 * tern-bench conn: connections and requests per second of tern against
 * tern, in memory. Two complete stacks (net, TCP, services): a client (the
 * `client` service of lib/svc, the same code `type = client` runs) and a
 * server (the `http` service).
 *
 * one-core (default): both share one core. What one side transmits goes to
 * the other's receive ring, marked as a checksum-offloading NIC pair would
 * (filled by the sender's NIC, verified by the receiver's). The core does
 * everything both ends do, as Linux does for a client and a server on one
 * core over loopback.
 *
 * two-cores: each stack on its own lcore, over a net_ring port pair
 * (pair_ring.c), polled by tern_worker_poll as the runtime polls a NIC.
 *
 * The baseline, with --linux PATH after each tern run on the same cores:
 * tern-linux-conn (bench/linux_conn.c) over loopback, and over a veth pair
 * between two network namespaces (bench/linux_conn_veth.sh, root only).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "svc/client.h"
#include "bench.h"
#include "core/counters.h"
#include "pair.h"

struct conn_run {
	struct client_result res;
	uint64_t frames, ring_full, cycles;
};

/* What Linux did in one run: loopback and veth (0 when not measured). */
struct linux_run {
	double rate, p50_us, veth_rate, veth_p50_us;
};

/* Frames both sides handed to their port, and frames lost to a full wire. */
static void
wire_counts(struct pair *p, struct conn_run *r)
{
	const struct core_counters *c = &p->client.sw->w.cnt, *s = &p->server.sw->w.cnt;

	r->frames = CNT_GET(c, PortTxPackets) + CNT_GET(s, PortTxPackets);
	r->ring_full = CNT_GET(c, PortTxDropFull) + CNT_GET(s, PortTxDropFull);
}

/* TERN_BENCH_COUNTERS=1: each side's non-zero counters after a run, on stderr (for finding what limits it). */
static void
print_counters(struct pair *p)
{
	const struct tern_counter_layout *l = stack_counters();
	uint64_t *v = calloc(l->total, sizeof(*v));

	if (v == NULL)
		return;
	for (int side = 0; side < 2; side++) {
		fprintf(stderr, "conn: %s counters\n", side ? "server" : "client");
		tern_counters_read(l, side ? p->server.sw : p->client.sw, v);
		tern_counters_print(stderr, l, v, 0);
	}
	free(v);
}

/* A figure from a wire that dropped what a NIC pair would deliver is no figure. */
static int
wire_check(struct pair *p, char *err, size_t errlen)
{
	/* ring_full: the one-core wire's own losses (a full ring, no mbufs to cut a TSO frame). */
	if (bench_wire_check(p->client.sw, "client", p->client.ring_full, err, errlen) != 0 ||
	    bench_wire_check(p->server.sw, "server", p->server.ring_full, err, errlen) != 0)
		return -1;
	return 0;
}

static int
conn_once(const struct bench_opts *o, struct conn_run *r, char *err, size_t errlen)
{
	static struct pair p;
	static struct pair_wire wire;
	struct pair_opts po = {
		/* Thousands of connections a second end in TIME-WAIT: keep it short, the table large. */
		.max_connections = 1u << 18, .msl_ms = 500, .mbufs = 131072, .wire = o->wire,
		.client = { .name = "load", .type = SVC_CLIENT, .port = 80,
			    .target = PAIR_SERVER_IP, .mode = o->conn_mode,
			    .concurrency = o->concurrency, .rate = o->rate,
			    .duration_ms = (uint32_t)(o->seconds * 1000) },
	};
	uint64_t t0;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	wire = (struct pair_wire){ .port = { -1, -1 } };
	snprintf(po.client.path, sizeof(po.client.path), "/bytes/%u", o->conn_bytes);
	if (pair_create(&p, &po, err, errlen) == 0 &&
	    (!o->two_cores || pair_wire_attach(&wire, &p, err, errlen) == 0)) {
		t0 = rte_rdtsc();
		if ((o->two_cores ? pair_wire_run(&wire, o->core2, o->seconds + 15)
				  : pair_run(&p, o->seconds + 15)) != 0)
			snprintf(err, errlen, "the client did not finish within %.0f s", o->seconds + 15);
		else
			rc = 0;
		r->cycles = rte_rdtsc() - t0;
		r->res = *client_result(pair_client(&p));
		if (getenv("TERN_BENCH_COUNTERS") != NULL)
			print_counters(&p);
		if (rc == 0)
			rc = wire_check(&p, err, errlen);
		if (o->two_cores) {
			wire_counts(&p, r);
		} else {
			r->frames = p.client.frames_out + p.server.frames_out;
			r->ring_full = p.client.ring_full + p.server.ring_full;
		}
	}
	if (o->two_cores)
		pair_wire_detach(&wire);
	pair_destroy(&p);
	return rc;
}

/*
 * Runs a tern-linux-conn client command and returns its rate (0 when it did
 * not run) and p50 in *p50_us. Lines of linux_conn_veth.sh saying why it
 * could not run go to stderr; *said tells whether there was one.
 */
static double
linux_client(const char *cmd, double *p50_us, int *said)
{
	char line[1024];
	double rate = 0;
	FILE *f;

	*p50_us = 0;
	f = popen(cmd, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *r = strstr(line, "\"rate\":"), *p = strstr(line, "\"p50_us\":");

		if (r != NULL)
			rate = strtod(r + 7, NULL);
		if (p != NULL)
			*p50_us = strtod(p + 9, NULL);
		if (strncmp(line, "linux_conn_veth:", 16) == 0) {
			fputs(line, stderr);
			*said = 1;
		}
	}
	pclose(f);
	return rate;
}

/* The client's options: the same mode, concurrency, answer size and duration as tern's run. */
static void
client_args(const struct bench_opts *o, char *buf, size_t len)
{
	int n = snprintf(buf, len, "--mode %s --concurrency %u --bytes %u --seconds %.3f --json",
			 o->conn_mode == SVC_CLIENT_CPS ? "cps" : "rps", o->concurrency, o->conn_bytes,
			 o->seconds);

	if (o->rate != 0 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " --rate %u", o->rate);
}

/* Loopback: the server on srv_cpu, the client on cl_cpu (the same CPU for one core). */
static double
linux_loopback(const struct bench_opts *o, unsigned srv_cpu, unsigned cl_cpu, double *p50_us)
{
	char cmd[1024], args[256];
	unsigned port = 20000 + (unsigned)(getpid() % 20000);
	int said = 0;

	client_args(o, args, sizeof(args));
	snprintf(cmd, sizeof(cmd),
		 "%s server --addr 127.0.0.1 --port %u --cpu %u >/dev/null 2>&1 & srv=$!; sleep 0.3; "
		 "%s client --addr 127.0.0.1 --port %u --cpu %u %s 2>/dev/null; "
		 "kill $srv; wait $srv 2>/dev/null",
		 o->linux_conn, port, srv_cpu, o->linux_conn, port, cl_cpu, args);
	return linux_client(cmd, p50_us, &said);
}

/*
 * Over a veth pair between two namespaces (linux_conn_veth.sh, next to
 * tern-linux-conn). Without root, the script or namespaces, one line on
 * stderr and no further attempt: the figure is then 0.
 */
static double
linux_veth(const struct bench_opts *o, unsigned srv_cpu, unsigned cl_cpu, double *p50_us)
{
	static int off;
	char cmd[1536], args[256], script[1024];
	const char *slash = strrchr(o->linux_conn, '/');
	double rate;
	int said = 0;

	*p50_us = 0;
	if (off)
		return 0;
	off = 1;
	snprintf(script, sizeof(script), "%.*s%slinux_conn_veth.sh",
		 slash ? (int)(slash - o->linux_conn) : 0, o->linux_conn, slash ? "/" : "");
	if (geteuid() != 0) {
		fprintf(stderr, "conn: not root, no Linux baseline over veth\n");
		return 0;
	}
	if (access(script, R_OK) != 0) {
		fprintf(stderr, "conn: %s not found, no Linux baseline over veth\n", script);
		return 0;
	}
	client_args(o, args, sizeof(args));
	/* The client's own report line goes nowhere: only the JSON line is read. */
	snprintf(cmd, sizeof(cmd), "bash '%s' '%s' %u %u %s 2>&1", script, o->linux_conn, srv_cpu,
		 cl_cpu, args);
	rate = linux_client(cmd, p50_us, &said);
	if (rate <= 0 && !said)
		fprintf(stderr, "conn: the Linux baseline over veth gave no figure\n");
	off = rate <= 0;
	return rate;
}

/* Linux on the cores tern just used: the server where tern's server ran, the client where tern's client ran. */
static void
linux_baseline(const struct bench_opts *o, struct linux_run *l)
{
	unsigned cl_cpu = rte_lcore_id(), srv_cpu = o->two_cores ? o->core2 : cl_cpu;

	*l = (struct linux_run){ 0 };
	if (o->linux_conn == NULL)
		return;
	l->rate = linux_loopback(o, srv_cpu, cl_cpu, &l->p50_us);
	l->veth_rate = linux_veth(o, srv_cpu, cl_cpu, &l->veth_p50_us);
}

static void
print_conn(FILE *out, const struct bench_opts *o, const char *mode, double *rates, unsigned runs,
	   const struct conn_run *med, const struct linux_run *l)
{
	unsigned cores = o->two_cores ? 2 : 1;
	double secs = (double)(med->res.end_tsc - med->res.start_tsc) / (double)rte_get_tsc_hz();
	double wall = (double)med->cycles / (double)rte_get_tsc_hz();
	double pps = wall > 0 ? (double)med->frames / wall : 0;
	double rmin = rates[0], rmax = rates[runs - 1], rmed = rates[(runs - 1) / 2];
	double p50 = (double)lat_quantile(&med->res.lat, 0.5) / 1000.0;
	double p99 = (double)lat_quantile(&med->res.lat, 0.99) / 1000.0;
	double p999 = (double)lat_quantile(&med->res.lat, 0.999) / 1000.0;
	double ratio = l->rate > 0 ? rmed / l->rate : 0;
	double ratio_veth = l->veth_rate > 0 ? rmed / l->veth_rate : 0;
	/* CPU cycles: every core of the layout spent the whole run on it. */
	double cycles = (double)med->cycles * cores;

	fprintf(stderr, "%-4s %6u %10.0f %10.0f %10.0f %10.0f %8.1f %8.1f %8.1f %9" PRIu64 " %6"
		PRIu64 " %10.0f %6.2f %10.0f %6.2f\n", mode, o->concurrency, rmin, rmed, rmax,
		rmed / cores, p50, p99, p999, med->res.connections, med->res.errors, l->rate, ratio,
		l->veth_rate, ratio_veth);
	if (!o->json)
		return;
	fprintf(out, "{\"bench\":\"conn\",\"scenario\":\"%s\",\"flows\":%u,\"cores\":%u,"
		"\"layout\":\"%s\",\"wire\":\"%s\",\"bytes\":%u,\"packets\":%" PRIu64 ",\"seconds\":%.3f,"
		"\"mpps\":%.4f,\"ns_per_pkt\":%.1f,\"cycles_per_pkt\":%.0f,\"requests\":%" PRIu64 ","
		"\"connections\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"rate\":%.1f,"
		"\"rate_min\":%.1f,\"rate_max\":%.1f,\"rate_per_core\":%.1f,"
		"\"cycles_per_request\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
		"\"ring_full\":%" PRIu64 ",\"linux_rate\":%.1f,\"linux_p50_us\":%.1f,\"ratio\":%.3f,"
		"\"linux_veth_rate\":%.1f,\"linux_veth_p50_us\":%.1f,\"ratio_veth\":%.3f}\n",
		mode, o->concurrency, cores, o->two_cores ? "two-cores" : "one-core",
		o->wire == PAIR_WIRE_TSO_LRO ? "tso-lro" : o->wire == PAIR_WIRE_TSO ? "tso" : "mss",
		o->conn_bytes,
		med->frames, secs, pps / 1e6,
		med->frames ? wall * cores * 1e9 / (double)med->frames : 0,
		med->frames ? cycles / (double)med->frames : 0, med->res.requests,
		med->res.connections, med->res.errors, rmed, rmin, rmax, rmed / cores,
		med->res.requests ? cycles / (double)med->res.requests : 0, p50, p99, p999,
		med->ring_full, l->rate, l->p50_us, ratio, l->veth_rate, l->veth_p50_us, ratio_veth);
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

/* Linux's figures come from its own median runs, loopback and veth each. */
static void
linux_median(const struct linux_run *runs, unsigned n, struct linux_run *med)
{
	double lo[BENCH_MAX_RUNS], veth[BENCH_MAX_RUNS];
	unsigned v;

	for (unsigned i = 0; i < n; i++) {
		lo[i] = runs[i].rate;
		veth[i] = runs[i].veth_rate;
	}
	v = median_index(veth, n);
	*med = runs[median_index(lo, n)];
	med->veth_rate = runs[v].veth_rate;
	med->veth_p50_us = runs[v].veth_p50_us;
}

/* One mode: o->runs runs of tern against tern, the median run reported, then Linux once per run. */
static int
conn_mode(struct bench_opts *o, unsigned mode, FILE *out)
{
	static struct conn_run runs[BENCH_MAX_RUNS];
	struct linux_run lruns[BENCH_MAX_RUNS], lmed;
	double rates[BENCH_MAX_RUNS], sorted[BENCH_MAX_RUNS];
	char err[256];
	unsigned med = 0;

	o->conn_mode = mode;
	for (unsigned i = 0; i < o->runs; i++) {
		double secs;

		if (conn_once(o, &runs[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "tern-bench: conn: %s\n", err);
			return -1;
		}
		if (runs[i].res.bad_bodies != 0) { /* a figure for wrong bytes is no figure */
			fprintf(stderr, "tern-bench: conn: %" PRIu64 " answers failed the pattern check\n",
				runs[i].res.bad_bodies);
			return -1;
		}
		secs = (double)(runs[i].res.end_tsc - runs[i].res.start_tsc) / (double)rte_get_tsc_hz();
		rates[i] = sorted[i] = secs > 0 ? (double)runs[i].res.requests / secs : 0;
		linux_baseline(o, &lruns[i]);
	}
	bench_median(sorted, o->runs); /* sorts: min, median, max for the report */
	med = median_index(rates, o->runs);
	linux_median(lruns, o->runs, &lmed);
	print_conn(out, o, mode == SVC_CLIENT_CPS ? "cps" : "rps", sorted, o->runs, &runs[med],
		   &lmed);
	return 0;
}

int
bench_conn(const struct bench_opts *o_in, FILE *out)
{
	struct bench_opts o = *o_in;

	if (o.rate != 0 && (o.conn_modes & 2)) {
		fprintf(stderr, "tern-bench: conn: --rate needs --mode rps\n");
		return -1;
	}
	if (o.two_cores)
		fprintf(stderr, "conn: tern client on lcore %u, tern http server on lcore %u, over a "
			"net_ring pair, %u-byte answers, %.1f s x %u runs; Linux: tern-linux-conn, "
			"client and server on the same two CPUs, over loopback and veth\n",
			rte_lcore_id(), o.core2, o.conn_bytes, o.seconds, o.runs);
	else
		fprintf(stderr, "conn: tern client and tern http server on one core (lcore %u), "
			"wire %s, %u-byte answers, %.1f s x %u runs; Linux: tern-linux-conn over "
			"loopback and veth on the same core\n", rte_lcore_id(),
			o.wire == PAIR_WIRE_TSO_LRO ? "TSO+LRO (frames pass whole)" :
			o.wire == PAIR_WIRE_TSO ? "TSO (cut on the wire)" : "MSS frames",
			o.conn_bytes, o.seconds, o.runs);
	fprintf(stderr, "%-4s %6s %10s %10s %10s %10s %8s %8s %8s %9s %6s %10s %6s %10s %6s\n",
		"mode", "conc", "req/s min", "median", "max", "per core", "p50 us", "p99 us",
		"p999 us", "conns", "errors", "Linux lo", "ratio", "Linux veth", "ratio");
	for (unsigned m = 0; m < 2; m++)
		if ((o.conn_modes & (1u << m)) && conn_mode(&o, m, out) != 0)
			return -1;
	return 0;
}
