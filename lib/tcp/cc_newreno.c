/*
 * NewReno window arithmetic: slow start and congestion avoidance with
 * appropriate byte counting (RFC 5681 §3.1, RFC 3465 with L = 2 SMSS),
 * IW10 (RFC 6928), ssthresh on loss (RFC 5681 eq. 4), recovery exit
 * (RFC 6582 §3.2 step 3, first option), restart after idle (RFC 5681 §4.1).
 */
#include <string.h>

#include "tcp_internal.h"

static uint32_t
initial_window(const struct tcb *c)
{
	/* RFC 6928: min(10*MSS, max(2*MSS, 14600)). */
	return RTE_MIN(10u * c->mss, RTE_MAX(2u * c->mss, 14600u));
}

static uint32_t
half_flight(const struct tcb *c, uint32_t flight)
{
	return RTE_MAX(flight / 2, 2u * c->mss);
}

static void
newreno_init(struct tcb *c)
{
	c->cwnd = initial_window(c);
	c->ssthresh = UINT32_MAX / 2;
	c->bytes_acked = 0;
}

static void
newreno_on_ack(struct tcb *c, const struct tcp_ack_info *ai)
{
	uint32_t acked = ai->delivered; /* RFC 3465 counts bytes delivered, each once */

	if (!ai->cwnd_limited)
		return; /* an application-limited sender has not tested the larger window */
	if (c->cwnd < c->ssthresh) {
		c->cwnd += RTE_MIN(acked, (ai->after_rto ? 1u : 2u) * c->mss);
		return;
	}
	c->bytes_acked += acked;
	if (c->bytes_acked >= c->cwnd) {
		c->bytes_acked -= c->cwnd;
		c->cwnd += c->mss;
	}
}

static void
newreno_congestion(struct tcb *c, uint32_t flight)
{
	c->ssthresh = half_flight(c, flight);
	c->cwnd = c->ssthresh + 3u * c->mss;
}

static void
newreno_rto(struct tcb *c, uint32_t flight)
{
	/* Only the first timeout of a series halves (RFC 5681 §3.1 eq. 4 note). */
	if (c->rtx_count <= 1)
		c->ssthresh = half_flight(c, flight);
	c->cwnd = c->mss;
	c->bytes_acked = 0;
}

static void
newreno_recovery_exit(struct tcb *c, uint32_t flight)
{
	c->cwnd = RTE_MIN(c->ssthresh, RTE_MAX(flight, (uint32_t)c->mss) + c->mss);
	c->bytes_acked = 0;
}

static void
newreno_idle(struct tcb *c)
{
	c->cwnd = RTE_MIN(c->cwnd, initial_window(c));
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.init = newreno_init,
	.on_ack = newreno_on_ack,
	.on_congestion_event = newreno_congestion,
	.on_rto = newreno_rto,
	.on_recovery_exit = newreno_recovery_exit,
	.on_idle_restart = newreno_idle,
};

const struct tcp_cc_ops *
tcp_cc_find(const char *name)
{
	if (strcmp(name, tcp_cc_newreno.name) == 0)
		return &tcp_cc_newreno;
	if (strcmp(name, tcp_cc_cubic.name) == 0)
		return &tcp_cc_cubic;
	return NULL;
}
