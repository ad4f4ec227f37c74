/*
 * CUBIC (RFC 9438): the window follows C*(t-K)^3 + W_max after a loss,
 * never below the Reno-friendly estimate; beta 0.7, C 0.4, fast
 * convergence; HyStart++ ends slow start; no growth while application
 * limited; after an RTO the next epoch starts from the current window
 * with K = 0 (§4.8). Windows in segments as doubles, state in cc_priv.
 */
#include "cc_cubic.h"
#include "hystart.h"
#include "tcp_internal.h"

struct cubic {
	double w_max;          /* segments */
	double k;              /* seconds */
	double w_est;          /* segments */
	uint64_t epoch_start;  /* µs; 0: no epoch */
	uint32_t cwnd_prior;   /* bytes: cwnd when the window was last reduced (§4.6) */
	uint8_t after_rto;
	struct hystart hs;
};

_Static_assert(sizeof(struct cubic) <= TCP_CC_PRIV, "CUBIC state must fit in cc_priv");

static struct cubic *
cubic_of(struct tcb *c)
{
	return (struct cubic *)c->cc_priv;
}

static double
segs(const struct tcb *c, uint32_t bytes)
{
	return (double)bytes / c->mss;
}

static void
cubic_init(struct tcb *c)
{
	struct cubic *cu = cubic_of(c);

	tcp_cc_newreno.init(c); /* IW10, ssthresh "infinite" */
	*cu = (struct cubic){ 0 };
	hystart_init(&cu->hs);
}

static void
epoch_begin(struct tcb *c, struct cubic *cu, uint64_t now_us)
{
	double cwnd = segs(c, c->cwnd);

	cu->epoch_start = now_us ? now_us : 1;
	if (cu->after_rto) {
		cu->w_max = cwnd; /* §4.8: K = 0, W_max = the window at the start of this stage */
		cu->cwnd_prior = c->cwnd;
		cu->after_rto = 0;
	}
	cu->k = cubic_k(cu->w_max, cwnd);
	if (cu->w_max < cwnd)
		cu->w_max = cwnd;
	cu->w_est = cwnd;
}

static void
congestion_avoidance(struct tcb *c, struct cubic *cu, const struct tcp_ack_info *ai)
{
	double cwnd = segs(c, c->cwnd), acked = segs(c, ai->delivered), target, w;
	double rtt = c->rtt.have_sample ? c->rtt.srtt_us / 1e6 : 0.1;
	double t;

	if (cu->epoch_start == 0)
		epoch_begin(c, cu, ai->now_us);
	t = (double)(ai->now_us - cu->epoch_start) / 1e6;
	w = cubic_w(t + rtt, cu->k, cu->w_max);
	/* §4.3: Reno-friendly estimate; alpha becomes 1 once it passes cwnd_prior. */
	cu->w_est += (cu->w_est < segs(c, cu->cwnd_prior) ? cubic_alpha() : 1.0) * acked / cwnd;
	if (cubic_w(t, cu->k, cu->w_max) < cu->w_est) {
		if (cu->w_est > cwnd)
			c->cwnd = (uint32_t)(cu->w_est * c->mss);
		return;
	}
	/* §4.4-4.5: toward W_cubic(t + RTT), at most 1.5x per RTT. */
	target = w < cwnd ? cwnd : (w > 1.5 * cwnd ? 1.5 * cwnd : w);
	c->cwnd += (uint32_t)((target - cwnd) / cwnd * ai->delivered);
}

static void
cubic_on_ack(struct tcb *c, const struct tcp_ack_info *ai)
{
	struct cubic *cu = cubic_of(c);

	if (!ai->cwnd_limited)
		return; /* RFC 9438 §5.8 / RFC 7661: no growth the sender did not use */
	if (c->cwnd < c->ssthresh && ai->after_rto) {
		c->cwnd += RTE_MIN(ai->delivered, (uint32_t)c->mss); /* HyStart++ is for the first slow start */
		return;
	}
	if (c->cwnd < c->ssthresh) {
		hystart_on_ack(&cu->hs, ai->delivered, ai->rtt_us, ai->ack, ai->snd_max, c->mss,
			       &c->cwnd, &c->ssthresh);
		return;
	}
	congestion_avoidance(c, cu, ai);
}

/* §4.6-4.7: multiplicative decrease with fast convergence. */
static void
cubic_congestion(struct tcb *c, uint32_t flight)
{
	struct cubic *cu = cubic_of(c);
	double cwnd = segs(c, c->cwnd);

	(void)flight;
	cu->cwnd_prior = c->cwnd;
	cu->w_max = cwnd < cu->w_max ? cwnd * (1.0 + CUBIC_BETA) / 2.0 : cwnd;
	cu->epoch_start = 0;
	c->ssthresh = RTE_MAX((uint32_t)(c->cwnd * CUBIC_BETA), 2u * c->mss);
	c->cwnd = c->ssthresh;
	cu->hs.in_css = 0;
}

static void
cubic_rto(struct tcb *c, uint32_t flight)
{
	struct cubic *cu = cubic_of(c);

	(void)flight;
	if (c->rtx_count <= 1) /* only the first timeout of a series reduces ssthresh */
		c->ssthresh = RTE_MAX((uint32_t)(c->cwnd * CUBIC_BETA), 2u * c->mss);
	c->cwnd = c->mss;
	cu->epoch_start = 0;
	cu->after_rto = 1;
	hystart_init(&cu->hs);
}

static void
cubic_recovery_exit(struct tcb *c, uint32_t flight)
{
	(void)flight;
	c->cwnd = c->ssthresh;
}

static void
cubic_idle(struct tcb *c)
{
	tcp_cc_newreno.on_idle_restart(c);
	cubic_of(c)->epoch_start = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.on_congestion_event = cubic_congestion,
	.on_rto = cubic_rto,
	.on_recovery_exit = cubic_recovery_exit,
	.on_idle_restart = cubic_idle,
};
