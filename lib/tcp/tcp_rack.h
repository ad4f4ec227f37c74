/*
 * RACK (RFC 8985 §6): when each piece of the send queue was sent, kept in
 * the queued mbuf itself (m->hash.fdir, which only the receive side's RSS
 * uses), so loss is judged by time, as the RFC asks, without a per-segment
 * table. Original data goes out in sequence order, so for it "sent
 * earlier" is "lower in sequence"; retransmissions are flagged, and their
 * order is the scoreboard's rxt_fence.
 */
#ifndef TERN_TCP_RACK_H
#define TERN_TCP_RACK_H

#include <stdint.h>

#include <rte_mbuf.h>

#define RACK_M_SENT 1u /* fdir.lo holds the tick of its first transmission */
#define RACK_M_RXT 2u  /* sent again: fdir.lo holds the tick of the latest */

static inline void
rack_mbuf_reset(struct rte_mbuf *m)
{
	m->hash.fdir.lo = 0;
	m->hash.fdir.hi = 0;
}

static inline void
rack_mbuf_sent(struct rte_mbuf *m, uint32_t tick, int rxt)
{
	if (rxt) {
		m->hash.fdir.lo = tick;
		m->hash.fdir.hi = RACK_M_SENT | RACK_M_RXT;
	} else if (!(m->hash.fdir.hi & RACK_M_SENT)) {
		m->hash.fdir.lo = tick;
		m->hash.fdir.hi = RACK_M_SENT;
	}
}

/* A delivered piece's transmission, as tcp_sndq_ack reports the last one it freed. */
struct rack_xmit {
	uint32_t tick;
	uint32_t flags; /* RACK_M_*, 0: nothing */
};

static inline struct rack_xmit
rack_mbuf_xmit(const struct rte_mbuf *m)
{
	return (struct rack_xmit){ m->hash.fdir.lo, m->hash.fdir.hi };
}

#endif
