/*
 * ternctl capture: packets of a running tern to a pcapng file, tcpdump's
 * way: [-i PORT] [-w FILE] [-c N] [-s SNAPLEN] [-G SECONDS] [host H] [port P].
 * tern writes the file itself (it runs as root on this machine), so FILE
 * is made absolute here; ternctl starts the capture, waits for it to end
 * (its count, its time, Ctrl-C) and prints what it got. --stop ends a
 * capture left running by a ternctl that could not stop it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tctl.h"

#define POLL_MS 100
#define STOP_WAIT_MS 10000            /* after a stop, how long tern may take to end it */
#define SNAPLEN_MAX 262144

struct cap_opts {
	char port[16], host[INET_ADDRSTRLEN], l4port[8];  /* "any" when not given */
	unsigned long snaplen;         /* 0: whole frames */
	unsigned long long count;      /* 0: no limit */
	unsigned long seconds;         /* 0: no limit */
	const char *file;
	int stop_only;                 /* --stop */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted++;
}

static int
bad(const char *what, const char *arg)
{
	fprintf(stderr, "ternctl capture: %s '%s' (see ternctl --help)\n", what, arg);
	return -1;
}

/* A number from lo to hi; -1 when s is not one. */
static int
number(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return *s >= '0' && *s <= '9' && *end == '\0' && errno == 0 && *out >= lo && *out <= hi ?
	       0 : -1;
}

/* One option or filter word at argv[*i] (its argument consumed too); 0, or -1 (said). */
static int
parse_one(const struct tctl *t, int argc, char **argv, int *i, struct cap_opts *o)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	unsigned long long n;
	struct in_addr ip;

	if (strcmp(a, "--stop") == 0) {
		o->stop_only = 1;
		return 0;
	}
	if (strcmp(a, "and") == 0)
		return 0;
	if (v == NULL)
		return bad("expected an option, host H or port P; cannot read", a);
	(*i)++;
	if (strcmp(a, "-i") == 0) {
		if (strcmp(v, "any") != 0 && number(v, 0, t->ports ? t->ports - 1 : 0, &n) != 0)
			return bad("-i: expected any or a tern port this tern has, got", v);
		snprintf(o->port, sizeof(o->port), "%s", v);
	} else if (strcmp(a, "-w") == 0) {
		o->file = v;
	} else if (strcmp(a, "-c") == 0) {
		if (number(v, 1, UINT64_MAX >> 1, &o->count) != 0)
			return bad("-c: expected a number of packets, got", v);
	} else if (strcmp(a, "-s") == 0) {
		if (number(v, 0, SNAPLEN_MAX, &n) != 0)
			return bad("-s: expected a snapshot length from 0 (whole frames) to 262144, got", v);
		o->snaplen = (unsigned long)n;
	} else if (strcmp(a, "-G") == 0) {
		if (number(v, 1, 366ull * 86400, &n) != 0)
			return bad("-G: expected seconds, got", v);
		o->seconds = (unsigned long)n;
	} else if (strcmp(a, "host") == 0) {
		if (inet_pton(AF_INET, v, &ip) != 1)
			return bad("host: expected an IPv4 address like 198.18.0.2, got", v);
		snprintf(o->host, sizeof(o->host), "%s", v);
	} else if (strcmp(a, "port") == 0) {
		if (number(v, 1, 65535, &n) != 0)
			return bad("port: expected a TCP or UDP port from 1 to 65535, got", v);
		snprintf(o->l4port, sizeof(o->l4port), "%s", v);
	} else {
		return bad("unknown option or filter word", a);
	}
	return 0;
}

static int
parse(const struct tctl *t, int argc, char **argv, struct cap_opts *o)
{
	*o = (struct cap_opts){ .port = "any", .host = "any", .l4port = "any" };
	for (int i = 1; i < argc; i++)
		if (parse_one(t, argc, argv, &i, o) != 0)
			return -1;
	return 0;
}

/* FILE made absolute (default ./tern-PID.pcapng, PID tern's): tern opens it, not us. */
static int
absolute(const struct tctl *t, const char *file, char *out, size_t len)
{
	char cwd[PATH_MAX], def[64];

	if (file == NULL) {
		snprintf(def, sizeof(def), "tern-%llu.pcapng",
			 (unsigned long long)json_u64(t->info, "pid"));
		file = def;
	}
	if (file[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr, "ternctl capture: cannot make %s absolute: %s\n", file, strerror(errno));
		return -1;
	}
	/* 1024 bytes is all a telemetry request may carry, parameters included. */
	if ((size_t)snprintf(out, len, "%s%s%s", file[0] == '/' ? "" : cwd,
			     file[0] == '/' ? "" : "/", file) >= len) {
		fprintf(stderr, "ternctl capture: the file's path is too long: %s\n", file);
		return -1;
	}
	return 0;
}

static void
sleep_ms(unsigned ms)
{
	/* A signal cuts it short: Ctrl-C is acted on at once. */
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L },
		  NULL);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The end of capture id: its status once it is over; NULL when tern went away (said). */
static struct jv *
wait_end(struct tctl *t, uint64_t id, unsigned long seconds)
{
	uint64_t t0 = now_ms(), stop_at = 0;

	for (;;) {
		struct jv *st = tctl_call(t, "/tern/capture/status");

		if (st == NULL) {
			fprintf(stderr, "ternctl capture: tern stopped during the capture; the file "
				"holds what it wrote until then\n");
			return NULL;
		}
		if (json_u64(st, "id") != id || json_u64(st, "running") == 0)
			return st;
		json_free(st);
		/* tern keeps the time itself; this only covers a stop that went missing. */
		if (stop_at == 0 && (interrupted || (seconds && now_ms() - t0 > seconds * 1000 + 5000))) {
			struct jv *r = tctl_call(t, "/tern/capture/stop,%llu", (unsigned long long)id);

			json_free(r);
			stop_at = now_ms();
		}
		if (interrupted > 1 || (stop_at != 0 && now_ms() - stop_at > STOP_WAIT_MS)) {
			fprintf(stderr, "ternctl capture: capture %llu has not ended yet (see ternctl "
				"capture --stop)\n", (unsigned long long)id);
			return NULL;
		}
		sleep_ms(POLL_MS);
	}
}

/* "N packets captured, M dropped"; 1 when the capture ended on an error. */
static int
report(const struct tctl *t, const struct jv *st)
{
	const char *ended = json_str(st, "ended"), *file = json_str(st, "file");
	int failed = ended != NULL && strncmp(ended, "writing ", 8) == 0;

	if (t->json)
		printf("{\"id\":%llu,\"file\":\"%s\",\"packets\":%llu,\"dropped\":%llu,"
		       "\"ended\":\"%s\"}\n", (unsigned long long)json_u64(st, "id"),
		       file ? file : "", (unsigned long long)json_u64(st, "packets"),
		       (unsigned long long)json_u64(st, "dropped"), ended ? ended : "");
	else
		printf("%llu packets captured, %llu dropped\n",
		       (unsigned long long)json_u64(st, "packets"),
		       (unsigned long long)json_u64(st, "dropped"));
	if (failed)
		fprintf(stderr, "ternctl capture: %s\n", ended);
	return failed;
}

static int
run(struct tctl *t, const struct cap_opts *o, const char *path)
{
	struct jv *r = tctl_call(t, "/tern/capture/start,%s,%s,%s,%lu,%llu,%lu,%s", o->port,
				 o->host, o->l4port, o->snaplen, o->count, o->seconds, path);
	uint64_t id;
	int rc;

	if (r == NULL)
		return 1;
	id = json_u64(r, "id");
	fprintf(stderr, "ternctl: capturing on tern %s, snapshot length %llu bytes, to %s%s\n",
		json_str(r, "filter") ? json_str(r, "filter") : "?",
		(unsigned long long)json_u64(r, "snaplen"), path,
		o->count || o->seconds ? "" : "; Ctrl-C stops");
	json_free(r);
	r = wait_end(t, id, o->seconds);
	rc = r != NULL ? report(t, r) : 1;
	json_free(r);
	return rc;
}

/* --stop: ends whatever capture runs, and says how it ended. */
static int
stop_running(struct tctl *t)
{
	struct jv *r = tctl_call(t, "/tern/capture/stop");
	uint64_t id;
	int rc;

	if (r == NULL)
		return 1;
	id = json_u64(r, "id");
	json_free(r);
	r = wait_end(t, id, 0);
	rc = r != NULL ? report(t, r) : 1;
	json_free(r);
	return rc;
}

int
tctl_capture(struct tctl *t, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct cap_opts o;
	char path[900];

	if (parse(t, argc, argv, &o) != 0)
		return 2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o.stop_only)
		return stop_running(t);
	if (absolute(t, o.file, path, sizeof(path)) != 0)
		return 2;
	return run(t, &o, path);
}
