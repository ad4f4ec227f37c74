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

static volatile sig_atomic_t stop_requested, dump_requested;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_requested = 1;
	else
		stop_requested = 1;
}

static void
usage(const char *prog, FILE *f)
{
	fprintf(f, "usage: %s [EAL options --] -c FILE [--check]\n"
		"  -c, --config FILE  configuration (INI; see README.md)\n"
		"  --check            validate the configuration and exit\n"
		"  -h, --help         this text\n"
		"Without EAL options, defaults that need no hugepages or PCI devices are used.\n",
		prog);
}

/* App options; returns -1 on a usage error. */
static int
parse_app_args(int argc, char **argv, const char **config, int *check)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': *config = optarg; break;
		case 'C': *check = 1; break;
		case 'h': usage(argv[0], stdout); exit(TERN_EXIT_OK);
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -1;
	}
	if (*config == NULL) {
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

static int
create_pools(struct tern_runtime *rt)
{
	unsigned room = mbuf_data_room(&rt->cfg);

	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		char name[RTE_MEMPOOL_NAMESIZE];

		snprintf(name, sizeof(name), "tern_mbuf_%u", i);
		rt->pools[i] = rte_pktmbuf_pool_create(name, rt->cfg.mbufs, 256, 0, room,
						       rte_socket_id());
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
start_ports_and_workers(struct tern_runtime *rt)
{
	char err[512];
	int rc;

	for (unsigned p = 0; p < rt->cfg.nports; p++) {
		rc = tern_port_init(&rt->ports[p], &rt->cfg.ports[p], p, rt->cfg.workers,
				    rt->pools, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", rt->cfg.path, err);
			return -1;
		}
		rt->nports_up++;
	}
	rt->worker_stride = RTE_ALIGN_CEIL(rt->app->worker_size, RTE_CACHE_LINE_SIZE);
	rt->workers = rte_zmalloc("tern_workers", rt->worker_stride * rt->cfg.workers,
				  RTE_CACHE_LINE_SIZE);
	if (rt->workers == NULL)
		return -1;
	for (unsigned i = 0; i < rt->cfg.workers; i++) {
		struct tern_worker *w = worker_at(rt, i);

		rc = tern_worker_init(w, i, rt->cfg.workers, rt->ports, rt->cfg.nports,
				      rt->pools[i], rt->app->ops, rt->app->finalize);
		if (rc == 0 && rt->app->worker_init != NULL)
			rc = rt->app->worker_init(w, &rt->cfg);
		if (rc != 0) {
			fprintf(stderr, "%s: worker %u: init failed: %s\n", rt->app->name, i,
				rte_strerror(-rc));
			return -1;
		}
		w->peers = rt->peers;
		rt->peers[i] = w;
	}
	return 0;
}

static void
print_counters(struct tern_runtime *rt, FILE *f)
{
	const struct tern_counters *blocks[TERN_MAX_WORKERS];
	struct tern_counters sum;

	for (unsigned i = 0; i < rt->cfg.workers && rt->workers != NULL; i++)
		blocks[i] = &worker_at(rt, i)->cnt;
	tern_counters_sum(&sum, blocks, rt->workers != NULL ? rt->cfg.workers : 0);
	fprintf(f, "counters:\n");
	tern_counters_print(f, &sum, 0);
	fflush(f);
}

static void
print_ready(struct tern_runtime *rt)
{
	for (unsigned p = 0; p < rt->nports_up; p++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];
		const struct tern_port_cfg *pc = &rt->cfg.ports[p];

		rte_ether_format_addr(mac, sizeof(mac), &rt->ports[p].mac);
		printf("%s: port%u %s mac %s address %u.%u.%u.%u/%u\n", rt->app->name, p,
		       pc->devargs, mac, pc->addr >> 24, (pc->addr >> 16) & 255,
		       (pc->addr >> 8) & 255, pc->addr & 255, pc->prefix_len);
	}
	printf("%s: ready, %u worker(s); stop with SIGINT or SIGTERM, SIGUSR1 prints counters\n",
	       rt->app->name, rt->cfg.workers);
	fflush(stdout);
}

static void
run_workers(struct tern_runtime *rt)
{
	unsigned lcore, i = 0;

	tern_worker_stop = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == rt->cfg.workers)
			break;
		rte_eal_remote_launch(tern_worker_main, worker_at(rt, i++), lcore);
	}
	print_ready(rt);
	while (!stop_requested) {
		if (dump_requested) {
			dump_requested = 0;
			print_counters(rt, stdout);
		}
		if (rt->app->main_poll != NULL && rt->app->main_poll(rt, 0))
			break;
		/* One plain sleep: net_tap's RX signals only end it early; a restarting sleep
		 * (rte_delay_us_sleep) could keep the main loop from seeing SIGTERM for seconds. */
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	__atomic_store_n(&tern_worker_stop, 1, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	if (rt->app->main_poll != NULL)
		rt->app->main_poll(rt, 1);
}

/* Frees everything; returns 0 when every mbuf came back to its pool. */
static int
shutdown_all(struct tern_runtime *rt)
{
	unsigned leaked = 0;

	for (unsigned i = 0; rt->workers != NULL && i < rt->cfg.workers; i++) {
		struct tern_worker *w = worker_at(rt, i);

		if (rt->app->worker_fini != NULL)
			rt->app->worker_fini(w);
		tern_worker_fini(w);
	}
	for (unsigned p = 0; p < rt->nports_up; p++)
		tern_port_close(&rt->ports[p]);
	if (rt->workers != NULL)
		print_counters(rt, stdout);
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

int
tern_runtime_main(const struct tern_app *app, int argc, char **argv)
{
	static struct tern_runtime rt;
	const char *config = NULL;
	int eal_argc, app_index, check = 0, status = TERN_EXIT_OK;
	char err[1024], runtime_dir[512];

	memset(&rt, 0, sizeof(rt));
	rt.app = app;
	tern_log_prefix = app->name;
	tern_eal_split(argc, argv, &eal_argc, &app_index);
	argv[app_index - 1] = argv[0];
	if (parse_app_args(argc - app_index + 1, argv + app_index - 1, &config, &check) != 0) {
		usage(argv[0], stderr);
		return TERN_EXIT_USAGE;
	}
	if (tern_config_load(config, &rt.cfg, err, sizeof(err)) != 0 ||
	    (app->needs_addresses && tern_config_require_addresses(&rt.cfg, err, sizeof(err)) != 0)) {
		fprintf(stderr, "%s: config error: %s\n", app->name, err);
		return TERN_EXIT_USAGE;
	}
	if (check) {
		printf("%s: configuration OK (%u port(s), %u worker(s))\n", config, rt.cfg.nports,
		       rt.cfg.workers);
		return TERN_EXIT_OK;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	if (start_eal(&rt, eal_argc, argv) != 0)
		return TERN_EXIT_FAIL;
	if (create_pools(&rt) != 0 || start_ports_and_workers(&rt) != 0)
		status = TERN_EXIT_FAIL;
	else
		run_workers(&rt);
	if (shutdown_all(&rt) != 0) {
		fprintf(stderr, "%s: mbufs were not all returned to their pools\n", app->name);
		status = TERN_EXIT_FAIL;
	}
	if (rt.own_runtime_dir)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (rt.own_runtime_dir)
		tern_eal_remove_own_dir(runtime_dir);
	return status;
}
