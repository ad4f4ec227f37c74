/*
 * The capture writer's turn on the main lcore: a round takes what every
 * worker's ring holds (up to CAP_DRAIN_BURST each), merges it by timestamp
 * (each ring is in time order already; the packets of one flow may come
 * from two workers when one received it and the other, its owner, sent
 * the answers) and writes it with rte_pcapng_write_packets, which leaves
 * the copies to the caller: they are freed here, written or not.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "ctl_capture.h"

#define WRITE_CHUNK 512               /* copies per writev (below IOV_MAX) */

/* A copy's Enhanced Packet Block timestamp (pcapng §4.3: words 3 and 4). */
static uint64_t
stamp(const struct rte_mbuf *m)
{
	const uint32_t *epb = rte_pktmbuf_mtod(m, const uint32_t *);

	return (uint64_t)epb[3] << 32 | epb[4];
}

/* The round in time order (ties: the lower worker first, then ring order). */
static unsigned
merge_round(struct cap_merge *mg, unsigned nw)
{
	unsigned out = 0;

	for (;;) {
		int best = -1;
		uint64_t bt = 0;

		for (unsigned i = 0; i < nw; i++) {
			if (mg->at[i] == mg->n[i])
				continue;
			uint64_t t = stamp(mg->in[i][mg->at[i]]);

			if (best < 0 || t < bt) {
				best = (int)i;
				bt = t;
			}
		}
		if (best < 0)
			return out;
		mg->out[out++] = mg->in[best][mg->at[best]++];
	}
}

/* The tern port a copy came from (rte_pcapng_copy left the ethdev port in m->port). */
static void
count_port(struct cap_session *s, const struct rte_mbuf *m)
{
	for (unsigned p = 0; p < s->src->nports && p < TERN_MAX_PORTS; p++)
		if (s->src->port_ids[p] == m->port) {
			s->written_port[p]++;
			return;
		}
}

/* Writes k copies; 0, or -1 with s->error set. */
static int
write_chunk(struct cap_session *s, struct rte_mbuf **pkts, unsigned k)
{
	ssize_t want = 0, got;

	for (unsigned i = 0; i < k; i++)
		want += rte_pktmbuf_pkt_len(pkts[i]);
	got = rte_pcapng_write_packets(s->png, pkts, (uint16_t)k);
	if (got != want) {
		s->error = got < 0 ? (rte_errno ? rte_errno : EIO) : ENOSPC;
		return -1;
	}
	for (unsigned i = 0; i < k; i++)
		count_port(s, pkts[i]);
	s->written += k;
	return 0;
}

/* Writes what the count still allows of n copies, then frees all n. */
static void
write_out(struct cap_session *s, struct rte_mbuf **pkts, unsigned n)
{
	unsigned k = n;

	if (s->req.count != 0)
		k = (unsigned)RTE_MIN((uint64_t)n, s->req.count - RTE_MIN(s->written, s->req.count));
	for (unsigned first = 0; first < k && s->error == 0; first += WRITE_CHUNK)
		write_chunk(s, pkts + first, RTE_MIN(k - first, (unsigned)WRITE_CHUNK));
	rte_pktmbuf_free_bulk(pkts, n);
}

void
cap_session_drain(struct cap_session *s)
{
	struct cap_merge *mg = s->merge;
	/* Bounded: workers refilling their rings as fast as they are drained never hold the main lcore. */
	unsigned rounds = s->ring_size / CAP_DRAIN_BURST + 1, got;

	do {
		got = 0;
		for (unsigned i = 0; i < s->nworkers; i++) {
			mg->n[i] = rte_ring_sc_dequeue_burst(s->w[i]->ring, (void **)mg->in[i],
							     CAP_DRAIN_BURST, NULL);
			mg->at[i] = 0;
			got += mg->n[i];
		}
		if (got > 0)
			write_out(s, mg->out, merge_round(mg, s->nworkers));
	} while (got > 0 && --rounds > 0);
}
