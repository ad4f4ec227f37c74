/*
 * HyStart++ (RFC 9406): leave slow start when the RTT of a round rises by
 * a threshold, through a few rounds of Conservative Slow Start. Pure
 * arithmetic on the window; the caller owns cwnd and ssthresh.
 */
#ifndef TERN_TCP_HYSTART_H
#define TERN_TCP_HYSTART_H

#include <stdint.h>

#include "tcp_seq.h"

/* RFC 9406 §4.3 constants. */
#define HS_MIN_RTT_THRESH_US 4000
#define HS_MAX_RTT_THRESH_US 16000
#define HS_MIN_RTT_DIVISOR 8
#define HS_N_RTT_SAMPLE 8
#define HS_CSS_GROWTH_DIVISOR 4
#define HS_CSS_ROUNDS 5
#define HS_L 8                      /* not paced: at most 8 SMSS of growth per ACK */
#define HS_NO_RTT UINT32_MAX

struct hystart {
	uint32_t last_round_min_rtt;
	uint32_t cur_round_min_rtt;
	uint32_t css_baseline_min_rtt;
	uint32_t samples;               /* rttSampleCount of this round */
	tcp_seq_t window_end;
	uint8_t in_css;
	uint8_t css_rounds;
	uint8_t started;
};

void hystart_init(struct hystart *h);

/*
 * One ACK in slow start (cwnd < ssthresh): grows *cwnd and may end slow
 * start by setting *ssthresh = *cwnd. rtt_us 0 means no sample.
 */
void hystart_on_ack(struct hystart *h, uint32_t acked, uint32_t rtt_us, tcp_seq_t ack,
		    tcp_seq_t snd_max, uint32_t mss, uint32_t *cwnd, uint32_t *ssthresh);

#endif
