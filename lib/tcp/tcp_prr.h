/* Proportional Rate Reduction (RFC 6937 §3), as arithmetic the tests can check against the RFC. */
#ifndef TERN_TCP_PRR_H
#define TERN_TCP_PRR_H

#include <stdint.h>

struct tcp_prr {
	uint32_t delivered;      /* prr_delivered */
	uint32_t out;            /* prr_out */
	uint32_t recover_fs;     /* RecoverFS: flight size at the start of recovery */
};

static inline void
prr_start(struct tcp_prr *p, uint32_t flight)
{
	p->delivered = 0;
	p->out = 0;
	p->recover_fs = flight ? flight : 1;
}

/*
 * On each ACK in recovery: how many bytes may be sent (sndcnt), given the
 * data this ACK delivered, the pipe after it, ssthresh and the MSS. Uses
 * the slow-start reduction bound (PRR-SSRB) when pipe is below ssthresh.
 */
static inline uint32_t
prr_sndcnt(struct tcp_prr *p, uint32_t delivered, uint32_t pipe, uint32_t ssthresh, uint32_t mss)
{
	int64_t sndcnt;

	p->delivered += delivered;
	if (pipe > ssthresh) {
		/* CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out */
		uint64_t want = ((uint64_t)p->delivered * ssthresh + p->recover_fs - 1) / p->recover_fs;
		sndcnt = (int64_t)want - p->out;
	} else {
		int64_t limit = (int64_t)p->delivered - p->out;

		if (limit < (int64_t)delivered)
			limit = delivered;
		limit += mss;
		sndcnt = (int64_t)ssthresh - pipe;
		if (sndcnt > limit)
			sndcnt = limit;
	}
	return sndcnt > 0 ? (uint32_t)sndcnt : 0;
}

#endif
