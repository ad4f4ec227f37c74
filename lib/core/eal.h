/* EAL command line: the operator's options when given, otherwise defaults that work anywhere. */
#ifndef TERN_CORE_EAL_H
#define TERN_CORE_EAL_H

#include <stdint.h>

/*
 * Splits "prog [EAL options] -- app options": *eal_argc counts the EAL part
 * including argv[0]; the app part starts at argv[*app_index] (argc when none).
 * With no "--", everything after argv[0] is app options.
 */
void tern_eal_split(int argc, char **argv, int *eal_argc, int *app_index);

/*
 * Default EAL arguments for nlcores lcores (main + workers) and mem_mb of
 * memory: hugepages when enough are free, otherwise --no-huge; --no-pci,
 * --no-shconf and a unique --file-prefix so instances can run side by side.
 * Writes at most max pointers (to static storage) into out; returns the count.
 */
int tern_eal_default_args(const char *prog, unsigned nlcores, unsigned mem_mb,
			  char **out, int max);

/* Free hugepage memory in MiB (0 when none reserved). */
uint64_t tern_hugepages_free_mb(void);

#endif
