/* Finding a tern and talking to its telemetry socket. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tctl.h"

/* A card's pid and config; 0 when dir holds a card of a living tern. */
static int
read_card(const char *dir, long *pid, char *config, size_t len)
{
	char path[PATH_MAX + 16], line[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tern.card", dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	*pid = 0;
	config[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "pid ", 4) == 0)
			*pid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "config ", 7) == 0)
			snprintf(config, len, "%.*s", (int)len - 1, line + 7);
	}
	fclose(f);
	return *pid > 0 && (kill((pid_t)*pid, 0) == 0 || errno == EPERM) ? 0 : -1;
}

static int
matches(const struct tctl_target *tg, const char *name, long pid, const char *config)
{
	char want[PATH_MAX];

	if (tg->prefix != NULL && strcmp(tg->prefix, name) != 0)
		return 0;
	if (tg->pid > 0 && tg->pid != pid)
		return 0;
	if (tg->config != NULL) {
		if (realpath(tg->config, want) == NULL)
			snprintf(want, sizeof(want), "%s", tg->config);
		if (strcmp(want, config) != 0)
			return 0;
	}
	return 1;
}

/* The runtime directory of the one tern tg names; 0, or -1 (said on stderr). */
static int
find(const struct tctl_target *tg, char *dir, size_t len)
{
	const char *base = tg->run_dir != NULL ? tg->run_dir : "/var/run/dpdk";
	DIR *d = opendir(base);
	struct dirent *e;
	unsigned found = 0;
	char cand[PATH_MAX], config[PATH_MAX];
	long pid;

	if (d == NULL) {
		fprintf(stderr, "ternctl: no tern is running (%s: %s)\n", base, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(cand, sizeof(cand), "%s/%s", base, e->d_name);
		if (read_card(cand, &pid, config, sizeof(config)) != 0 ||
		    !matches(tg, e->d_name, pid, config))
			continue;
		if (found++ > 0) {
			fprintf(stderr, "ternctl: several terns are running (%s, %s ...): choose one "
				"with -c CONFIG, -p PREFIX or --pid PID\n", dir, cand);
			closedir(d);
			return -1;
		}
		snprintf(dir, len, "%s", cand);
	}
	closedir(d);
	if (found == 0)
		fprintf(stderr, "ternctl: no running tern%s%s in %s\n", tg->config || tg->prefix ||
			tg->pid ? " matches" : "", tg->config ? " that config" : tg->prefix ?
			" that prefix" : tg->pid ? " that pid" : "", base);
	return found == 1 ? 0 : -1;
}

int
tctl_open(struct tctl *t, const struct tctl_target *tg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char greeting[1024];
	ssize_t n;

	t->fd = -1;
	if (find(tg, t->dir, sizeof(t->dir)) != 0)
		return -1;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2", t->dir) >=
	    sizeof(sun.sun_path)) {
		fprintf(stderr, "ternctl: socket path too long: %s\n", t->dir);
		return -1;
	}
	t->fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (t->fd < 0 || connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "ternctl: cannot connect to %s: %s (is telemetry on?)\n",
			sun.sun_path, strerror(errno));
		return -1;
	}
	n = recv(t->fd, greeting, sizeof(greeting) - 1, 0); /* {"version": ..., "pid": ...} */
	if (n <= 0) {
		fprintf(stderr, "ternctl: %s closed the connection (too many clients?)\n",
			sun.sun_path);
		return -1;
	}
	t->info = tctl_call(t, "/tern/info");
	if (t->info == NULL)
		return -1;
	t->workers = (unsigned)json_u64(t->info, "workers");
	t->ports = (unsigned)json_u64(t->info, "ports");
	return 0;
}

void
tctl_close(struct tctl *t)
{
	if (t->fd >= 0)
		close(t->fd);
	json_free(t->info);
	t->fd = -1;
	t->info = NULL;
}

struct jv *
tctl_call(struct tctl *t, const char *fmt, ...)
{
	char cmd[1024], err[128]; /* 1024: what DPDK telemetry reads of a request */
	char *buf = malloc(TCTL_REPLY_MAX);
	struct jv *reply = NULL, *v = NULL;
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (buf == NULL || send(t->fd, cmd, strlen(cmd), 0) < 0 ||
	    (n = recv(t->fd, buf, TCTL_REPLY_MAX - 1, 0)) <= 0) {
		fprintf(stderr, "ternctl: %s: no reply (tern stopped?)\n", cmd);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	reply = json_parse(buf, err, sizeof(err));
	if (reply == NULL || reply->type != J_OBJ || reply->child == NULL) {
		fprintf(stderr, "ternctl: %s: not a telemetry reply (%s)\n", cmd,
			reply == NULL ? err : "no value");
	} else if (reply->child->type == J_NULL) {
		fprintf(stderr, "ternctl: %s: unknown command (an older tern?)\n", cmd);
	} else if (json_str(reply->child, "error") != NULL) {
		fprintf(stderr, "ternctl: %s\n", json_str(reply->child, "error"));
	} else {
		v = reply->child; /* detach the value from its {"cmd": ...} wrapper */
		reply->child = NULL;
		v->next = NULL;
	}
	json_free(reply);
	free(buf);
	return v;
}
