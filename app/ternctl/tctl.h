/*
 * ternctl: looks into and steers a running tern through DPDK telemetry's
 * socket in its runtime directory (/var/run/dpdk/PREFIX/dpdk_telemetry.v2),
 * next to which tern leaves its card (tern.card: pid, config file).
 */
#ifndef TERNCTL_TCTL_H
#define TERNCTL_TCTL_H

#include <limits.h>
#include <stdio.h>

#include "json.h"

#define TCTL_REPLY_MAX (64 * 1024)

struct tctl {
	int fd;
	int json;                      /* --json: JSON out instead of tables */
	char dir[PATH_MAX];            /* the instance's runtime directory */
	struct jv *info;               /* /tern/info */
	unsigned workers, ports;
};

/* Which instance: none given means the only one running. */
struct tctl_target {
	const char *prefix;            /* -p: DPDK file prefix (tern-PID unless given) */
	const char *config;            /* -c: its configuration file */
	long pid;                      /* --pid */
	const char *run_dir;           /* where DPDK runtime directories are (default /var/run/dpdk) */
};

/* Finds and connects; 0, or -1 with a message on stderr. */
int tctl_open(struct tctl *t, const struct tctl_target *tg);
void tctl_close(struct tctl *t);

/*
 * Sends "cmd[,params]" and returns the reply's value (the caller frees it
 * with json_free), or NULL with a message on stderr (also for a reply
 * {"error": "..."}).
 */
struct jv *tctl_call(struct tctl *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The subcommands: argv[0] is the subcommand's name. Exit status. */
int tctl_ss(struct tctl *t, int argc, char **argv);
int tctl_stats(struct tctl *t, int argc, char **argv);
int tctl_show(struct tctl *t, int argc, char **argv);
int tctl_set(struct tctl *t, int argc, char **argv);
int tctl_workers(struct tctl *t, int argc, char **argv);
int tctl_capture(struct tctl *t, int argc, char **argv);

/* A JSON value printed back as JSON (for --json). */
void tctl_print_json(FILE *f, const struct jv *v);

#endif
