/*
 * Process lifecycle shared by tern and tern-impair: command line, config,
 * EAL, mempools, ports, workers on their lcores, signals, and a clean
 * shutdown that returns every mbuf to its pool and prints the counters.
 */
#ifndef TERN_CORE_RUNTIME_H
#define TERN_CORE_RUNTIME_H

#include <stddef.h>
#include <stdio.h>

#include <rte_mempool.h>

#include "config.h"
#include "counters.h"
#include "impair.h"
#include "port.h"
#include "worker.h"

/* What a program built on the runtime brings. */
struct tern_runtime;

struct tern_program {
	const char *name;
	const struct cfg_schema *schema;   /* the config sections it reads */
	size_t worker_size;   /* >= sizeof(struct tern_worker), which comes first */
	/* Builds worker w (tern_worker_init included) from the config and env. 0 or -errno. */
	int (*worker_build)(struct tern_worker *w, const struct tern_config *cfg,
			    const struct tern_worker_env *env);
	/* Tears a built worker down (tern_worker_fini included). */
	void (*worker_teardown)(struct tern_worker *w);
	/* Where the worker struct holds each module's counters. */
	const struct tern_counter_layout *(*counters)(void);
	int needs_addresses;  /* every port must have an address key */
	size_t main_state_size; /* zeroed state for main_poll (rt->main_state) */
	/*
	 * Main thread, every 50 ms (or sooner, main_poll_us) while the workers
	 * run (stopping = 0) and once after they stopped (stopping = 1):
	 * returns 1 to stop tern. Optional.
	 */
	int (*main_poll)(struct tern_runtime *rt, int stopping);
	/*
	 * Asked after each main_poll: how soon the next one should run, in µs
	 * (0, or more than 50 ms: the usual 50 ms). A capture writer draining
	 * rings shortens it while it runs. Optional.
	 */
	unsigned (*main_poll_us)(struct tern_runtime *rt);
	/* After the counters (exit, SIGUSR1): the program's own tables. Optional. */
	void (*print)(struct tern_runtime *rt, FILE *f, int running);
	/*
	 * A graceful stop (the first SIGTERM or SIGINT): returns how long open
	 * work may go on (ms; 0: stop now). stop_poll is then asked every 50 ms
	 * until it returns 1; grace_over says the time is up. A second signal
	 * stops at once. Optional.
	 */
	unsigned (*stop_begin)(struct tern_runtime *rt);
	int (*stop_poll)(struct tern_runtime *rt, int grace_over);
	/* The main state's own resources, at the very end. Optional. */
	void (*main_fini)(struct tern_runtime *rt);
};

struct tern_runtime {
	const struct tern_program *prog;
	struct tern_config cfg;
	struct rte_mempool *pools[TERN_MAX_WORKERS];
	unsigned lcores[TERN_MAX_WORKERS];  /* the lcore each worker runs on */
	struct tern_port ports[TERN_MAX_PORTS];
	uint16_t nports_up;
	int own_runtime_dir;  /* the --file-prefix is ours: remove its directory at exit */
	uint8_t *workers;     /* cfg.workers blocks of worker_stride bytes */
	size_t worker_stride;
	unsigned nbuilt;      /* workers built so far */
	struct tern_worker *peers[TERN_MAX_WORKERS];
	void *main_state;
};

/* Exit statuses. */
#define TERN_EXIT_OK 0
#define TERN_EXIT_FAIL 1
#define TERN_EXIT_USAGE 2   /* bad command line or config */

/*
 * Runs prog: parses "[EAL options] -- -c FILE [--check | --config-reference]",
 * loads the config,
 * starts EAL, ports and workers, runs until SIGINT/SIGTERM (SIGUSR1 prints
 * counters), shuts down and returns the exit status.
 */
int tern_runtime_main(const struct tern_program *prog, int argc, char **argv);

#endif
