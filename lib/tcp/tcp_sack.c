#include <string.h>

#include <rte_common.h>

#include "tcp_sack.h"

void
sb_clear(struct tcp_scoreboard *sb)
{
	sb->n = 0;
}

static uint32_t
range_len(const struct tcp_sack_block *b)
{
	return (uint32_t)(b->end - b->start);
}

uint32_t
sb_sacked_bytes(const struct tcp_scoreboard *sb)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < sb->n; i++)
		sum += range_len(&sb->r[i]);
	return sum;
}

void
sb_advance(struct tcp_scoreboard *sb, tcp_seq_t snd_una)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < sb->n; i++) {
		struct tcp_sack_block b = sb->r[i];

		if (seq_leq(b.end, snd_una))
			continue;
		if (seq_lt(b.start, snd_una))
			b.start = snd_una;
		sb->r[keep++] = b;
	}
	sb->n = keep;
	/* Edges SND.UNA passed mean nothing more; clamped, they cannot go stale across the wrap. */
	sb->rack_edge = seq_max(sb->rack_edge, snd_una);
	sb->rxt_fence = seq_max(sb->rxt_fence, snd_una);
}

/* Inserts [start, end) keeping the list sorted and disjoint; returns the bytes that were new. */
static uint32_t
insert_range(struct tcp_scoreboard *sb, tcp_seq_t start, tcp_seq_t end)
{
	uint32_t added = sb_unsacked(sb, start, end);
	struct tcp_sack_block out[SB_MAX_RANGES + 1];
	unsigned n = 0, i = 0, ins;

	while (i < sb->n && seq_lt(sb->r[i].end, start))
		out[n++] = sb->r[i++];
	/* Everything that touches [start, end) merges into it. */
	while (i < sb->n && seq_leq(sb->r[i].start, end)) {
		start = seq_min(start, sb->r[i].start);
		end = seq_max(end, sb->r[i].end);
		i++;
	}
	ins = n;
	out[n++] = (struct tcp_sack_block){ start, end };
	while (i < sb->n)
		out[n++] = sb->r[i++];
	/* Full: the highest ranges matter least to IsLost and NextSeg; drop the last. */
	if (n > SB_MAX_RANGES) {
		n = SB_MAX_RANGES;
		if (ins == SB_MAX_RANGES)
			added = 0; /* the new range itself went: nothing was recorded */
	}
	memcpy(sb->r, out, n * sizeof(out[0]));
	sb->n = n;
	return added;
}

uint32_t
sb_update(struct tcp_scoreboard *sb, tcp_seq_t snd_una, tcp_seq_t snd_max,
	  const struct tcp_sack_block *blocks, unsigned n)
{
	uint32_t added = 0;

	sb_advance(sb, snd_una);
	for (unsigned i = 0; i < n; i++) {
		tcp_seq_t s = blocks[i].start, e = blocks[i].end;

		/* Only blocks above SND.UNA and within what was sent (D-SACK is handled apart). */
		if (!seq_lt(s, e) || seq_leq(e, snd_una) || seq_gt(e, snd_max))
			continue;
		if (seq_lt(s, snd_una))
			s = snd_una;
		added += insert_range(sb, s, e);
	}
	return added;
}

int
sb_is_sacked(const struct tcp_scoreboard *sb, tcp_seq_t seq)
{
	for (unsigned i = 0; i < sb->n; i++)
		if (seq_in_window(seq, sb->r[i].start, sb->r[i].end))
			return 1;
	return 0;
}

tcp_seq_t
sb_skip_sacked(const struct tcp_scoreboard *sb, tcp_seq_t seq)
{
	for (unsigned i = 0; i < sb->n; i++)
		if (seq_in_window(seq, sb->r[i].start, sb->r[i].end))
			return sb->r[i].end;
	return seq;
}

/* IsLost's boundary from the SACKed ranges alone (RFC 6675 §4). */
static tcp_seq_t
dupthresh_edge(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss)
{
	uint32_t bytes = 0, dupthresh = SB_DUPTHRESH;

	/* Walk down from the highest range: the first point where either rule holds. */
	for (int i = (int)sb->n - 1; i >= 0; i--) {
		bytes += range_len(&sb->r[i]);
		if ((unsigned)(sb->n - i) >= dupthresh)
			return sb->r[i].start;
		if (bytes > (dupthresh - 1) * mss) {
			/* Lost below the point where more than DupThresh - 1 MSS lie SACKed above it. */
			uint32_t excess = bytes - (dupthresh - 1) * mss;
			return sb->r[i].start + excess;
		}
	}
	return snd_una;
}

tcp_seq_t
sb_lost_edge(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss)
{
	/* RFC 8985 §6.2 step 4: once reordering was seen, time alone decides. */
	tcp_seq_t edge = sb->reo_seen ? snd_una : dupthresh_edge(sb, snd_una, mss);

	if (sb->n > 0 && seq_gt(sb->rack_edge, edge) && seq_leq(sb->rack_edge, sb->r[sb->n - 1].end))
		return sb->rack_edge;
	return edge;
}

uint32_t
sb_unsacked(const struct tcp_scoreboard *sb, tcp_seq_t from, tcp_seq_t to)
{
	uint32_t total;

	if (!seq_lt(from, to))
		return 0;
	total = (uint32_t)(to - from);
	for (unsigned i = 0; i < sb->n; i++) {
		tcp_seq_t s = seq_max(sb->r[i].start, from), e = seq_min(sb->r[i].end, to);

		if (seq_lt(s, e))
			total -= (uint32_t)(e - s);
	}
	return total;
}

uint32_t
sb_pipe(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, tcp_seq_t snd_max, uint32_t mss)
{
	tcp_seq_t edge = sb_lost_edge(sb, snd_una, mss);
	tcp_seq_t rxt = seq_min(seq_max(sb->high_rxt, snd_una), snd_max);

	/* (a) not lost: still in the network; (b) retransmitted: the copy is (so twice if not lost). */
	return sb_unsacked(sb, edge, snd_max) + sb_unsacked(sb, snd_una, rxt);
}

int
sb_next_lost(const struct tcp_scoreboard *sb, tcp_seq_t snd_una, uint32_t mss, tcp_seq_t *seq,
	     uint32_t *len)
{
	tcp_seq_t edge = sb_lost_edge(sb, snd_una, mss);
	tcp_seq_t s = seq_max(sb->high_rxt, snd_una);

	s = sb_skip_sacked(sb, s);
	if (!seq_lt(s, edge))
		return 0;
	tcp_seq_t end = edge;
	for (unsigned i = 0; i < sb->n; i++)
		if (seq_gt(sb->r[i].start, s)) {
			end = seq_min(end, sb->r[i].start);
			break;
		}
	*seq = s;
	*len = RTE_MIN((uint32_t)(end - s), mss);
	return 1;
}

uint32_t
sb_sacked_after_rxt(const struct tcp_scoreboard *sb, tcp_seq_t snd_una)
{
	tcp_seq_t rxt = seq_max(sb->high_rxt, snd_una);
	uint32_t after = 0;

	if (sb_unsacked(sb, snd_una, rxt) == 0)
		return 0;
	for (unsigned i = 0; i < sb->n; i++)
		if (seq_gt(sb->r[i].end, sb->rxt_fence))
			after += (uint32_t)(sb->r[i].end - seq_max(sb->r[i].start, sb->rxt_fence));
	return after;
}
