#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "clock.h"
#include "eal.h"
#include "log.h"
#include "runtime.h"

static volatile sig_atomic_t stop_requested, dump_requested; /* stop: signals received */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_requested = 1;
	else if (stop_requested < 2)
		stop_requested++;
}

static void
usage(const char *prog, FILE *f)
{
	fprintf(f, "usage: %s [EAL options --] -c FILE [--check]\n"
		"       %s --config-reference\n"
		"  -c, --config FILE     configuration (INI; see README.md)\n"
		"  --check               validate the configuration and exit\n"
		"  --config-reference    print every section and key (Markdown) and exit\n"
		"  -h, --help         this text\n"
		"Without EAL options, defaults that need no hugepages or PCI devices are used.\n",
		prog, prog);
}

/* Program options; returns -1 on a usage error. */
static int
parse_prog_args(int argc, char **argv, const char **config, int *check, int *reference)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "config-reference", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': *config = optarg; break;
		case 'C': *check = 1; break;
		case 'R': *reference = 1; break;
		case 'h': usage(argv[0], stdout); exit(TERN_EXIT_OK);
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -1;
	}
	if (*config == NULL && !*reference) {
		fprintf(stderr, "%s: -c FILE is required\n", argv[0]);
		return -1;
	}
	return 0;
}

static unsigned
mbuf_data_room(const struct tern_config *cfg)
{
	uint32_t mtu = 0;

	for (unsigned p = 0; p < cfg->nports; p++)
		mtu = RTE_MAX(mtu, cfg->ports[p].mtu);
	return RTE_MAX((unsigned)RTE_MBUF_DEFAULT_BUF_SIZE,
		       RTE_PKTMBUF_HEADROOM + mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 4);
}

/* Memory EAL must reserve: the pools plus room for rings, tables and drivers. */
static unsigned
memory_mb(const struct tern_config *cfg)
{
	uint64_t per_mbuf = mbuf_data_room(cfg) + 256;

	return 256 + (unsigned)((uint64_t)cfg->workers * cfg->mbufs * per_mbuf / (1 << 20)) * 2;
}

static int
start_eal(struct tern_runtime *rt, int eal_argc, char **argv)
{
	char *args[64];
	int n = 0, rc;

	if (eal_argc > 1) {
		for (n = 0; n < eal_argc && n < (int)RTE_DIM(args) - 1; n++)
			args[n] = argv[n];
	} else {
		tern_eal_remove_stale_dirs();
		n = tern_eal_default_args(argv[0], rt->cfg.workers + 1, memory_mb(&rt->cfg),
					  args, RTE_DIM(args) - 1);
		rt->own_runtime_dir = 1;
	}
	args[n] = NULL;
	rc = rte_eal_init(n, args);
	if (rc < 0) {
		fprintf(stderr, "%s: EAL init failed: %s\n", argv[0], rte_strerror(rte_errno));
		return -1;
	}
	tern_logtype = rte_log_register_type_and_pick_level("tern", RTE_LOG_NOTICE);
	rte_log_set_level(tern_logtype, rt->cfg.log_level);
	tern_clock_init(rte_get_tsc_hz());
	if (rte_lcore_count() < rt->cfg.workers + 1) {
		fprintf(stderr, "%s: [tern] workers = %u needs %u lcores (1 main + workers), EAL has %u\n",
			rt->cfg.path, rt->cfg.workers, rt->cfg.workers + 1, rte_lcore_count());
		return -1;
	}
	return 0;
}

/* Worker i runs on the i-th worker lcore: its memory goes on that lcore's NUMA node. */
static void
assign_lcores(struct tern_runtime *rt)
{
	unsigned lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == rt->cfg.workers)
			break;
		rt->lcores[i++] = lcore;
	}
}

static int
worker_socket(const struct tern_runtime *rt, unsigned i)
{
	int s = (int)rte_lcore_to_socket_id(rt->lcores[i]);

	return s < 0 ? SOCKET_ID_ANY : s;
}

static int
create_pools(struct tern_runtime *rt)
{
	unsigned room = mbuf_data_room(&rt->cfg);

	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		char name[RTE_MEMPOOL_NAMESIZE];

		snprintf(name, sizeof(name), "tern_mbuf_%u", i);
		rt->pools[i] = rte_pktmbuf_pool_create(name, rt->cfg.mbufs, 256, 0, room,
						       worker_socket(rt, i));
		if (rt->pools[i] == NULL) {
			fprintf(stderr, "%s: [tern] mbufs: cannot allocate %u mbufs for worker %u: %s\n",
				rt->cfg.path, rt->cfg.mbufs, i, rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

static struct tern_worker *
worker_at(struct tern_runtime *rt, unsigned i)
{
	return (struct tern_worker *)(rt->workers + i * rt->worker_stride);
}

static int
build_workers(struct tern_runtime *rt)
{
	rt->worker_stride = RTE_ALIGN_CEIL(rt->prog->worker_size, RTE_CACHE_LINE_SIZE);
	rt->workers = rte_zmalloc("tern_workers", rt->worker_stride * rt->cfg.workers,
				  RTE_CACHE_LINE_SIZE);
	if (rt->workers == NULL)
		return -1;
	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		struct tern_worker_env env = {
			.index = i, .nworkers = rt->cfg.workers, .ports = rt->ports,
			.nports = rt->cfg.nports, .pool = rt->pools[i], .socket = worker_socket(rt, i),
			.peers = rt->peers,
		};
		int rc = rt->prog->worker_build(worker_at(rt, i), &rt->cfg, &env);

		rt->nbuilt = i + 1; /* a failed build is torn down too */
		if (rc != 0) {
			fprintf(stderr, "%s: worker %u: init failed: %s\n", rt->prog->name, i,
				rte_strerror(-rc));
			return -1;
		}
		rt->peers[i] = worker_at(rt, i);
	}
	return 0;
}

static int
start_ports_and_workers(struct tern_runtime *rt)
{
	char err[512];

	for (unsigned p = 0; p < rt->cfg.nports; p++) {
		if (tern_port_init(&rt->ports[p], &rt->cfg.ports[p], p, rt->cfg.workers,
				   rt->pools, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", rt->cfg.path, err);
			return -1;
		}
		rt->nports_up++;
	}
	return build_workers(rt);
}

/*
 * One worker's counters: through the control channel while it runs (a
 * consistent snapshot the worker takes itself), read directly once it has
 * stopped (or when it does not answer).
 */
static void
worker_counters(struct tern_runtime *rt, unsigned i, uint64_t *out, int running)
{
	const struct tern_counter_layout *l = rt->prog->counters();
	struct tern_msg *m = running ? tern_msg_new(TERN_MSG_COUNTERS, l->total * 8) : NULL;
	int rc = m != NULL ? tern_chan_call(worker_at(rt, i), m, 1000) : -1;

	if (rc == 0 && m->status == 0) {
		memcpy(out, m->body, l->total * sizeof(uint64_t));
	} else {
		if (running)
			TLOG(WARNING, "worker %u did not answer the counters request (%s): read directly",
			     i, rte_strerror(rc == 0 ? -m->status : -rc));
		tern_counters_read(l, worker_at(rt, i), out);
	}
	if (rc != -ETIMEDOUT)
		tern_msg_free(m);
}

/*
 * Each worker's counters (with several workers), then their sum: the
 * "counters:" block last, which is the one scripts read. While running,
 * each worker's mbuf pool in use too.
 */
static void
print_counters(struct tern_runtime *rt, FILE *f, int running)
{
	const struct tern_counter_layout *l = rt->prog->counters();
	uint64_t *sum = calloc(l->total, sizeof(*sum)), *one = calloc(l->total, sizeof(*one));

	for (unsigned i = 0; sum != NULL && one != NULL && i < rt->nbuilt; i++) {
		worker_counters(rt, i, one, running);
		for (unsigned k = 0; k < l->total; k++)
			sum[k] += one[k];
		if (rt->nbuilt > 1) {
			fprintf(f, "counters of worker %u:\n", i);
			tern_counters_print(f, l, one, 0);
		}
		if (running)
			fprintf(f, "pool: worker %u mbufs in use %u of %u\n", i,
				rte_mempool_in_use_count(rt->pools[i]), rt->pools[i]->size);
	}
	if (sum != NULL && one != NULL) {
		fprintf(f, "counters:\n");
		tern_counters_print(f, l, sum, 0);
	}
	fflush(f);
	free(sum);
	free(one);
	if (running && rt->prog->print != NULL)
		rt->prog->print(rt, f, 1);
}

static void
print_ready(struct tern_runtime *rt)
{
	for (unsigned p = 0; p < rt->nports_up; p++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];
		const struct tern_port_cfg *pc = &rt->cfg.ports[p];

		rte_ether_format_addr(mac, sizeof(mac), &rt->ports[p].mac);
		printf("%s: port%u %s mac %s address %u.%u.%u.%u/%u\n", rt->prog->name, p,
		       pc->devargs, mac, pc->addr >> 24, (pc->addr >> 16) & 255,
		       (pc->addr >> 8) & 255, pc->addr & 255, pc->prefix_len);
	}
	printf("%s: ready, %u worker(s); stop with SIGINT or SIGTERM, SIGUSR1 prints counters\n",
	       rt->prog->name, rt->cfg.workers);
	fflush(stdout);
}

/*
 * Once a stop was asked for: 1 when the workers may stop now (no graceful
 * stop, its work is done, or a second signal), 0 to keep running.
 */
static int
stop_now(struct tern_runtime *rt, uint64_t *deadline)
{
	if (stop_requested == 0)
		return 0;
	if (rt->prog->stop_begin == NULL)
		return 1;
	if (stop_requested > 1) /* at once: what is still open is reset, not left to hang */
		return *deadline == 0 || rt->prog->stop_poll(rt, 1);
	if (*deadline == 0) {
		unsigned grace = rt->prog->stop_begin(rt);

		if (grace == 0)
			return 1;
		*deadline = rte_get_timer_cycles() + rte_get_timer_hz() * grace / 1000;
	}
	return rt->prog->stop_poll(rt, rte_get_timer_cycles() >= *deadline);
}

#define MAIN_PAUSE_US 50000

/* The main loop's pause before the next turn: 50 ms unless the program asks for less. */
static long
main_pause_ns(struct tern_runtime *rt)
{
	unsigned us = rt->prog->main_poll_us != NULL ? rt->prog->main_poll_us(rt) : 0;

	return 1000L * (us == 0 || us > MAIN_PAUSE_US ? MAIN_PAUSE_US : us);
}

static void
run_workers(struct tern_runtime *rt)
{
	uint64_t deadline = 0;

	tern_worker_stop = 0;
	for (unsigned i = 0; i < rt->cfg.workers; i++)
		rte_eal_remote_launch(tern_worker_main, worker_at(rt, i), rt->lcores[i]);
	print_ready(rt);
	while (!stop_now(rt, &deadline)) {
		if (dump_requested) {
			dump_requested = 0;
			print_counters(rt, stdout, 1);
		}
		if (rt->prog->main_poll != NULL && rt->prog->main_poll(rt, 0))
			break;
		/* One plain sleep: net_tap's RX signals only end it early; a restarting sleep
		 * (rte_delay_us_sleep) could keep the main loop from seeing SIGTERM for seconds. */
		nanosleep(&(struct timespec){ .tv_nsec = main_pause_ns(rt) }, NULL);
	}
	__atomic_store_n(&tern_worker_stop, 1, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	if (rt->prog->main_poll != NULL)
		rt->prog->main_poll(rt, 1);
}

/* Frees everything; returns 0 when every mbuf came back to its pool. */
static int
shutdown_all(struct tern_runtime *rt)
{
	unsigned leaked = 0;

	/* The program's tables while its workers' state is still there (they have stopped). */
	if (rt->nbuilt == rt->cfg.workers && rt->nbuilt > 0 && rt->prog->print != NULL)
		rt->prog->print(rt, stdout, 0);
	for (unsigned i = 0; i < rt->nbuilt; i++)
		rt->prog->worker_teardown(worker_at(rt, i));
	for (unsigned p = 0; p < rt->nports_up; p++)
		tern_port_close(&rt->ports[p]);
	if (rt->workers != NULL)
		print_counters(rt, stdout, 0);
	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		if (rt->pools[i] == NULL)
			continue;
		unsigned in_use = rte_mempool_in_use_count(rt->pools[i]);

		printf("mbufs: pool %u in use at exit %u (at start 0), size %u\n", i, in_use,
		       rt->pools[i]->size);
		leaked += in_use;
		rte_mempool_free(rt->pools[i]);
	}
	rte_free(rt->workers);
	fflush(stdout);
	return leaked == 0 ? 0 : -1;
}

/* Loads the configuration; TERN_EXIT_OK to go on, or the status to exit with. */
static int
load_config(struct tern_runtime *rt, const char *config, int check)
{
	char err[1024];

	if (tern_config_load(config, rt->prog->schema, &rt->cfg, err, sizeof(err)) != 0 ||
	    (rt->prog->needs_addresses &&
	     tern_config_require_addresses(&rt->cfg, err, sizeof(err)) != 0)) {
		fprintf(stderr, "%s: config error: %s\n", rt->prog->name, err);
		return TERN_EXIT_USAGE;
	}
	if (check) {
		printf("%s: configuration OK (%u port(s), %u worker(s))\n", config, rt->cfg.nports,
		       rt->cfg.workers);
		return -1;
	}
	return TERN_EXIT_OK;
}

/* Starts, runs and stops everything; the exit status. */
static int
run(struct tern_runtime *rt, int eal_argc, char **argv)
{
	char runtime_dir[512];
	int status = TERN_EXIT_OK;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	if (start_eal(rt, eal_argc, argv) != 0)
		return TERN_EXIT_FAIL;
	assign_lcores(rt);
	rt->main_state = calloc(1, rt->prog->main_state_size + 1);
	if (rt->main_state == NULL || create_pools(rt) != 0 || start_ports_and_workers(rt) != 0)
		status = TERN_EXIT_FAIL;
	else
		run_workers(rt);
	if (shutdown_all(rt) != 0) {
		fprintf(stderr, "%s: mbufs were not all returned to their pools\n", rt->prog->name);
		status = TERN_EXIT_FAIL;
	}
	if (rt->main_state != NULL && rt->prog->main_fini != NULL)
		rt->prog->main_fini(rt);
	free(rt->main_state);
	if (rt->own_runtime_dir)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (rt->own_runtime_dir)
		tern_eal_remove_own_dir(runtime_dir);
	return status;
}

int
tern_runtime_main(const struct tern_program *prog, int argc, char **argv)
{
	static struct tern_runtime rt;
	const char *config = NULL;
	int eal_argc, prog_index, check = 0, reference = 0, status;

	memset(&rt, 0, sizeof(rt));
	rt.prog = prog;
	tern_log_prefix = prog->name;
	tern_eal_split(argc, argv, &eal_argc, &prog_index);
	argv[prog_index - 1] = argv[0];
	if (parse_prog_args(argc - prog_index + 1, argv + prog_index - 1, &config, &check,
			    &reference) != 0) {
		usage(argv[0], stderr);
		return TERN_EXIT_USAGE;
	}
	if (reference) {
		tern_config_reference(stdout, prog->schema);
		return TERN_EXIT_OK;
	}
	status = load_config(&rt, config, check);
	if (status == TERN_EXIT_OK)
		status = run(&rt, eal_argc, argv);
	else if (status < 0)
		status = TERN_EXIT_OK;
	tern_config_free(&rt.cfg);
	return status;
}
