#include <sched.h>
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
