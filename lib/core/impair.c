/*
 * Test-only impairment stage. Every frame pushed in is dropped, duplicated,
 * corrupted and given a release time; held frames wait in a bounded min-heap
 * ordered by (release time, arrival sequence) so that frames with equal
 * release times keep their arrival order and a zero config is a FIFO.
 */
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "clock.h"
#include "impair.h"

#define PPM_ONE 1000000u
#define ETH_HDR_LEN 14u

struct held {
	uint64_t release; /* TSC */
	uint64_t seq;     /* arrival order, breaks release-time ties */
	struct rte_mbuf *m;
};

struct tern_impair {
	struct tern_impair_dir_cfg cfg;
	uint64_t rng[4];             /* xoshiro256** state */
	uint64_t seq;
	uint32_t n, cap;
	unsigned cnt_off;            /* 0 for RX; distance to the Tx block for TX */
	struct core_counters *cnt;
	struct rte_mempool *pool;
	tern_impair_finalize_fn finalize;
	struct held heap[];
};

/* --- PRNG: own code so runs are reproducible whatever DPDK version --- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct tern_impair *im)
{
	uint64_t *s = im->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, n) for n <= 2^32 (multiply-shift; bias is below 2^-32). */
static uint32_t
rng_below(struct tern_impair *im, uint64_t n)
{
	return (uint32_t)(((rng_next(im) >> 32) * n) >> 32);
}

/* 1 with probability ppm / 1e6. A zero rate draws nothing, so enabling one
 * impairment does not change the decisions another one makes. */
static int
rng_chance(struct tern_impair *im, uint32_t ppm)
{
	if (ppm == 0)
		return 0;
	if (ppm >= PPM_ONE)
		return 1;
	return rng_below(im, PPM_ONE) < ppm;
}

/* --- counters --- */

/* id is the Rx counter; the Tx block mirrors the Rx block in order. */
static inline void
count(struct tern_impair *im, size_t rx_counter)
{
	if (im->cnt != NULL)
		im->cnt->v[rx_counter / sizeof(uint64_t) + im->cnt_off]++;
}

/* --- heap of held frames --- */

static inline int
held_before(const struct held *a, const struct held *b)
{
	return a->release < b->release ||
	       (a->release == b->release && a->seq < b->seq);
}

static void
heap_swap(struct held *a, struct held *b)
{
	struct held t = *a;

	*a = *b;
	*b = t;
}

static void
heap_insert(struct tern_impair *im, uint64_t release, struct rte_mbuf *m)
{
	uint32_t i = im->n++;

	im->heap[i] = (struct held){ release, im->seq++, m };
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!held_before(&im->heap[i], &im->heap[parent]))
			break;
		heap_swap(&im->heap[i], &im->heap[parent]);
		i = parent;
	}
}

static struct rte_mbuf *
heap_pop(struct tern_impair *im)
{
	struct rte_mbuf *m = im->heap[0].m;
	uint32_t i = 0;

	im->heap[0] = im->heap[--im->n];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, min = i;

		if (l < im->n && held_before(&im->heap[l], &im->heap[min]))
			min = l;
		if (r < im->n && held_before(&im->heap[r], &im->heap[min]))
			min = r;
		if (min == i)
			break;
		heap_swap(&im->heap[i], &im->heap[min]);
		i = min;
	}
	return m;
}

/* --- per-frame impairments --- */

/* Bytes may be changed in place only when no one else sees them: a clone or a
 * shared segment (e.g. TCP's retained send data) would carry the flip into
 * retransmissions. */
static int
mbuf_writable(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
			return 0;
	return 1;
}

/* Flips bit `bit` of the byte at offset off, walking the segment chain. */
static void
flip_bit(struct rte_mbuf *m, uint32_t off, unsigned bit)
{
	while (off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	*rte_pktmbuf_mtod_offset(m, uint8_t *, off) ^= (uint8_t)(1u << bit);
}

/* Corrupts one bit after the Ethernet header. Returns the frame to carry on
 * with, which is a private copy when the original was shared. */
static struct rte_mbuf *
corrupt(struct tern_impair *im, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (len <= ETH_HDR_LEN)
		return m;
	if (!mbuf_writable(m)) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, im->pool, 0, UINT32_MAX);

		if (c == NULL)
			return m; /* no copy, no corruption: better than a wrong retransmit */
		rte_pktmbuf_free(m);
		m = c;
	}
	/* Checksums the NIC would fill in later must cover the original bytes,
	 * or the receiver would never see a corrupted checksum mismatch. */
	if (im->finalize != NULL)
		im->finalize(m);
	flip_bit(m, ETH_HDR_LEN + rng_below(im, len - ETH_HDR_LEN), rng_below(im, 8));
	/* A received frame's checksum verdict from the NIC no longer holds: the
	 * stack must check the corrupted bytes itself. */
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	count(im, offsetof(struct core_counters, ImpairRxCorrupted));
	return m;
}

/* The frame's IPv4 header when it is one, with the whole header in the first segment. */
static struct rte_ipv4_hdr *
ipv4_of(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;

	if (m->data_len < ETH_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return NULL;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_HDR_LEN);
}

/* An ECN-capable frame (ECT(0) or ECT(1), RFC 3168 §5) due to be marked CE. */
static int
ce_due(struct tern_impair *im, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	unsigned ecn;

	if (im->cfg.ce_ppm == 0 && im->cfg.ce_threshold == 0)
		return 0;
	if ((ip = ipv4_of(m)) == NULL)
		return 0;
	ecn = ip->type_of_service & 3;
	if (ecn != 1 && ecn != 2)
		return 0;
	return (im->cfg.ce_threshold != 0 && im->n >= im->cfg.ce_threshold) ||
	       rng_chance(im, im->cfg.ce_ppm);
}

/*
 * Sets the ECN field to CE as a router would (RFC 3168 §5), keeping the
 * header checksum right by RFC 1624's incremental update unless the NIC is
 * to fill it in. Returns the frame to carry on with (a private copy when
 * the original was shared).
 */
static struct rte_mbuf *
ce_mark(struct tern_impair *im, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;
	uint16_t old_word, new_word;
	uint32_t sum;

	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, im->pool, 0, UINT32_MAX);

		if (c == NULL)
			return m;
		rte_pktmbuf_free(m); /* the copy has the offload flags, never INDIRECT or EXTERNAL */
		m = c;
	}
	if ((ip = ipv4_of(m)) == NULL)
		return m;
	old_word = rte_be_to_cpu_16(*(const uint16_t *)ip);
	ip->type_of_service |= 3;
	new_word = rte_be_to_cpu_16(*(const uint16_t *)ip);
	if (!(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM)) {
		/* HC' = ~(~HC + ~m + m') */
		sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + (uint16_t)~old_word + new_word;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
	}
	count(im, offsetof(struct core_counters, ImpairRxCeMarked));
	return m;
}

/* Delay plus uniform jitter in [-jitter, +jitter], clamped at 0, plus the
 * reorder gap for the frames picked to be overtaken. */
static uint64_t
delay_us(struct tern_impair *im)
{
	const struct tern_impair_dir_cfg *c = &im->cfg;
	int64_t d = c->delay_us;

	if (c->jitter_us != 0)
		d += (int64_t)rng_below(im, 2 * (uint64_t)c->jitter_us + 1) - c->jitter_us;
	if (d < 0)
		d = 0;
	if (d > 0)
		count(im, offsetof(struct core_counters, ImpairRxDelayed));
	if (rng_chance(im, c->reorder_ppm)) {
		d += c->reorder_gap_us;
		count(im, offsetof(struct core_counters, ImpairRxReordered));
	}
	return (uint64_t)d;
}

/* Corrupts, schedules and holds one frame (original or duplicate). */
static void
schedule(struct tern_impair *im, uint64_t now, struct rte_mbuf *m)
{
	uint64_t release;

	/* Checked first so the other counters only count frames that are held. */
	if (im->n >= im->cap) {
		rte_pktmbuf_free(m);
		count(im, offsetof(struct core_counters, ImpairRxQueueFull));
		return;
	}
	if (ce_due(im, m))
		m = ce_mark(im, m);
	if (rng_chance(im, im->cfg.corrupt_ppm))
		m = corrupt(im, m);
	release = now + tern_us_to_tsc(delay_us(im));
	heap_insert(im, release, m);
}

static void
push_one(struct tern_impair *im, uint64_t now, struct rte_mbuf *m)
{
	struct rte_mbuf *dup = NULL;

	if (rng_chance(im, im->cfg.loss_ppm)) {
		rte_pktmbuf_free(m);
		count(im, offsetof(struct core_counters, ImpairRxLost));
		return;
	}
	/* Copied before corruption so the duplicate is impaired on its own. */
	if (rng_chance(im, im->cfg.duplicate_ppm)) {
		dup = rte_pktmbuf_copy(m, im->pool, 0, UINT32_MAX);
		if (dup != NULL)
			count(im, offsetof(struct core_counters, ImpairRxDuplicated));
	}
	schedule(im, now, m);
	if (dup != NULL)
		schedule(im, now, dup);
}

/* --- public interface --- */

struct tern_impair *
tern_impair_create(const struct tern_impair_dir_cfg *cfg, uint32_t queue_len,
		   uint32_t seed, enum tern_impair_dir dir, int socket,
		   struct rte_mempool *pool, struct core_counters *cnt,
		   tern_impair_finalize_fn finalize)
{
	struct tern_impair *im;
	uint32_t cap = RTE_MAX(queue_len, 1u);
	uint64_t x;

	im = rte_zmalloc_socket("tern_impair",
				sizeof(*im) + (size_t)cap * sizeof(im->heap[0]),
				RTE_CACHE_LINE_SIZE, socket);
	if (im == NULL)
		return NULL;
	im->cfg = *cfg;
	im->cap = cap;
	im->cnt_off = dir == TERN_IMPAIR_TX ? (offsetof(struct core_counters, ImpairTxLost) -
						offsetof(struct core_counters, ImpairRxLost)) / sizeof(uint64_t) : 0;
	im->cnt = cnt;
	im->pool = pool;
	im->finalize = finalize;
	/* Both directions share the seed but must not make the same decisions. */
	x = ((uint64_t)seed << 1) | (uint64_t)dir;
	for (int i = 0; i < 4; i++)
		im->rng[i] = splitmix64(&x);
	return im;
}

int
tern_impair_active(const struct tern_impair_cfg *cfg, enum tern_impair_dir dir)
{
	const struct tern_impair_dir_cfg *d = dir == TERN_IMPAIR_TX ? &cfg->tx : &cfg->rx;

	/* reorder_gap_us alone does nothing: it only applies to reordered frames. */
	return cfg->enabled &&
	       (d->loss_ppm | d->duplicate_ppm | d->corrupt_ppm | d->reorder_ppm |
		d->delay_us | d->jitter_us | d->ce_ppm | d->ce_threshold) != 0;
}

void
tern_impair_push(struct tern_impair *im, uint64_t now,
		 struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		push_one(im, now, pkts[i]);
}

uint16_t
tern_impair_pull(struct tern_impair *im, uint64_t now,
		 struct rte_mbuf **out, uint16_t cap)
{
	uint16_t n = 0;

	while (n < cap && im->n > 0 && im->heap[0].release <= now)
		out[n++] = heap_pop(im);
	return n;
}

uint32_t
tern_impair_held(const struct tern_impair *im)
{
	return im->n;
}

void
tern_impair_free(struct tern_impair *im)
{
	if (im == NULL)
		return;
	for (uint32_t i = 0; i < im->n; i++)
		rte_pktmbuf_free(im->heap[i].m);
	rte_free(im);
}
