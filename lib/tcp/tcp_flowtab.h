/*
 * The worker's flow table: 4-tuple -> TCB. One 64-byte bucket holds eight
 * entries (a 16-bit signature and a TCB index each); the key itself is
 * compared in the TCB, whose line 1 the fast path reads anyway, so a
 * lookup touches one table line. The hash is keyed (multilinear over the
 * tuple's 32-bit words, random per table) so a peer that does not know the
 * key cannot aim its flows at one bucket (it is linear: a peer that learnt
 * one colliding difference, by timing, could repeat it; unkeyed CRC32,
 * rte_hash's, needed no learning). A full bucket sends new entries on to the next, and counts
 * them as passed, so a lookup stops at the first bucket nothing passed.
 * There are four slots per TCB: an insert always finds one.
 */
#ifndef TERN_TCP_FLOWTAB_H
#define TERN_TCP_FLOWTAB_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define FLOWTAB_SLOTS 8
#define FLOWTAB_EMPTY UINT32_MAX

struct flowtab_bucket {
	uint16_t sig[FLOWTAB_SLOTS];
	uint32_t idx[FLOWTAB_SLOTS];   /* TCB index, FLOWTAB_EMPTY: free */
	uint32_t passed;               /* entries that went on past this bucket, it being full */
	uint32_t used;
} __rte_cache_aligned;

struct flowtab {
	struct flowtab_bucket *b;
	uint32_t mask;                 /* buckets - 1 (a power of two, at least 2 buckets) */
	uint8_t shift;                 /* 64 - log2(buckets): the bucket is the hash's top bits */
	uint8_t sig_shift;             /* shift - 16: the signature is the 16 bits below them */
	uint64_t key[4];               /* the hash's random multipliers and offset */
};

/* The tuple as the table hashes it (network order, as in segments and TCBs). */
struct flowtab_tuple {
	rte_be32_t raddr, laddr;
	rte_be16_t rport, lport;
};

/* Room for max_entries entries at four slots each; returns 0 or -ENOMEM. */
int flowtab_init(struct flowtab *ft, uint32_t max_entries, int socket);
void flowtab_fini(struct flowtab *ft);

static inline uint64_t
flowtab_hash(const struct flowtab *ft, const struct flowtab_tuple *t)
{
	/* Multilinear hashing (strongly universal on the top 32 bits). */
	return ft->key[0] + ft->key[1] * t->raddr + ft->key[2] * t->laddr +
	       ft->key[3] * ((uint32_t)t->rport | (uint32_t)t->lport << 16);
}

static inline uint32_t
flowtab_home(const struct flowtab *ft, uint64_t h)
{
	return (uint32_t)(h >> ft->shift) & ft->mask;
}

/*
 * The 16 bits below the bucket's: the hash's strong high bits (its low
 * bits mix poorly), independent of the bucket. Never 0, a free slot's.
 */
static inline uint16_t
flowtab_sig(const struct flowtab *ft, uint64_t h)
{
	return (uint16_t)(h >> ft->sig_shift) | 1;
}

/* Slots of bucket b whose signature is sig, one bit per slot. */
static inline unsigned
flowtab_sig_match(const struct flowtab_bucket *b, uint16_t sig)
{
#ifdef __SSE2__
	__m128i eq = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)b->sig),
				     _mm_set1_epi16((short)sig));

	/* Each 16-bit lane (0 or -1) packs to one byte: one mask bit per slot. */
	return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128()));
#else
	unsigned m = 0;

	for (unsigned i = 0; i < FLOWTAB_SLOTS; i++)
		m |= (unsigned)(b->sig[i] == sig) << i;
	return m;
#endif
}

/*
 * The index of the entry for t, or FLOWTAB_EMPTY. same(ctx, idx, t) tells
 * whether entry idx holds t (the caller compares in its TCB).
 */
typedef int (*flowtab_same_fn)(const void *ctx, uint32_t idx, const struct flowtab_tuple *t);
uint32_t flowtab_lookup(const struct flowtab *ft, const struct flowtab_tuple *t, uint64_t h,
			flowtab_same_fn same, const void *ctx);

/*
 * Files idx under the tuple whose hash is h; that tuple must not be filed
 * already (look first). 0, or -ENOSPC when every slot is taken (never with
 * at most max_entries filed).
 */
int flowtab_add(struct flowtab *ft, uint64_t h, uint32_t idx);

/*
 * Removes entry idx filed under t; 0, or -1 when it is not there. The entry
 * is found by its index: an index is filed once, under a tuple that does
 * not change while it is filed.
 */
int flowtab_del(struct flowtab *ft, const struct flowtab_tuple *t, uint32_t idx);

#endif
