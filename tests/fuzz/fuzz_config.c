/*
 * The configuration loader (lib/core/config_load.c and config_parse.c,
 * through DPDK's rte_cfgfile) on arbitrary file contents, against tern's
 * whole schema (stack_schema: every module's sections and keys). The input
 * is written to a memory file that tern_config_load opens by its
 * /proc/self/fd path, as it would open a file on disk. A failure must say
 * why; a success must give a configuration that can be freed.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "core/config.h"
#include "stack/stack.h"

static int fd = -1;
static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("tern-fuzz-config", 0);
	if (fd < 0) {
		perror("memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tern_config *cfg = malloc(sizeof(*cfg));
	char err[512];
	int rc;

	FUZZ_CHECK(cfg != NULL, "out of memory");
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror("memfd write");
		exit(1);
	}
	err[0] = '\0';
	rc = tern_config_load(path, &stack_schema, cfg, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "tern_config_load returned %d", rc);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "unterminated message");
	if (rc != 0)
		FUZZ_CHECK(err[0] != '\0', "a failure without a message");
	FUZZ_CHECK(cfg->ninst <= CFG_MAX_INSTANCES, "%u instances", cfg->ninst);
	tern_config_free(cfg);
	free(cfg);
	return 0;
}
