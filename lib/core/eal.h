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

/*
 * Runtime directories: EAL makes one per --file-prefix and leaves it behind.
 * Removes those of tern processes that no longer exist (crashes), and
 * after rte_eal_cleanup the one of this process.
 */
void tern_eal_remove_stale_dirs(void);
void tern_eal_remove_own_dir(const char *dir);

/* Free hugepage memory in MiB (0 when none reserved). */
uint64_t tern_hugepages_free_mb(void);

#endif
