/*
 * The SACK scoreboard of RFC 6675: what the peer holds above SND.UNA, kept
 * as sorted disjoint ranges, and the rules derived from it: IsLost (§4),
 * pipe (§4, SetPipe), NextSeg (§4), with DupThresh 3, raised on a
 * connection that showed reordering. Pure arithmetic on sequence numbers;
 * no packets.
 */
#ifndef TERN_TCP_SACK_H
#define TERN_TCP_SACK_H

#include <stdint.h>

#include "tcp_options.h"
#include "tcp_seq.h"

#define SB_MAX_RANGES 8
#define SB_DUPTHRESH 3
#define SB_DUPTHRESH_MAX 64     /* segments; Linux's tcp_max_reordering is 300 */

struct tcp_scoreboard {
	uint8_t n;
	uint8_t dupthresh;       /* DupThresh in segments, 0: SB_DUPTHRESH */
	struct tcp_sack_block r[SB_MAX_RANGES]; /* sorted, disjoint, above snd_una */
	tcp_seq_t high_rxt;      /* HighRxt: highest sequence retransmitted in recovery */
	tcp_seq_t rxt_fence;     /* SND.MAX when the latest retransmission went out */
	tcp_seq_t rack_edge;     /* un-SACKed bytes below it are lost by the reordering timer */
	tcp_seq_t reo_edge;      /* the highest SACKed byte when that timer started */
};

/*
 * RFC 6675 §2 leaves DupThresh open for reordering-aware senders ("a
 * value larger than 3 MAY be used"); Linux raises it per connection.
 */
static inline uint32_t
sb_dupthresh(const struct tcp_scoreboard *sb)
{
	return sb->dupthresh ? sb->dupthresh : SB_DUPTHRESH;
}

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
 * IsLost(seq): DupThresh discontiguous SACKed ranges above seq, or more than
 * (DupThresh - 1) * mss bytes SACKed above it, or below rack_edge. Returns
 * the boundary below which every un-SACKed byte is lost (snd_una when
 * nothing is).
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
 * Evidence that a retransmission below HighRxt was lost too: the bytes
 * SACKed that were sent after the latest retransmission (at or above
 * rxt_fence), or 0 when [snd_una, HighRxt) has no un-SACKed byte left.
 * More than (DupThresh - 1) * mss is the IsLost rule of RFC 6675 §4
 * applied to the order of transmission instead of sequence; fewer is
 * RACK's case for a reordering timer (RFC 8985 §6.2).
 */
uint32_t sb_sacked_after_rxt(const struct tcp_scoreboard *sb, tcp_seq_t snd_una);

static inline int
sb_rxt_lost(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss)
{
	return sb_sacked_after_rxt(sb, snd_una) > (sb_dupthresh(sb) - 1) * mss;
}

/*
 * An un-SACKed byte above every loss IsLost (or rack_edge) knows of and
 * above HighRxt, yet below the highest SACKed byte: sent before data that
 * was delivered, so lost unless reordered (RFC 8985 §6.2).
 */
int sb_unlost_hole(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss);

/* The end of the SACKed range holding seq, or seq itself. */
tcp_seq_t sb_skip_sacked(const struct tcp_scoreboard *sb, tcp_seq_t seq);

#endif
