#include "hystart.h"

void
hystart_init(struct hystart *h)
{
	*h = (struct hystart){
		.last_round_min_rtt = HS_NO_RTT, .cur_round_min_rtt = HS_NO_RTT,
		.css_baseline_min_rtt = HS_NO_RTT,
	};
}

/* §4.2: a round ends when the ACK passes the highest sequence sent at its start. */
static void
new_round(struct hystart *h, tcp_seq_t snd_max, uint32_t cwnd, uint32_t *ssthresh)
{
	h->last_round_min_rtt = h->cur_round_min_rtt;
	h->cur_round_min_rtt = HS_NO_RTT;
	h->samples = 0;
	h->window_end = snd_max;
	if (h->in_css && ++h->css_rounds >= HS_CSS_ROUNDS)
		*ssthresh = cwnd; /* CSS lasted CSS_ROUNDS: congestion avoidance */
}

static uint32_t
rtt_thresh(uint32_t last)
{
	uint32_t t = last / HS_MIN_RTT_DIVISOR;

	return t < HS_MIN_RTT_THRESH_US ? HS_MIN_RTT_THRESH_US :
	       t > HS_MAX_RTT_THRESH_US ? HS_MAX_RTT_THRESH_US : t;
}

void
hystart_on_ack(struct hystart *h, uint32_t acked, uint32_t rtt_us, tcp_seq_t ack,
	       tcp_seq_t snd_max, uint32_t mss, uint32_t *cwnd, uint32_t *ssthresh)
{
	uint32_t grow = acked < HS_L * mss ? acked : HS_L * mss;

	if (!h->started || seq_gt(ack, h->window_end)) {
		h->started = 1;
		new_round(h, snd_max, *cwnd, ssthresh);
		if (*cwnd >= *ssthresh)
			return;
	}
	if (rtt_us != 0) {
		if (rtt_us < h->cur_round_min_rtt)
			h->cur_round_min_rtt = rtt_us;
		h->samples++;
	}
	*cwnd += h->in_css ? grow / HS_CSS_GROWTH_DIVISOR : grow;
	if (h->samples < HS_N_RTT_SAMPLE || h->cur_round_min_rtt == HS_NO_RTT)
		return;
	if (!h->in_css && h->last_round_min_rtt != HS_NO_RTT &&
	    h->cur_round_min_rtt >= h->last_round_min_rtt + rtt_thresh(h->last_round_min_rtt)) {
		/* §4.2: the delay rose: Conservative Slow Start. */
		h->in_css = 1;
		h->css_rounds = 0;
		h->css_baseline_min_rtt = h->cur_round_min_rtt;
	} else if (h->in_css && h->cur_round_min_rtt < h->css_baseline_min_rtt) {
		/* The rise was spurious: back to slow start. */
		h->in_css = 0;
		h->css_baseline_min_rtt = HS_NO_RTT;
	}
}
