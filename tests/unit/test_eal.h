/* Shared set-up for unit tests that need mbufs: a minimal EAL without hugepages or PCI. */
#ifndef TERN_TEST_EAL_H
#define TERN_TEST_EAL_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* Initialises EAL once per process; aborts the test binary on failure. */
void test_eal_init(void);
/* The same with lcores 0..n-1 (workers on lcores 1..n-1); call before anything else. */
void test_eal_init_lcores(unsigned nlcores);
/* A pool of 4096 mbufs (2 KiB data room), created on first use. */
struct rte_mempool *test_pool(void);
/* An mbuf holding a copy of len bytes from data. */
struct rte_mbuf *test_mbuf_from(const void *data, uint16_t len);

/*
 * An RFC 1071 sum written apart from lib/net, to check it against: 16-bit
 * big-endian words added to acc (an odd last byte padded with zero), and
 * the sum folded to 16 bits (not complemented).
 */
uint32_t test_sum16(const uint8_t *p, size_t n, uint32_t acc);
uint16_t test_fold(uint32_t acc);

#endif
