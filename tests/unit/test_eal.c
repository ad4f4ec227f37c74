#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "core/clock.h"
#include "core/eal.h"
#include "test_eal.h"

static int eal_ready;
static struct rte_mempool *pool;
static char runtime_dir[512];

/* Leaves no EAL runtime directory behind. */
static void
test_eal_exit(void)
{
	rte_eal_cleanup();
	tern_eal_remove_own_dir(runtime_dir);
}

void
test_eal_init_lcores(unsigned nlcores)
{
	char prefix[64], lcores[64];

	if (eal_ready)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-test-%d", (int)getpid());
	/* lcores 0..n-1 float over the CPUs there are (two on the CI machine) */
	snprintf(lcores, sizeof(lcores), "--lcores=(0-%u)@(0-%ld)", nlcores - 1,
		 sysconf(_SC_NPROCESSORS_ONLN) - 1);
	char *argv[] = { "test", "--no-huge", "-m", "128", "--no-shconf", "--no-pci",
			 "--no-telemetry", lcores, "--log-level", "error", prefix, NULL };
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "test_eal_init: rte_eal_init failed\n");
		exit(1);
	}
	tern_clock_init(rte_get_tsc_hz());
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(test_eal_exit);
	eal_ready = 1;
}

void
test_eal_init(void)
{
	test_eal_init_lcores(1);
}

struct rte_mempool *
test_pool(void)
{
	test_eal_init();
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("test_pool", 4096, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_pool: cannot create mbuf pool\n");
		exit(1);
	}
	return pool;
}

struct rte_mbuf *
test_mbuf_from(const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool());

	if (m == NULL || rte_pktmbuf_append(m, len) == NULL) {
		fprintf(stderr, "test_mbuf_from: cannot build mbuf of %u bytes\n", len);
		exit(1);
	}
	memcpy(rte_pktmbuf_mtod(m, void *), data, len);
	return m;
}

uint32_t
test_sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

uint16_t
test_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}
