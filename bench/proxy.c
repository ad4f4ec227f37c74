/*
 * tern-bench proxy: requests per second through tern's proxy, in memory.
 * Three whole workers on one core (bench/lab.c on the TSC): a client (the
 * `client` service), the proxy (a frontend on 198.18.0.10:80, one server)
 * and an http server, on two Ethernet segments handed over as checksum-
 * offloading NICs would. The core runs all three; the cycles each one's
 * loops take are counted apart, so the proxy's own rate per core is
 * requests / the proxy's CPU seconds.
 *
 * The baseline, with --haproxy PATH (tern-linux-conn; haproxy_conn.sh next
 * to it): HAProxy 2.6 in mode tcp between tern-linux-conn's client and
 * server over loopback, HAProxy on its own CPU, the peers on another, its
 * rate per CPU second from its own CPU time over the run.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "bench.h"
#include "core/counters.h"
#include "lab.h"
#include "lab_ring.h"
#include "proxy/proxy.h"
#include "svc/client.h"
#include "svc/svc.h"

struct proxy_run {
	struct client_result res;
	uint64_t cycles[3];            /* client, proxy, server */
	uint64_t wall;
};

struct haproxy_run {
	double rate, cpu_share, per_cpu, p50_us, p99_us, p999_us, unsent;
};

/* Thousands of connections a second end in TIME-WAIT: keep it short, the table large. */
#define TCP_BIG "[tcp]\nmax_connections = 262144\nmsl_ms = 500\n[arp]\nentries = 64\n"

static void
node_ini(char *buf, size_t len, const struct bench_opts *o, int which)
{
	if (which == 0)
		snprintf(buf, len, TCP_BIG "[port0]\ndevice = lab\naddress = 198.18.0.2/24\n"
			 "[service.load]\ntype = client\ntarget = 198.18.0.10\nport = 80\n"
			 "mode = %s\nconcurrency = %u\nduration_ms = %u\nstart_ms = 0\n"
			 "path = /bytes/%u\nrate = %u\n", o->conn_mode == SVC_CLIENT_CPS ? "cps" : "rps",
			 o->concurrency, (unsigned)(o->seconds * 1000), o->conn_bytes, o->rate);
	else if (which == 1)
		snprintf(buf, len, TCP_BIG "[port0]\ndevice = lab\naddress = 198.18.0.1/24\n"
			 "[port1]\ndevice = lab\naddress = 198.18.1.1/24\n"
			 "[frontend.web]\nbind = 198.18.0.10:80\nbackend = app\nmaxconn = 1000000\n"
			 "[backend.app]\nserver.s1 = 198.18.1.2:80\n");
	else
		snprintf(buf, len, TCP_BIG "[port0]\ndevice = lab\naddress = 198.18.1.2/24\n"
			 "[service.http]\ntype = http\nport = 80\n");
}

static int
client_finished(void *ctx)
{
	return client_done(svc_client(((struct lab_node *)ctx)->sw->svc, 0));
}

/* TERN_BENCH_COUNTERS=1: each node's non-zero counters after a run (to see why it is slow). */
static void
print_counters(struct lab_node *const *x)
{
	const struct tern_counter_layout *lay = stack_counters();
	uint64_t *v = calloc(lay->total, sizeof(*v));

	for (int i = 0; i < 3 && v != NULL; i++) {
		fprintf(stderr, "counters of %s:\n", x[i]->name);
		tern_counters_read(lay, x[i]->sw, v);
		tern_counters_print(stderr, lay, v, 0);
	}
	free(v);
}

static int
proxy_once(const struct bench_opts *o, struct proxy_run *r, char *err, size_t errlen)
{
	static const char *const names[3] = { "client", "proxy", "server" };
	static struct lab l;
	static struct lab_ring lr;
	struct lab_node *x[3] = { NULL };
	char ini[1024];
	uint64_t t0;
	int rc = -1;

	lab_init(&l);
	lab_use_tsc(&l);
	lr = (struct lab_ring){ 0 };
	l.tso_lro = o->wire == PAIR_WIRE_TSO_LRO;
	for (int i = 0; i < 3; i++) {
		node_ini(ini, sizeof(ini), o, i);
		if ((x[i] = lab_add(&l, names[i], ini, 131072, err, errlen)) == NULL)
			goto out;
	}
	lab_attach(x[0], 0, 0);
	lab_attach(x[1], 0, 0);
	lab_attach(x[1], 1, 1);
	lab_attach(x[2], 0, 1);
	if (o->two_cores && lab_ring_attach(&lr, &l, err, errlen) != 0)
		goto out;
	t0 = rte_rdtsc();
	/* two-cores: the proxy on an lcore of its own, the client and the server on this one. */
	if ((o->two_cores ? lab_ring_run(&lr, x[1], o->core2, client_finished, x[0], o->seconds + 15)
			  : lab_run(&l, client_finished, x[0], (unsigned)(o->seconds * 1000) + 15000)) != 0) {
		snprintf(err, errlen, "the client did not finish within %.0f s", o->seconds + 15);
		goto out;
	}
	r->wall = rte_rdtsc() - t0;
	r->res = *client_result(svc_client(x[0]->sw->svc, 0));
	for (int i = 0; i < 3; i++)
		r->cycles[i] = x[i]->busy_cycles;
	if (getenv("TERN_BENCH_COUNTERS") != NULL)
		print_counters(x);
	/* dropped: the one-core lab's switch found no member for the address */
	for (int i = 0; i < 3; i++)
		if (bench_wire_check(x[i]->sw, x[i]->name, x[i]->dropped, err, errlen) != 0)
			goto out;
	rc = 0;
out:
	lab_ring_detach(&lr);
	if (lab_destroy(&l) != 0 && rc == 0) {
		snprintf(err, errlen, "mbufs not back in their pools");
		rc = -1;
	}
	return rc;
}

/* HAProxy through haproxy_conn.sh (next to tern-linux-conn): its JSON line's figures. */
static void
haproxy_baseline(const struct bench_opts *o, struct haproxy_run *h)
{
	const char *slash = strrchr(o->linux_conn, '/');
	char cmd[2048], line[2048], rate[32] = "";
	/* two-cores: HAProxy on the CPU tern's proxy had to itself, its peers where tern's were */
	unsigned proxy_cpu = o->two_cores ? o->core2 : o->core;
	unsigned peers_cpu = o->two_cores ? o->core : o->core2;
	FILE *f;

	*h = (struct haproxy_run){ 0 };
	if (o->rate != 0)
		snprintf(rate, sizeof(rate), " --rate %u", o->rate);
	snprintf(cmd, sizeof(cmd), "bash '%.*s%shaproxy_conn.sh' '%s' %u %u --mode %s "
		 "--concurrency %u --bytes %u --seconds %.3f%s --json 2>&1",
		 slash ? (int)(slash - o->linux_conn) : 0, o->linux_conn, slash ? "/" : "",
		 o->linux_conn, proxy_cpu, peers_cpu,
		 o->conn_mode == SVC_CLIENT_CPS ? "cps" : "rps", o->concurrency, o->conn_bytes,
		 o->seconds, rate);
	if ((f = popen(cmd, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *r = strstr(line, "\"rate\":"), *s = strstr(line, "\"haproxy_cpu_share\":");
		const char *p = strstr(line, "\"rate_per_haproxy_cpu_second\":");

		if (r != NULL && p != NULL) {
			const char *q50 = strstr(line, "\"p50_us\":"), *q99 = strstr(line, "\"p99_us\":");
			const char *q999 = strstr(line, "\"p999_us\":"), *u = strstr(line, "\"unsent\":");

			h->rate = strtod(r + 7, NULL);
			h->cpu_share = s != NULL ? strtod(s + 20, NULL) : 0;
			h->per_cpu = strtod(p + 30, NULL);
			h->p50_us = q50 != NULL ? strtod(q50 + 9, NULL) : 0;
			h->p99_us = q99 != NULL ? strtod(q99 + 9, NULL) : 0;
			h->p999_us = q999 != NULL ? strtod(q999 + 10, NULL) : 0;
			h->unsent = u != NULL ? strtod(u + 9, NULL) : 0;
		} else if (strncmp(line, "haproxy_conn:", 13) == 0) {
			fputs(line, stderr);
		}
	}
	pclose(f);
}

static double
rate_of(const struct proxy_run *r)
{
	double secs = (double)(r->res.end_tsc - r->res.start_tsc) / (double)rte_get_tsc_hz();

	return secs > 0 ? (double)r->res.requests / secs : 0;
}

/* Requests per second of the proxy's own CPU time. */
static double
proxy_per_core(const struct proxy_run *r)
{
	double busy = (double)r->cycles[1] / (double)rte_get_tsc_hz();

	return busy > 0 ? (double)r->res.requests / busy : 0;
}

static void
print_proxy(FILE *out, const struct bench_opts *o, const char *mode, const struct proxy_run *r,
	    double rmin, double rmax, const struct haproxy_run *h)
{
	double rate = rate_of(r), per_core = proxy_per_core(r);
	/* one core: the proxy's part of the core's cycles; two: how busy its own core was */
	double all = o->two_cores ? (double)r->wall : (double)(r->cycles[0] + r->cycles[1] + r->cycles[2]);
	double share = all > 0 ? (double)r->cycles[1] / all : 0;
	double gbit = per_core * o->conn_bytes * 8 / 1e9;
	double ratio = h->per_cpu > 0 ? per_core / h->per_cpu : 0;
	double p50 = (double)lat_quantile(&r->res.lat, 0.5) / 1000.0;
	double p99 = (double)lat_quantile(&r->res.lat, 0.99) / 1000.0;
	double p999 = (double)lat_quantile(&r->res.lat, 0.999) / 1000.0;

	if (o->rate != 0)
		fprintf(stderr, "latency at %u req/s offered, us: tern p50 %.1f p99 %.1f p999 %.1f "
			"(%" PRIu64 " due but unsent); HAProxy p50 %.1f p99 %.1f p999 %.1f (%.0f unsent)\n",
			o->rate, p50, p99, p999, r->res.unsent, h->p50_us, h->p99_us, h->p999_us,
			h->unsent);
	fprintf(stderr, "%-4s %5u %9u %10.0f %10.0f %10.0f %6.2f %12.0f %8.2f %8.1f %6" PRIu64
		" %10.0f %5.2f %12.0f %7.2f\n", mode, o->concurrency, o->conn_bytes, rmin, rate, rmax,
		share, per_core, gbit, p50, r->res.errors, h->rate, h->cpu_share, h->per_cpu, ratio);
	if (!o->json)
		return;
	fprintf(out, "{\"bench\":\"proxy\",\"scenario\":\"%s\",\"layout\":\"%s\",\"wire\":\"%s\","
		"\"concurrency\":%u,\"bytes\":%u,"
		"\"requests\":%" PRIu64 ",\"connections\":%" PRIu64 ",\"errors\":%" PRIu64 ","
		"\"rate\":%.1f,\"rate_min\":%.1f,\"rate_max\":%.1f,\"proxy_cpu_share\":%.3f,"
		"\"rate_per_proxy_core\":%.1f,\"gbit_per_proxy_core\":%.3f,\"offered\":%u,"
		"\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"haproxy_p50_us\":%.1f,"
		"\"haproxy_p99_us\":%.1f,\"haproxy_p999_us\":%.1f,\"unsent\":%" PRIu64 ","
		"\"haproxy_unsent\":%.0f,"
		"\"cycles_per_request_proxy\":%.0f,\"haproxy_rate\":%.1f,\"haproxy_cpu_share\":%.3f,"
		"\"haproxy_rate_per_cpu\":%.1f,\"ratio\":%.3f}\n", mode,
		o->two_cores ? "two-cores" : "one-core",
		o->wire == PAIR_WIRE_TSO_LRO ? "tso-lro" : "mss", o->concurrency,
		o->conn_bytes, r->res.requests, r->res.connections, r->res.errors, rate, rmin, rmax,
		share, per_core, gbit, o->rate, p50, p99, p999, h->p50_us, h->p99_us, h->p999_us,
		r->res.unsent, h->unsent,
		r->res.requests ? (double)r->cycles[1] / (double)r->res.requests : 0, h->rate,
		h->cpu_share, h->per_cpu, ratio);
	fflush(out);
}

/* One mode: o->runs runs, the median (by the proxy's rate per core) reported; HAProxy once per run. */
static int
proxy_mode(struct bench_opts *o, unsigned mode, FILE *out)
{
	static struct proxy_run runs[BENCH_MAX_RUNS];
	struct haproxy_run hr[BENCH_MAX_RUNS], hmed = { 0 };
	double v[BENCH_MAX_RUNS], hv[BENCH_MAX_RUNS], med, rmin = 0, rmax = 0;
	char err[256];
	unsigned m = 0;

	o->conn_mode = mode;
	for (unsigned i = 0; i < o->runs; i++) {
		if (proxy_once(o, &runs[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "tern-bench: proxy: %s\n", err);
			return -1;
		}
		if (runs[i].res.bad_bodies != 0) { /* a figure for wrong bytes is no figure */
			fprintf(stderr, "tern-bench: proxy: %" PRIu64 " answers failed the pattern check\n",
				runs[i].res.bad_bodies);
			return -1;
		}
		v[i] = proxy_per_core(&runs[i]);
		hr[i] = (struct haproxy_run){ 0 };
		if (o->linux_conn != NULL)
			haproxy_baseline(o, &hr[i]);
		hv[i] = hr[i].per_cpu;
	}
	med = bench_median(v, o->runs); /* sorts v */
	for (unsigned i = 0; i < o->runs; i++) {
		if (proxy_per_core(&runs[i]) == med)
			m = i;
		rmin = i == 0 || rate_of(&runs[i]) < rmin ? rate_of(&runs[i]) : rmin;
		rmax = rate_of(&runs[i]) > rmax ? rate_of(&runs[i]) : rmax;
	}
	bench_median(hv, o->runs);
	for (unsigned i = 0; i < o->runs; i++)
		if (hr[i].per_cpu == hv[(o->runs - 1) / 2])
			hmed = hr[i];
	print_proxy(out, o, mode == SVC_CLIENT_CPS ? "cps" : "rps", &runs[m], rmin, rmax, &hmed);
	return 0;
}

int
bench_proxy(const struct bench_opts *o_in, FILE *out)
{
	struct bench_opts o = *o_in;

	if (o.rate != 0 && (o.conn_modes & 2)) {
		fprintf(stderr, "tern-bench: proxy: --rate needs --mode rps\n");
		return -1;
	}
	if (o.wire == PAIR_WIRE_TSO) {
		fprintf(stderr, "tern-bench: proxy: --wire is mss or tso-lro\n");
		return -1;
	}
	if (o.two_cores)
		fprintf(stderr, "proxy: tern proxy on lcore %u, tern client and http server on lcore "
			"%u, over net_ring port pairs, %.1f s x %u runs; per core = requests / the "
			"proxy's busy seconds (its loops that received or sent), share = those / the run, "
			"wire %s", o.core2, rte_lcore_id(), o.seconds, o.runs,
			o.wire == PAIR_WIRE_TSO_LRO ? "TSO+LRO (frames pass whole)" : "MSS frames");
	else
		fprintf(stderr, "proxy: tern client, proxy and http server on one core (lcore %u), "
			"wire %s, %.1f s x %u runs; per core = requests / the proxy's own CPU seconds",
			rte_lcore_id(), o.wire == PAIR_WIRE_TSO_LRO ? "TSO+LRO (frames pass whole)" :
			"MSS frames", o.seconds, o.runs);
	fprintf(stderr, ". HAProxy 2.6 mode tcp on CPU %u, tern-linux-conn client and server on "
		"CPU %u, loopback\n", o.two_cores ? o.core2 : o.core, o.two_cores ? o.core : o.core2);
	fprintf(stderr, "%-4s %5s %9s %10s %10s %10s %6s %12s %8s %8s %6s %10s %5s %12s %7s\n",
		"mode", "conc", "bytes", "req/s min", "median", "max", "share", "per core",
		"Gbit/s", "p50 us", "errors", "HAProxy", "cpu", "per cpu-s", "ratio");
	for (unsigned m = 0; m < 2; m++)
		if ((o.conn_modes & (1u << m)) && proxy_mode(&o, m, out) != 0)
			return -1;
	return 0;
}
