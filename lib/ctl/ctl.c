/*
 * The control plane's lifecycle. Telemetry commands cannot be removed
 * once registered, and run on DPDK's telemetry thread: each takes the
 * read side of a lock and finds the running instance (or none: "tern is
 * stopping"); ctl_stop takes the write side, so no command is half-way
 * through the workers when their state goes away.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "core/log.h"
#include "ctl_config.h"
#include "ctl_internal.h"

static pthread_rwlock_t ctl_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct ctl *ctl_live;

struct ctl *
ctl_enter(void)
{
	pthread_rwlock_rdlock(&ctl_lock);
	if (ctl_live == NULL) {
		pthread_rwlock_unlock(&ctl_lock);
		return NULL;
	}
	return ctl_live;
}

void
ctl_leave(void)
{
	pthread_rwlock_unlock(&ctl_lock);
}

/*
 * The instance's card in its DPDK runtime directory, next to the telemetry
 * socket: how ternctl finds a tern by its configuration file.
 */
static void
write_card(const struct tern_config *cfg)
{
	char path[PATH_MAX], conf[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tern.card", rte_eal_get_runtime_dir());
	if (cfg->path[0] == '\0' || realpath(cfg->path, conf) == NULL)
		snprintf(conf, sizeof(conf), "%s", cfg->path[0] ? cfg->path : "-");
	f = fopen(path, "w");
	if (f == NULL) {
		TLOG(WARNING, "ctl: cannot write %s: ternctl -c will not find this instance", path);
		return;
	}
	fprintf(f, "pid %d\nconfig %s\nworkers %u\n", (int)getpid(), conf, cfg->workers);
	fclose(f);
}

struct ctl *
ctl_start(const struct tern_config *cfg, const struct ctl_source *src)
{
	static int registered;
	struct ctl *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		TLOG(ERR, "ctl: out of memory: no control plane");
		return NULL;
	}
	c->cfg = cfg;
	c->src = *src;
	if (!registered) {
		if (ctl_register_commands() != 0)
			TLOG(WARNING, "ctl: some telemetry commands could not be registered");
		registered = 1;
	}
	write_card(cfg);
	ctl_metrics_open(c);
	ctl_capture_open(c);
	pthread_rwlock_wrlock(&ctl_lock);
	ctl_live = c;
	pthread_rwlock_unlock(&ctl_lock);
	return c;
}

void
ctl_poll(struct ctl *c)
{
	if (c == NULL)
		return;
	ctl_metrics_poll(c);
	ctl_capture_poll(c);
}

void
ctl_stop(struct ctl *c)
{
	if (c == NULL)
		return;
	pthread_rwlock_wrlock(&ctl_lock);
	ctl_live = NULL;
	pthread_rwlock_unlock(&ctl_lock);
	ctl_capture_close(c);
	ctl_metrics_close(c);
	free(c);
}
