#include "tcp_rtt.h"

static uint32_t
clamp_rto(uint64_t rto, const struct tcp_rtt_limits *lim)
{
	if (rto < lim->min_us)
		return lim->min_us;
	return rto > lim->max_us ? lim->max_us : (uint32_t)rto;
}

static uint32_t
rto_from(const struct tcp_rtt *r, const struct tcp_rtt_limits *lim)
{
	uint64_t k_var = 4ull * r->rttvar_us;

	return clamp_rto((uint64_t)r->srtt_us + (k_var > lim->granularity_us ? k_var : lim->granularity_us),
			 lim);
}

void
tcp_rtt_init(struct tcp_rtt *r, const struct tcp_rtt_limits *lim)
{
	*r = (struct tcp_rtt){ .rto_us = lim->initial_us };
}

void
tcp_rtt_sample(struct tcp_rtt *r, const struct tcp_rtt_limits *lim, uint32_t rtt_us)
{
	uint32_t ms = rtt_us / 1000 < UINT16_MAX ? rtt_us / 1000 : UINT16_MAX;

	if (!r->have_sample || ms < r->min_ms)
		r->min_ms = (uint16_t)ms;
	if (!r->have_sample) {
		/* §2.2: SRTT <- R, RTTVAR <- R/2 */
		r->srtt_us = rtt_us;
		r->rttvar_us = rtt_us / 2;
		r->have_sample = 1;
	} else {
		/* §2.3: RTTVAR first, with the old SRTT; then SRTT. */
		uint32_t err = r->srtt_us > rtt_us ? r->srtt_us - rtt_us : rtt_us - r->srtt_us;

		r->rttvar_us = r->rttvar_us - r->rttvar_us / 4 + err / 4;
		r->srtt_us = r->srtt_us - r->srtt_us / 8 + rtt_us / 8;
	}
	r->rto_us = rto_from(r, lim);
	r->backoff = 0;
}

uint32_t
tcp_rtt_current_rto(const struct tcp_rtt *r, const struct tcp_rtt_limits *lim)
{
	uint64_t rto = (uint64_t)r->rto_us << (r->backoff < 32 ? r->backoff : 32);

	return rto > lim->max_us ? lim->max_us : (uint32_t)rto;
}

void
tcp_rtt_backoff(struct tcp_rtt *r)
{
	if (r->backoff < 31)
		r->backoff++;
}
