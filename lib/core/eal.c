#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eal.h"

void
tern_eal_split(int argc, char **argv, int *eal_argc, int *app_index)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			*eal_argc = i;
			*app_index = i + 1;
			return;
		}
	*eal_argc = 1;
	*app_index = 1;
}

uint64_t
tern_hugepages_free_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long free_pages = 0, page_kb = 0, v;
	char line[128];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Free: %llu", &v) == 1)
			free_pages = v;
		else if (sscanf(line, "Hugepagesize: %llu kB", &v) == 1)
			page_kb = v;
	}
	fclose(f);
	return free_pages * page_kb / 1024;
}

/* "0@c0,1@c1,..." over the CPUs this process may run on, wrapping when there are fewer. */
static void
lcore_map(unsigned nlcores, char *buf, size_t len)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], ncpus = 0;
	size_t off = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[ncpus++] = c;
	if (ncpus == 0)
		cpus[ncpus++] = 0;
	off += snprintf(buf, len, "--lcores=");
	for (unsigned l = 0; l < nlcores && off < len; l++)
		off += snprintf(buf + off, len - off, "%s%u@%d", l ? "," : "", l, cpus[l % ncpus]);
}

int
tern_eal_default_args(const char *prog, unsigned nlcores, unsigned mem_mb,
		      char **out, int max)
{
	static char lcores[1024], mem[32], prefix[64], progbuf[256];
	static char *args[16];
	int n = 0;

	snprintf(progbuf, sizeof(progbuf), "%s", prog);
	lcore_map(nlcores, lcores, sizeof(lcores));
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-%d", (int)getpid());
	args[n++] = progbuf;
	args[n++] = lcores;
	args[n++] = "--no-pci";
	args[n++] = prefix;
	if (tern_hugepages_free_mb() >= mem_mb) {
		/* In memory: no hugetlbfs files left behind by a crash. */
		args[n++] = "--in-memory";
		args[n++] = "-m";
		args[n++] = mem;
	} else {
		/* --in-memory is refused together with --no-huge. */
		args[n++] = "--no-huge";
		args[n++] = "--no-shconf";
		args[n++] = "-m";
		args[n++] = mem;
	}
	for (int i = 0; i < n && i < max; i++)
		out[i] = args[i];
	return n < max ? n : max;
}

#define RUNTIME_ROOT "/var/run/dpdk"

/* Empties and removes one runtime directory (sockets and config files only, no subdirectories). */
static void
remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char file[1024];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", path, e->d_name) < (int)sizeof(file))
			unlink(file);
	}
	closedir(d);
	rmdir(path);
}

void
tern_eal_remove_stale_dirs(void)
{
	DIR *d = opendir(RUNTIME_ROOT);
	struct dirent *e;
	char path[1024];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(e->d_name, "tern-", 5) != 0)
			continue;
		pid = strtol(e->d_name + 5, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue; /* not a name tern made */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* still running */
		if (snprintf(path, sizeof(path), RUNTIME_ROOT "/%s", e->d_name) < (int)sizeof(path))
			remove_dir(path);
	}
	closedir(d);
}

void
tern_eal_remove_own_dir(const char *dir)
{
	if (dir != NULL && dir[0] != '\0')
		remove_dir(dir);
}
