/*
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, §3.4) with weights.
 *
 * A lookup table of prime size M maps a key hash to a backend index. Every
 * backend walks its own permutation of the slots and the backends take
 * turns claiming the next free slot of their permutation. The table is a
 * function of the set of (name, weight) pairs only: no random seed, and the
 * order of the array does not matter, so every appliance and every worker
 * that knows the same backends builds the same table. A backend of weight 0
 * takes no slots and leaves the others' permutations alone, so taking one
 * out moves about the keys that were on it and little else.
 *
 * Building runs on the control lcore (malloc, O(M log M) expected); lookup
 * is one multiply and one load.
 */
#ifndef TERN_PROXY_MAGLEV_H
#define TERN_PROXY_MAGLEV_H

#include <stdint.h>

#include <rte_byteorder.h>

#define MAGLEV_NONE UINT16_MAX          /* lookup result when no backend is eligible */
#define MAGLEV_SIZE_DEFAULT 65537u      /* the paper's smaller table size */
#define MAGLEV_MAX_BACKENDS 65535u      /* indices 0..65534: MAGLEV_NONE is no index */
#define MAGLEV_WEIGHT_MAX 65535u

struct maglev_backend {
	const char *name;       /* stable identity, e.g. "10.0.0.1:80"; unique */
	uint32_t weight;        /* 0: excluded (down, drained) */
};

struct maglev_table {
	uint32_t size;          /* M, prime; 0 until the first build succeeds */
	uint16_t *entry;        /* backend index per slot, or MAGLEV_NONE */
};

/* 1 when n is prime, else 0 (for configuration checks of M). */
int maglev_is_prime(uint32_t n);

/*
 * Fills t (zero-initialised, or built before) with a table of size slots
 * for backends b[0..n-1]; t->entry[s] is an index into b. Returns 0, or
 * -EINVAL (t or b NULL, size not prime, n == 0, n >= size, n above
 * MAGLEV_MAX_BACKENDS, a NULL or empty or repeated name, a weight above
 * MAGLEV_WEIGHT_MAX) or -ENOMEM; on error t is left as it was. Readers must
 * not use t during the build: build a second table and switch pointers.
 */
int maglev_build(struct maglev_table *t, uint32_t size, const struct maglev_backend *b,
		 unsigned n);

void maglev_free(struct maglev_table *t);

/*
 * A 64-bit finaliser (the SplitMix64 / Stafford "Mix13" constants): a
 * bijection whose every output bit depends on every input bit.
 */
static inline uint64_t
maglev_mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Fixed so that every appliance maps a client to the same slot. */
#define MAGLEV_KEY_SEED 0x7465726e2d6b6579ULL   /* "tern-key" */

/*
 * Key hash of a client address alone (network order), for stickiness across
 * the client's ports. Taken in host order so the value does not depend on
 * the machine's byte order.
 */
static inline uint64_t
maglev_hash_addr(rte_be32_t addr)
{
	return maglev_mix64(rte_be_to_cpu_32(addr) ^ MAGLEV_KEY_SEED);
}

/* Key hash of a TCP/IPv4 4-tuple (all in network order). */
static inline uint64_t
maglev_hash_tuple(rte_be32_t saddr, rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport)
{
	uint64_t addrs = (uint64_t)rte_be_to_cpu_32(saddr) << 32 | rte_be_to_cpu_32(daddr);
	uint64_t ports = (uint64_t)rte_be_to_cpu_16(sport) << 16 | rte_be_to_cpu_16(dport);

	return maglev_mix64(maglev_mix64(addrs ^ MAGLEV_KEY_SEED) ^ ports);
}

/*
 * The backend index for a key hash, or MAGLEV_NONE. The slot is the high
 * half of the hash scaled to [0, M) by a multiply-shift rather than a
 * modulo: no division on the hot path, and the mixed high bits are as
 * uniform as the low ones.
 */
static inline uint16_t
maglev_lookup(const struct maglev_table *t, uint64_t key_hash)
{
	if (t->size == 0)
		return MAGLEV_NONE;
	return t->entry[((key_hash >> 32) * t->size) >> 32];
}

#endif
