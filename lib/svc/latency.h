/*
 * A latency histogram of fixed size: log-linear buckets (16 per power of
 * two, so any value is reported within 1/16 = 6.25 % above its true value),
 * for nanoseconds up to 2^40 (about 18 minutes). Recording is two shifts
 * and an increment; histograms of several workers add up.
 */
#ifndef TERN_SVC_LATENCY_H
#define TERN_SVC_LATENCY_H

#include <stdint.h>

#define LAT_SUB_BITS 4
#define LAT_BUCKETS ((40 - LAT_SUB_BITS + 1) << LAT_SUB_BITS)

struct latency_hist {
	uint64_t count;
	uint64_t max_ns;
	uint32_t b[LAT_BUCKETS];
};

void lat_record(struct latency_hist *h, uint64_t ns);
/* Adds src into dst. */
void lat_merge(struct latency_hist *dst, const struct latency_hist *src);
/* The smallest bucket bound with at least q (0..1) of the samples at or below it; 0 if empty. */
uint64_t lat_quantile(const struct latency_hist *h, double q);

#endif
