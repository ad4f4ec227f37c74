#include "latency.h"

/* Values below 2^LAT_SUB_BITS get one bucket each; above, 16 per power of two. */
static unsigned
bucket_of(uint64_t ns)
{
	unsigned msb, shift;

	if (ns < (1u << LAT_SUB_BITS))
		return (unsigned)ns;
	msb = 63 - (unsigned)__builtin_clzll(ns);
	if (msb >= 40)
		return LAT_BUCKETS - 1;
	shift = msb - LAT_SUB_BITS;
	return ((shift + 1) << LAT_SUB_BITS) + (unsigned)((ns >> shift) & ((1u << LAT_SUB_BITS) - 1));
}

/* The largest value that falls into bucket i. */
static uint64_t
bucket_upper(unsigned i)
{
	unsigned shift;
	uint64_t sub;

	if (i < (1u << LAT_SUB_BITS))
		return i;
	shift = (i >> LAT_SUB_BITS) - 1;
	sub = (i & ((1u << LAT_SUB_BITS) - 1)) | (1u << LAT_SUB_BITS);
	return ((sub + 1) << shift) - 1;
}

void
lat_record(struct latency_hist *h, uint64_t ns)
{
	h->b[bucket_of(ns)]++;
	h->count++;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void
lat_merge(struct latency_hist *dst, const struct latency_hist *src)
{
	for (unsigned i = 0; i < LAT_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

uint64_t
lat_quantile(const struct latency_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(q * (double)h->count + 0.999999);
	if (want == 0)
		want = 1;
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		seen += h->b[i];
		/* The last bucket also holds everything beyond 2^40 ns: its bound is the max. */
		if (seen >= want)
			return bucket_upper(i) < h->max_ns && i < LAT_BUCKETS - 1 ? bucket_upper(i) : h->max_ns;
	}
	return h->max_ns;
}
