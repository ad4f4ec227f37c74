/*
 * TCP sequence numbers (RFC 9293 §3.4): 32-bit values compared modulo
 * 2^32. Nothing else in tern compares two sequence numbers.
 */
#ifndef TERN_TCP_SEQ_H
#define TERN_TCP_SEQ_H

#include <stdint.h>

typedef uint32_t tcp_seq_t;

static inline int32_t
seq_diff(tcp_seq_t a, tcp_seq_t b)
{
	return (int32_t)(a - b);
}

static inline int seq_lt(tcp_seq_t a, tcp_seq_t b) { return seq_diff(a, b) < 0; }
static inline int seq_leq(tcp_seq_t a, tcp_seq_t b) { return seq_diff(a, b) <= 0; }
static inline int seq_gt(tcp_seq_t a, tcp_seq_t b) { return seq_diff(a, b) > 0; }
static inline int seq_geq(tcp_seq_t a, tcp_seq_t b) { return seq_diff(a, b) >= 0; }

/* lo <= s < hi, the window test of RFC 9293 §3.10.7.4. */
static inline int
seq_in_window(tcp_seq_t s, tcp_seq_t lo, tcp_seq_t hi)
{
	return seq_leq(lo, s) && seq_lt(s, hi);
}

static inline tcp_seq_t
seq_max(tcp_seq_t a, tcp_seq_t b)
{
	return seq_gt(a, b) ? a : b;
}

static inline tcp_seq_t
seq_min(tcp_seq_t a, tcp_seq_t b)
{
	return seq_lt(a, b) ? a : b;
}

#endif
