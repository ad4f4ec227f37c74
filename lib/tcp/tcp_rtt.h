/*
 * Retransmission timeout estimation, RFC 6298 (the modern form of the
 * SRTT = a*SRTT + (1-a)*RTT, RTO = SRTT + 4*deviation smoothing): alpha
 * 1/8, beta 1/4, K = 4, exponential backoff. Karn's rule (§3) is the
 * caller's: no sample from a retransmitted segment unless timestamps say
 * which transmission was acknowledged.
 */
#ifndef TERN_TCP_RTT_H
#define TERN_TCP_RTT_H

#include <stdint.h>

struct tcp_rtt_limits {
	uint32_t initial_us;   /* RFC 6298 §2.1: 1 s */
	uint32_t min_us;       /* Linux's 200 ms, below RFC 6298 §2.4's 1 s (a SHOULD) */
	uint32_t max_us;       /* §2.5: at least 60 s; tern uses 120 s */
	uint32_t granularity_us; /* G of §2 */
};

struct tcp_rtt {
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint32_t rto_us;       /* before backoff */
	uint8_t have_sample;
	uint8_t backoff;       /* timeouts (RTO, persist) in a row since the last new sample */
	uint16_t min_ms;    /* the least sample, in ms (at most 65535): RACK's min_RTT (RFC 8985 §6.1) */
};

void tcp_rtt_init(struct tcp_rtt *r, const struct tcp_rtt_limits *lim);

/* A new measurement (§2.2-2.3); clears the backoff (§5.7 rule of thumb, as Linux). */
void tcp_rtt_sample(struct tcp_rtt *r, const struct tcp_rtt_limits *lim, uint32_t rtt_us);

/* The timeout to arm now: rto << backoff, at most max_us (§5.5). */
uint32_t tcp_rtt_current_rto(const struct tcp_rtt *r, const struct tcp_rtt_limits *lim);

/* The retransmission timer expired (§5.5): back the timer off. */
void tcp_rtt_backoff(struct tcp_rtt *r);

#endif
