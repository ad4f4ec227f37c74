/*
 * ternctl stats: tern's counters the way nstat shows the kernel's. By
 * default the change since the last call (kept in a history file per tern
 * instance and worker, like nstat's /tmp/.nstat.uUID), with -a the totals;
 * zeros only with -z. --ports adds each port's ethdev statistics.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tctl.h"

struct stats_opts {
	int absolute, zeros, no_update, reset, ports;
	long worker;                   /* -1: the sum */
};

static int
parse(int argc, char **argv, struct stats_opts *o)
{
	*o = (struct stats_opts){ .worker = -1 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--ignore") == 0)
			o->absolute = 1;
		else if (strcmp(argv[i], "-z") == 0 || strcmp(argv[i], "--zeros") == 0)
			o->zeros = 1;
		else if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--no-update") == 0)
			o->no_update = 1;
		else if (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "--reset-history") == 0)
			o->reset = 1;
		else if (strcmp(argv[i], "--ports") == 0)
			o->ports = 1;
		else if (strcmp(argv[i], "--worker") == 0 && i + 1 < argc)
			o->worker = strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "ternctl stats: cannot read '%s' (see ternctl --help)\n",
				argv[i]);
			return -1;
		}
	}
	return 0;
}

static void
history_path(const struct tctl *t, long worker, char *buf, size_t len)
{
	char dir[PATH_MAX];
	const char *env = getenv("TERNCTL_HISTORY");

	snprintf(dir, sizeof(dir), "%s", t->dir);
	if (env != NULL)
		snprintf(buf, len, "%s%s%ld", env, worker >= 0 ? ".w" : "", worker >= 0 ? worker : 0L);
	else if (worker >= 0)
		snprintf(buf, len, "/tmp/.ternctl.%s.w%ld.u%u", basename(dir), worker,
			 (unsigned)getuid());
	else
		snprintf(buf, len, "/tmp/.ternctl.%s.u%u", basename(dir), (unsigned)getuid());
}

/* The value name had at the last call (0 when unknown). */
static uint64_t
history_get(FILE *f, const char *name)
{
	char line[256], n[200];
	unsigned long long v;

	if (f == NULL)
		return 0;
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%199s %llu", n, &v) == 2 && strcmp(n, name) == 0)
			return v;
	return 0;
}

static void
print_counters(const struct tctl *t, const struct stats_opts *o, const struct jv *now, FILE *old)
{
	int first = 1;

	if (t->json)
		printf("{");
	else
		printf("#tern pid %llu%s\n", (unsigned long long)json_u64(t->info, "pid"),
		       o->absolute || old == NULL ? "" : " (since the last call)");
	for (const struct jv *c = now->child; c != NULL; c = c->next) {
		uint64_t v = c->u64, prev = o->absolute || o->reset ? 0 : history_get(old, c->key);
		uint64_t d = v >= prev ? v - prev : v; /* tern restarted: counters began again */

		if (d == 0 && !o->zeros)
			continue;
		if (t->json)
			printf("%s\"%s\":%llu", first ? "" : ",", c->key, (unsigned long long)d);
		else
			printf("%-32s %llu\n", c->key, (unsigned long long)d);
		first = 0;
	}
	if (t->json)
		printf("}\n");
}

static int
save_history(const char *path, const struct jv *now)
{
	char tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	for (const struct jv *c = now->child; c != NULL; c = c->next)
		fprintf(f, "%s %llu\n", c->key, (unsigned long long)c->u64);
	return fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
}

static int
print_ports(struct tctl *t)
{
	for (unsigned p = 0; p < t->ports; p++) {
		struct jv *v = tctl_call(t, "/tern/ports,%u", p);

		if (v == NULL)
			return 1;
		if (t->json) {
			tctl_print_json(stdout, v);
			printf("\n");
		} else {
			printf("#port%u (ethdev %llu)\n", p, (unsigned long long)json_u64(v, "ethdev"));
			for (const struct jv *c = v->child; c != NULL; c = c->next)
				if (c->type == J_NUM)
					printf("%-32s %llu\n", c->key, (unsigned long long)c->u64);
			for (const struct jv *c = json_get(v, "xstats") ? json_get(v, "xstats")->child :
			     NULL; c != NULL; c = c->next)
				printf("  %-30s %llu\n", c->key, (unsigned long long)c->u64);
		}
		json_free(v);
	}
	return 0;
}

int
tctl_stats(struct tctl *t, int argc, char **argv)
{
	struct stats_opts o;
	struct jv *now;
	char path[PATH_MAX];
	FILE *old;

	if (parse(argc, argv, &o) != 0)
		return 2;
	if (o.worker >= (long)t->workers) {
		fprintf(stderr, "ternctl stats: --worker: expected 0 to %u\n", t->workers - 1);
		return 2;
	}
	now = o.worker >= 0 ? tctl_call(t, "/tern/counters,%ld", o.worker) :
			      tctl_call(t, "/tern/counters");
	if (now == NULL || now->type != J_OBJ) {
		json_free(now);
		return 1;
	}
	history_path(t, o.worker, path, sizeof(path));
	old = fopen(path, "r");
	print_counters(t, &o, now, old);
	if (old != NULL)
		fclose(old);
	if (!o.no_update && save_history(path, now) != 0)
		fprintf(stderr, "ternctl stats: cannot keep the history in %s\n", path);
	json_free(now);
	return o.ports ? print_ports(t) : 0;
}
