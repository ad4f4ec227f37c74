/*
 * tern-bench: command line, EAL start (hugepages when enough are free,
 * --no-huge otherwise), the subcommands.
 *
 *   tern-bench pps [--flows LIST] [--scenario LIST] [--seconds S] [--runs N] [--json] ...
 *   tern-bench mem [--flows LIST] [--runs N] [--json] ...
 */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "bench.h"
#include "core/clock.h"
#include "core/eal.h"

int bench_huge;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: tern-bench pps|mem|conn|proxy [options]\n"
		"  pps   packets per second of one worker's TCP receive path, in memory,\n"
		"        with its no-TCP (parse+tx) and net_ring ceilings measured in the same run\n"
		"  mem   bytes per idle established connection\n"
		"  conn  requests per second of a tern client against a tern http server, both\n"
		"        on one core in memory (rps: keep-alive; cps: a connection per request),\n"
		"        or on two lcores over a net_ring pair (--layout two-cores)\n"
		"  proxy requests per second through tern's proxy: a tern client, the proxy and\n"
		"        a tern http server on one core in memory, the proxy's CPU time apart,\n"
		"        or the proxy on an lcore of its own over net_ring ports (--layout two-cores)\n"
		"options:\n"
		"  --flows LIST        established flows, comma separated (pps: 1,1000,100000,1000000;\n"
		"                      mem: 1000000); k and M suffixes accepted\n"
		"  --scenario LIST     pps: ack,data64,data1448,syn,ooo (default: all)\n"
		"  --seconds S         each timed measurement (default 1)\n"
		"  --warmup S          TCP path before the runs, at least one pass over the flows (default 0.2)\n"
		"  --runs N            runs of each measurement; min/median/max reported (default 3)\n"
		"  --json              one JSON object per result on stdout (the table goes to stderr)\n"
		"  --sw-cksum          port without checksum offloads (software checksums both ways)\n"
		"  --no-ring           skip the net_ring ceiling\n"
		"  --tcp-only          skip both ceilings (for profiling; ratios are then 0)\n"
		"  --virtual-ns-per-pkt NS  the worker's clock advances NS per packet instead of\n"
		"                      following the TSC (profiling under valgrind: use the native ns/pkt)\n"
		"  --core N            CPU to run on (default: the last one this process may use)\n"
		"  --hugepages auto|yes|no  EAL memory (default auto: hugepages when enough are free)\n"
		"  --mem-mb MB         EAL memory (default: computed from the flows)\n"
		"conn and proxy options:\n"
		"  --mode LIST         rps,cps (default both)\n"
		"  --concurrency N     connections kept busy (default 64)\n"
		"  --bytes N           answer body, GET /bytes/N (default 64)\n"
		"  --layout one-core|two-cores  one-core (default): both stacks on --core, frames\n"
		"                      handed over in memory; two-cores: the client's stack on\n"
		"                      --core, the server's on a second CPU, over net_ring ports\n"
		"                      (proxy: the client and the server on --core, the proxy on\n"
		"                      the second CPU)\n"
		"  --wire mss|tso|tso-lro  the wire (default mss): NICs without TSO;\n"
		"                      TSO (tern hands 64 KiB frames, the wire cuts them as the NIC\n"
		"                      would); TSO and LRO (frames pass whole, as Linux loopback\n"
		"                      passes GSO packets; two-cores: mss or tso-lro)\n"
		"  --rate N            rps: a fixed offered load of N requests/s (open loop) for\n"
		"                      tern's client and Linux's (conn) or HAProxy's (proxy), to\n"
		"                      compare latency percentiles below saturation\n"
		"  --linux PATH        tern-linux-conn: the same load from Linux on the same cores\n"
		"                      after each run, over loopback and (root, linux_conn_veth.sh\n"
		"                      next to PATH) over a veth pair between namespaces\n"
		"  --haproxy PATH      proxy: tern-linux-conn; HAProxy 2.6 (mode tcp) between its\n"
		"                      client and server, by haproxy_conn.sh next to PATH (root)\n"
		"environment:\n"
		"  TERN_BENCH_COUNTERS=1  conn: each stack's non-zero counters after each run, on stderr\n");
}

double
bench_median(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? v[(n - 1) / 2] : 0; /* a measured value, the lower middle for even n */
}

uint64_t
bench_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, rss = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

uint64_t
bench_heap_bytes(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t total = 0;

	for (unsigned s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			total += st.heap_allocsz_bytes;
	return total;
}

static int
parse_count(const char *s, uint32_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1e6, end++;
	if (*end != '\0' || v < 1 || v > 16e6)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_flows(const char *arg, struct bench_opts *o)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	o->nflows = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (o->nflows == BENCH_MAX_FLOW_COUNTS || parse_count(t, &o->flows[o->nflows]) != 0)
			return -1;
		o->nflows++;
	}
	return o->nflows ? 0 : -1;
}

static int
parse_scenarios(const char *arg, struct bench_opts *o)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	o->scenarios = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		int found = 0;

		for (unsigned s = 0; s < SC_MAX; s++)
			if (strcmp(t, bench_scenario_names[s]) == 0)
				o->scenarios |= 1u << s, found = 1;
		if (strcmp(t, "all") == 0)
			o->scenarios = (1u << SC_MAX) - 1, found = 1;
		if (!found)
			return -1;
	}
	return o->scenarios ? 0 : -1;
}

static unsigned
mem_needed_mb(const struct bench_opts *o, int mem)
{
	uint64_t need = 0;

	for (unsigned f = 0; f < o->nflows; f++)
		for (unsigned s = 0; s < SC_MAX; s++)
			if (mem ? s == SC_DATA64 : (o->scenarios & (1u << s)) != 0) {
				uint64_t b = bench_env_bytes(s, o->flows[f]);

				need = b > need ? b : need;
			}
	return (unsigned)(need / (1 << 20)) + 128;
}

/* The options of conn; 0 or -1 for a bad value. */
static int
parse_conn_opt(int opt, const char *arg, struct bench_opts *o)
{
	char *end = NULL;
	unsigned long v;

	switch (opt) {
	case 'M':
		o->conn_modes = (strstr(arg, "rps") ? 1u : 0) | (strstr(arg, "cps") ? 2u : 0);
		return o->conn_modes ? 0 : -1;
	case 'L':
	case 'X': /* --haproxy: the same tern-linux-conn, HAProxy in between */
		o->linux_conn = arg;
		return access(arg, X_OK);
	case 'R':
		v = strtoul(arg, &end, 10);
		if (*end != '\0' || v < 1 || v > 100000000ul)
			return -1;
		o->rate = (uint32_t)v;
		return 0;
	case 'W':
		o->wire = strcmp(arg, "mss") == 0 ? 0 : strcmp(arg, "tso") == 0 ? 1 :
			  strcmp(arg, "tso-lro") == 0 ? 2 : -1;
		return o->wire < 0 ? -1 : 0;
	case 'Y':
		if (strcmp(arg, "one-core") != 0 && strcmp(arg, "two-cores") != 0)
			return -1;
		o->two_cores = strcmp(arg, "two-cores") == 0;
		return 0;
	}
	v = strtoul(arg, &end, 10);
	if (*end != '\0' || v < 1 || v > (opt == 'K' ? 65536ul : 1ul << 20))
		return -1;
	if (opt == 'K')
		o->concurrency = (uint32_t)v;
	else
		o->conn_bytes = (uint32_t)v;
	return 0;
}

static char runtime_dir[512];

/*
 * The last CPU of our affinity other than but (none: CPU_SETSIZE): DPDK
 * processes default to the first, so the last one is quieter.
 */
static unsigned
last_cpu_but(unsigned but)
{
	cpu_set_t set;
	unsigned last = CPU_SETSIZE;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (unsigned c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set) && c != but)
				last = c;
	return last;
}

static unsigned
last_cpu(void)
{
	unsigned c = last_cpu_but(CPU_SETSIZE);

	return c == CPU_SETSIZE ? 0 : c;
}

/* --layout two-cores: conn and proxy only, and a second CPU besides --core. */
static int
two_cores_check(struct bench_opts *o, int conn_or_proxy)
{
	if (!conn_or_proxy) {
		fprintf(stderr, "tern-bench: --layout applies to conn and proxy only\n");
		return -1;
	}
	o->core2 = last_cpu_but(o->core);
	if (o->core2 == CPU_SETSIZE) {
		fprintf(stderr, "tern-bench: --layout two-cores needs 2 usable CPUs; this "
			"process may use only CPU %u\n", o->core);
		return -1;
	}
	return 0;
}

static int
eal_start(const char *prog, const struct bench_opts *o, unsigned mem_mb)
{
	static char core[32], main_lcore[16], mem[16], prefix[64];
	char *argv[20];
	int argc = 0;

	/* Two cores: lcore ids are CPU ids; the main lcore (--core) runs the client. */
	if (o->two_cores)
		snprintf(core, sizeof(core), "%u,%u", o->core, o->core2);
	else
		snprintf(core, sizeof(core), "%u", o->core);
	snprintf(main_lcore, sizeof(main_lcore), "%u", o->core);
	/* --no-huge: 4 KiB pages and some fragmentation; hugepages are taken as needed. */
	snprintf(mem, sizeof(mem), "%u", mem_mb * 5 / 4);
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-%d", (int)getpid());
	argv[argc++] = (char *)prog;
	argv[argc++] = "-l";
	argv[argc++] = core;
	if (o->two_cores) {
		argv[argc++] = "--main-lcore";
		argv[argc++] = main_lcore;
	}
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--log-level";
	argv[argc++] = "error";
	argv[argc++] = prefix;
	bench_huge = strcmp(o->hugepages, "yes") == 0 ||
		     (strcmp(o->hugepages, "auto") == 0 && tern_hugepages_free_mb() >= mem_mb);
	if (bench_huge) {
		/* Memory comes from hugepages as it is needed; no hugetlbfs files. */
		argv[argc++] = "--in-memory";
	} else {
		argv[argc++] = "--no-huge";
		argv[argc++] = "--no-shconf";
		argv[argc++] = "-m";
		argv[argc++] = mem;
	}
	argv[argc] = NULL;
	tern_eal_remove_stale_dirs();
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "tern-bench: rte_eal_init failed (%s, %u MB)\n",
			bench_huge ? "hugepages" : "no hugepages", mem_mb);
		return -1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	tern_clock_init(rte_get_tsc_hz());
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "scenario", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "runs", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "sw-cksum", no_argument, NULL, 'c' },
		{ "no-ring", no_argument, NULL, 'n' },
		{ "tcp-only", no_argument, NULL, 'T' },
		{ "virtual-ns-per-pkt", required_argument, NULL, 'V' },
		{ "core", required_argument, NULL, 'C' },
		{ "hugepages", required_argument, NULL, 'H' },
		{ "mem-mb", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "concurrency", required_argument, NULL, 'K' },
		{ "bytes", required_argument, NULL, 'B' },
		{ "linux", required_argument, NULL, 'L' },
		{ "layout", required_argument, NULL, 'Y' },
		{ "wire", required_argument, NULL, 'W' },
		{ "rate", required_argument, NULL, 'R' },
		{ "haproxy", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = {
		.seconds = 1, .warmup = 0.2, .runs = 3, .scenarios = (1u << SC_MAX) - 1,
		.hugepages = "auto", .conn_modes = 3, .concurrency = 64, .conn_bytes = 64,
	};
	const char *cmd;
	int mem, conn, proxy, opt, rc, li = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "pps") != 0 && strcmp(cmd, "mem") != 0 && strcmp(cmd, "conn") != 0 &&
	    strcmp(cmd, "proxy") != 0) {
		fprintf(stderr, "tern-bench: unknown subcommand '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	mem = strcmp(cmd, "mem") == 0;
	conn = strcmp(cmd, "conn") == 0;
	proxy = strcmp(cmd, "proxy") == 0;
	o.core = last_cpu();
	if (mem) {
		o.flows[0] = 1000000;
		o.nflows = 1;
	} else {
		uint32_t d[] = { 1, 1000, 100000, 1000000 };

		memcpy(o.flows, d, sizeof(d));
		o.nflows = 4;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", longopts, &li)) != -1) {
		char *end = NULL;

		switch (opt) {
		case 'f':
			if (parse_flows(optarg, &o) != 0)
				goto bad;
			break;
		case 's':
			if (parse_scenarios(optarg, &o) != 0)
				goto bad;
			break;
		case 't':
			o.seconds = strtod(optarg, &end);
			if (*end != '\0' || o.seconds <= 0 || o.seconds > 600)
				goto bad;
			break;
		case 'w':
			o.warmup = strtod(optarg, &end);
			if (*end != '\0' || o.warmup < 0 || o.warmup > 600)
				goto bad;
			break;
		case 'r':
			o.runs = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || o.runs < 1 || o.runs > BENCH_MAX_RUNS)
				goto bad;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'c':
			o.sw_cksum = 1;
			break;
		case 'n':
			o.no_ring = 1;
			break;
		case 'T':
			o.tcp_only = 1;
			break;
		case 'V':
			o.virtual_ns = strtod(optarg, &end);
			if (*end != '\0' || o.virtual_ns < 0)
				goto bad;
			break;
		case 'C':
			o.core = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0')
				goto bad;
			break;
		case 'H':
			if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "yes") != 0 &&
			    strcmp(optarg, "no") != 0)
				goto bad;
			o.hugepages = optarg;
			break;
		case 'm':
			o.mem_mb = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || o.mem_mb < 64)
				goto bad;
			break;
		case 'M':
		case 'K':
		case 'B':
		case 'L':
		case 'X':
		case 'Y':
		case 'W':
		case 'R':
			if (parse_conn_opt(opt, optarg, &o) != 0)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "tern-bench: bad value '%s' for --%s\n", optarg, longopts[li].name);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "tern-bench: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o.two_cores && two_cores_check(&o, conn || proxy) != 0)
		return 1;
	if (o.two_cores && o.wire == PAIR_WIRE_TSO) {
		fprintf(stderr, "tern-bench: --wire tso applies to the one-core layout (net_ring does "
			"not segment); two-cores takes mss or tso-lro\n");
		return 2;
	}
	if (proxy) { /* HAProxy's peers: another CPU when there is one */
		o.core2 = last_cpu_but(o.core);
		o.core2 = o.core2 == CPU_SETSIZE ? o.core : o.core2;
	}
	if (eal_start(argv[0], &o, o.mem_mb ? o.mem_mb : conn ? 1792 : proxy ? 2560 :
		      mem_needed_mb(&o, mem)) != 0)
		return 1;
	rc = conn ? bench_conn(&o, stdout) : proxy ? bench_proxy(&o, stdout) :
	     mem ? bench_mem(&o, stdout) : bench_pps(&o, stdout);
	rte_eal_cleanup();
	tern_eal_remove_own_dir(runtime_dir);
	return rc;
}
