/*
 * The SACK scoreboard of RFC 6675: what the peer holds above SND.UNA, kept
 * as sorted disjoint ranges, and the rules derived from it: IsLost (§4),
 * pipe (§4, SetPipe), NextSeg (§4), with DupThresh 3 until the connection
 * shows reordering; from then on only RACK's time rule (RFC 8985, in
 * tcp_rack.c) says what is lost, through rack_edge. Pure arithmetic on
 * sequence numbers; no packets.
 */
#ifndef TERN_TCP_SACK_H
#define TERN_TCP_SACK_H

#include <stdint.h>

#include "tcp_options.h"
#include "tcp_seq.h"

#define SB_MAX_RANGES 8
#define SB_DUPTHRESH 3

struct tcp_scoreboard {
	uint8_t n;
	uint8_t reo_steps;       /* RACK.reo_wnd_mult - 1 (RFC 8985 §6.2 step 4): D-SACK rounds counted */
	uint16_t rack_rtt_ms;    /* RACK.rtt: the RTT of the segment that set rack_end */
	struct tcp_sack_block r[SB_MAX_RANGES]; /* sorted, disjoint, above snd_una */
	tcp_seq_t high_rxt;      /* HighRxt: highest sequence retransmitted in recovery */
	tcp_seq_t rxt_fence;     /* SND.MAX when the latest retransmission went out */
	tcp_seq_t rack_edge;     /* un-SACKed bytes below it are lost by RACK's time rule */
	uint8_t reo_seen;        /* RACK.reordering_seen: the DupThresh rule is off */
	uint8_t reo_persist;     /* RACK.reo_wnd_persist: recoveries until reo_steps resets */
	uint8_t dsack_round_on;  /* dsack_round (in the TCB) holds a round */
	uint8_t ts_spurious;     /* this recovery's holes all filled by originals, by their TS echoes */
};

/* Forgets everything (reneging, or the connection is not using SACK). */
void sb_clear(struct tcp_scoreboard *sb);

/*
 * Update() of RFC 6675 §4: merges the blocks that lie in (snd_una, snd_max]
 * and drops what SND.UNA passed. Returns the bytes newly SACKed.
 */
uint32_t sb_update(struct tcp_scoreboard *sb, tcp_seq_t snd_una, tcp_seq_t snd_max,
		   const struct tcp_sack_block *blocks, unsigned n);

/* Removes ranges below snd_una (after a cumulative ACK). */
void sb_advance(struct tcp_scoreboard *sb, tcp_seq_t snd_una);

/* Bytes SACKed in total. */
uint32_t sb_sacked_bytes(const struct tcp_scoreboard *sb);

/* 1 when seq lies in a SACKed range. */
int sb_is_sacked(const struct tcp_scoreboard *sb, tcp_seq_t seq);

/*
 * IsLost(seq): below rack_edge, or (until reordering was seen) DupThresh
 * discontiguous SACKed ranges above seq, or more than (DupThresh - 1) * mss
 * bytes SACKed above it. Returns the boundary below which every un-SACKed
 * byte is lost (snd_una when nothing is).
 */
tcp_seq_t sb_lost_edge(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss);

static inline int
sb_is_lost(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss, tcp_seq_t seq)
{
	return seq_lt(seq, sb_lost_edge(sb, snd_una, mss)) && !sb_is_sacked(sb, seq);
}

/* Un-SACKed bytes in [from, to). */
uint32_t sb_unsacked(const struct tcp_scoreboard *sb, tcp_seq_t from, tcp_seq_t to);

/* SetPipe(): bytes believed in flight. */
uint32_t sb_pipe(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, tcp_seq_t snd_max,
		 uint32_t mss);

/*
 * NextSeg() rule 1: the first lost, un-SACKed, not yet retransmitted
 * sequence range (at most mss bytes, stopping at a SACKed range). Returns
 * 1 with *seq and *len set, 0 when rule 1 finds nothing.
 */
int sb_next_lost(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss,
		 tcp_seq_t *seq, uint32_t *len);

/*
 * Evidence that a retransmission below HighRxt may have been lost too: the
 * bytes SACKed that were sent after the latest retransmission (at or above
 * rxt_fence), or 0 when [snd_una, HighRxt) has no un-SACKed byte left.
 * RACK (tcp_rack.c) gives the retransmissions a reordering window from it.
 */
uint32_t sb_sacked_after_rxt(const struct tcp_scoreboard *sb, tcp_seq_t snd_una);

/* The end of the SACKed range holding seq, or seq itself. */
tcp_seq_t sb_skip_sacked(const struct tcp_scoreboard *sb, tcp_seq_t seq);

#endif
