/* Shared set-up for unit tests that need mbufs: a minimal EAL without hugepages or PCI. */
#ifndef TERN_TEST_EAL_H
#define TERN_TEST_EAL_H

#include <rte_mbuf.h>

/* Initialises EAL once per process; aborts the test binary on failure. */
void test_eal_init(void);
/* The same with lcores 0..n-1 (workers on lcores 1..n-1); call before anything else. */
void test_eal_init_lcores(unsigned nlcores);
/* A pool of 4096 mbufs (2 KiB data room), created on first use. */
struct rte_mempool *test_pool(void);
/* An mbuf holding a copy of len bytes from data. */
struct rte_mbuf *test_mbuf_from(const void *data, uint16_t len);

#endif
