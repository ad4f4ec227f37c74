/*
 * Unit tests for lib/tcp/tcp_sack.c, the SACK scoreboard of RFC 6675 §4:
 * Update() (merging into sorted disjoint ranges, what counts as newly
 * SACKed), IsLost() with DupThresh 3, SetPipe() with HighRxt, NextSeg()
 * rule 1, the SB_MAX_RANGES limit, and a random run against a byte-map
 * model. Every test runs twice: with SND.UNA = 0 and with SND.UNA =
 * 0xfffff000, so every range below crosses the 2^32 wrap.
 *
 * Convention of tern (lib/tcp/tcp_recovery.c): sb.high_rxt is the end
 * (exclusive) of what was retransmitted, so RFC 6675's "S1 <= HighRxt"
 * reads "S1 < high_rxt" here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp/tcp_sack.h"

#define MSS 1000u

static tcp_seq_t base;              /* SND.UNA of the test */
static struct tcp_scoreboard sb;

/* Sequence number x bytes above the test's SND.UNA. */
#define S(x) ((tcp_seq_t)(base + (uint32_t)(x)))

static int
setup(void **state)
{
	base = *(const tcp_seq_t *)*state;
	memset(&sb, 0, sizeof(sb));
	sb.high_rxt = sb.rack_edge = sb.rxt_fence = base;
	return 0;
}

/* One SACK block [start, end) (offsets from base) with SND.UNA = base + una. */
static uint32_t
sack(uint32_t una, uint32_t max, uint32_t start, uint32_t end)
{
	struct tcp_sack_block b = { S(start), S(end) };

	return sb_update(&sb, S(una), S(max), &b, 1);
}

static void
assert_range(unsigned i, uint32_t start, uint32_t end)
{
	assert_true(i < sb.n);
	assert_int_equal(sb.r[i].start, S(start));
	assert_int_equal(sb.r[i].end, S(end));
}

/* Sorted, disjoint, not touching (touching ranges merge), non-empty, within (una, max]. */
static void
assert_well_formed(uint32_t una, uint32_t max)
{
	assert_true(sb.n <= SB_MAX_RANGES);
	for (unsigned i = 0; i < sb.n; i++) {
		assert_true(seq_lt(sb.r[i].start, sb.r[i].end));
		assert_true(seq_geq(sb.r[i].start, S(una)));
		assert_true(seq_leq(sb.r[i].end, S(max)));
		if (i > 0)
			assert_true(seq_lt(sb.r[i - 1].end, sb.r[i].start));
	}
}

/* ---- Update() (§4, RFC 2018 §4 block semantics) ---- */

/* §4 Update(): overlapping blocks become one range. */
static void
test_update_merges_overlapping_blocks(void **state)
{
	(void)state;
	sack(0, 10000, 1000, 3000);
	sack(0, 10000, 2000, 4000);
	assert_int_equal(sb.n, 1);
	assert_range(0, 1000, 4000);
	assert_int_equal(sb_sacked_bytes(&sb), 3000);
}

/* §4 Update(): a block that starts where another ends joins it. */
static void
test_update_merges_adjacent_blocks(void **state)
{
	(void)state;
	sack(0, 10000, 2000, 3000);
	sack(0, 10000, 1000, 2000);
	sack(0, 10000, 3000, 4000);
	assert_int_equal(sb.n, 1);
	assert_range(0, 1000, 4000);
}

/* §4: the scoreboard stays sorted whatever order the blocks come in. */
static void
test_update_sorts_disjoint_blocks(void **state)
{
	(void)state;
	sack(0, 10000, 7000, 8000);
	sack(0, 10000, 1000, 2000);
	sack(0, 10000, 4000, 5000);
	assert_int_equal(sb.n, 3);
	assert_range(0, 1000, 2000);
	assert_range(1, 4000, 5000);
	assert_range(2, 7000, 8000);
	assert_well_formed(0, 10000);
}

/* §4: one block covering the gaps between three ranges leaves one range. */
static void
test_update_bridging_block_merges_all(void **state)
{
	(void)state;
	sack(0, 10000, 1000, 2000);
	sack(0, 10000, 3000, 4000);
	sack(0, 10000, 5000, 6000);
	assert_int_equal(sack(0, 10000, 1500, 5500), 2000);
	assert_int_equal(sb.n, 1);
	assert_range(0, 1000, 6000);
}

/* §4 / RFC 2018: a block at or below SND.UNA says nothing new (D-SACK is separate). */
static void
test_update_ignores_block_at_or_below_una(void **state)
{
	(void)state;
	assert_int_equal(sack(2000, 10000, 0, 1000), 0);
	assert_int_equal(sack(2000, 10000, 1000, 2000), 0);
	assert_int_equal(sb.n, 0);
}

/* A block reaching beyond SND.MAX covers data never sent: ignored; ending at SND.MAX is fine. */
static void
test_update_ignores_block_beyond_snd_max(void **state)
{
	(void)state;
	assert_int_equal(sack(0, 5000, 4000, 6000), 0);
	assert_int_equal(sb.n, 0);
	assert_int_equal(sack(0, 5000, 4000, 5000), 1000);
	assert_range(0, 4000, 5000);
}

/* A block straddling SND.UNA keeps only its part above SND.UNA. */
static void
test_update_clips_block_straddling_una(void **state)
{
	(void)state;
	assert_int_equal(sack(1000, 10000, 500, 2500), 1500);
	assert_int_equal(sb.n, 1);
	assert_range(0, 1000, 2500);
}

/* Empty and inverted blocks are not data. */
static void
test_update_ignores_empty_and_inverted_blocks(void **state)
{
	(void)state;
	assert_int_equal(sack(0, 10000, 3000, 3000), 0);
	assert_int_equal(sack(0, 10000, 4000, 3000), 0);
	assert_int_equal(sb.n, 0);
}

/* RFC 6937 DeliveredData needs "change_in(SACKd)": exactly the bytes not SACKed before. */
static void
test_update_returns_only_newly_sacked_bytes(void **state)
{
	(void)state;
	assert_int_equal(sack(0, 10000, 1000, 2000), 1000);
	assert_int_equal(sack(0, 10000, 1000, 2000), 0);  /* the same block again */
	assert_int_equal(sack(0, 10000, 1500, 2500), 500); /* half of it new */
	assert_int_equal(sack(0, 10000, 3000, 4000), 1000);
	assert_int_equal(sack(0, 10000, 1000, 4000), 500); /* only the gap [2500,3000) */
	assert_int_equal(sb_sacked_bytes(&sb), 3000);
}

/* Several blocks in one ACK (RFC 2018 §3): the sum of what each adds. */
static void
test_update_counts_several_blocks_once(void **state)
{
	struct tcp_sack_block b[3];

	(void)state;
	b[0] = (struct tcp_sack_block){ S(5000), S(6000) };
	b[1] = (struct tcp_sack_block){ S(1000), S(2000) };
	b[2] = (struct tcp_sack_block){ S(1500), S(2500) };
	assert_int_equal(sb_update(&sb, S(0), S(10000), b, 3), 2500);
	assert_int_equal(sb.n, 2);
	assert_range(0, 1000, 2500);
	assert_range(1, 5000, 6000);
}

/* After a cumulative ACK, ranges below the new SND.UNA go and a straddling one is clipped. */
static void
test_advance_drops_and_clips_ranges(void **state)
{
	(void)state;
	sack(0, 10000, 1000, 2000);
	sack(0, 10000, 3000, 4000);
	sack(0, 10000, 5000, 6000);
	sb_advance(&sb, S(3500));
	assert_int_equal(sb.n, 2);
	assert_range(0, 3500, 4000);
	assert_range(1, 5000, 6000);
	sb_advance(&sb, S(6000));
	assert_int_equal(sb.n, 0);
}

/* Update() with a higher SND.UNA first forgets what SND.UNA passed. */
static void
test_update_applies_new_una_first(void **state)
{
	(void)state;
	sack(0, 10000, 1000, 2000);
	assert_int_equal(sack(2000, 10000, 3000, 4000), 1000);
	assert_int_equal(sb.n, 1);
	assert_range(0, 3000, 4000);
}

/* sb_is_sacked is exact at both edges; sb_skip_sacked jumps to the range's end. */
static void
test_is_sacked_and_skip_at_range_edges(void **state)
{
	(void)state;
	sack(0, 10000, 1000, 2000);
	assert_false(sb_is_sacked(&sb, S(999)));
	assert_true(sb_is_sacked(&sb, S(1000)));
	assert_true(sb_is_sacked(&sb, S(1999)));
	assert_false(sb_is_sacked(&sb, S(2000)));
	assert_int_equal(sb_skip_sacked(&sb, S(1500)), S(2000));
	assert_int_equal(sb_skip_sacked(&sb, S(500)), S(500));
}

/* ---- IsLost() (§4), DupThresh = 3 ---- */

/* §4 IsLost: 1 MSS SACKed above is neither 3 ranges nor more than 2 MSS: nothing lost. */
static void
test_lost_nothing_with_one_segment_sacked(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 2000);
	assert_int_equal(sb_lost_edge(&sb, S(0), MSS), S(0));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(0)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(999)));
}

/* §4 IsLost: exactly (DupThresh - 1) * SMSS SACKed above is not "more than": not lost. */
static void
test_lost_not_with_exactly_two_mss_sacked(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 3000);
	assert_false(sb_is_lost(&sb, S(0), MSS, S(0)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(999)));
}

/* §4 IsLost: 3 MSS SACKed above [0,1000): every byte of it is lost, nothing above. */
static void
test_lost_first_segment_with_three_mss_sacked_above(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 4000);
	assert_true(sb_is_lost(&sb, S(0), MSS, S(0)));
	assert_true(sb_is_lost(&sb, S(0), MSS, S(999)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(1000))); /* SACKed */
	assert_false(sb_is_lost(&sb, S(0), MSS, S(4000))); /* nothing SACKed above */
}

/* §4 IsLost: one byte over 2 MSS is enough ("more than (DupThresh - 1) * SMSS bytes"). */
static void
test_lost_with_two_mss_plus_one_byte_sacked(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 3001);
	assert_true(sb_is_lost(&sb, S(0), MSS, S(999)));
}

/* §4 IsLost: DupThresh discontiguous SACKed ranges above: lost below the lowest of them only. */
static void
test_lost_below_lowest_of_three_discontiguous_ranges(void **state)
{
	(void)state;
	sack(0, 7000, 1000, 2000);
	sack(0, 7000, 3000, 4000);
	sack(0, 7000, 5000, 6000);
	assert_true(sb_is_lost(&sb, S(0), MSS, S(0)));
	assert_true(sb_is_lost(&sb, S(0), MSS, S(999)));
	/* [2000,3000): 2 ranges and 2 MSS above: not lost; [4000,5000): 1 range. */
	assert_false(sb_is_lost(&sb, S(0), MSS, S(2000)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(2999)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(4000)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(6000)));
}

/* §4 IsLost: small ranges count as ranges, whatever their byte total. */
static void
test_lost_three_small_ranges_count_as_dupthresh(void **state)
{
	(void)state;
	sack(0, 7000, 1000, 1100);
	sack(0, 7000, 2000, 2100);
	sack(0, 7000, 3000, 3100);
	assert_true(sb_is_lost(&sb, S(0), MSS, S(500)));
	assert_false(sb_is_lost(&sb, S(0), MSS, S(1500)));
}

/* ---- SetPipe() (§4) ---- */

/* §4 SetPipe (a): nothing lost, so every un-SACKed byte in [SND.UNA, SND.MAX) is in the pipe. */
static void
test_pipe_counts_every_unsacked_byte_when_nothing_lost(void **state)
{
	(void)state;
	sack(0, 4000, 1000, 2000);
	assert_int_equal(sb_pipe(&sb, S(0), S(4000), MSS), 3000);
}

/* §4 SetPipe (a): a lost, not retransmitted segment has left the network. */
static void
test_pipe_excludes_lost_segment(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 4000);
	assert_int_equal(sb_pipe(&sb, S(0), S(5000), MSS), 1000); /* only [4000,5000) */
}

/* §4 SetPipe (b): after [0,1000) is retransmitted (HighRxt), the copy is in the pipe. */
static void
test_pipe_counts_retransmitted_lost_segment(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 4000);
	sb.high_rxt = S(1000);
	assert_int_equal(sb_pipe(&sb, S(0), S(5000), MSS), 2000);
}

/* §4 SetPipe with three discontiguous ranges: lost [0,1000) out; holes above it in. */
static void
test_pipe_three_discontiguous_ranges(void **state)
{
	(void)state;
	sack(0, 7000, 1000, 2000);
	sack(0, 7000, 3000, 4000);
	sack(0, 7000, 5000, 6000);
	assert_int_equal(sb_pipe(&sb, S(0), S(7000), MSS), 3000);
	sb.high_rxt = S(1000);
	assert_int_equal(sb_pipe(&sb, S(0), S(7000), MSS), 4000);
}

/*
 * §4 SetPipe, (a) and (b) both apply to an un-SACKed octet that is not
 * lost but was retransmitted: "Note that octets retransmitted without
 * being considered lost are counted twice by the above mechanism."
 * [1000,2000) SACKed, [0,1000) retransmitted (early retransmit, or
 * DupThresh duplicate ACKs before IsLost holds): 2 * 1000 + 2000 = 4000.
 */
static void
test_pipe_counts_retransmitted_unlost_bytes_twice(void **state)
{
	(void)state;
	sack(0, 4000, 1000, 2000);
	sb.high_rxt = S(1000);
	assert_int_equal(sb_pipe(&sb, S(0), S(4000), MSS), 4000);
}

/* ---- NextSeg() rule 1 (§4) ---- */

/* NextSeg (1): the first lost hole, at most SMSS bytes. */
static void
test_next_lost_first_hole_at_most_mss(void **state)
{
	tcp_seq_t seq;
	uint32_t len;

	(void)state;
	sack(0, 7000, 3000, 6000); /* edge: [0,3000) lost */
	assert_true(sb_next_lost(&sb, S(0), MSS, &seq, &len));
	assert_int_equal(seq, S(0));
	assert_int_equal(len, MSS);
}

/* NextSeg (1): a hole shorter than SMSS ends at the SACKed range above it. */
static void
test_next_lost_stops_at_sacked_range(void **state)
{
	tcp_seq_t seq;
	uint32_t len;

	(void)state;
	sack(0, 7000, 500, 3500);
	assert_true(sb_next_lost(&sb, S(0), MSS, &seq, &len));
	assert_int_equal(seq, S(0));
	assert_int_equal(len, 500);
}

/* NextSeg (1) requires IsLost: nothing when too little is SACKed. */
static void
test_next_lost_none_when_nothing_lost(void **state)
{
	tcp_seq_t seq;
	uint32_t len;

	(void)state;
	sack(0, 7000, 1000, 3000);
	assert_false(sb_next_lost(&sb, S(0), MSS, &seq, &len));
}

/* Walks NextSeg (1) as tcp_recovery_send does: holes ascending, never SACKed, then 0. */
static void
test_next_lost_walks_holes_ascending_with_high_rxt(void **state)
{
	static const uint32_t want[][2] = { { 0, 1000 }, { 2000, 1000 } };
	tcp_seq_t seq;
	uint32_t len;
	unsigned k = 0;

	(void)state;
	sack(0, 9000, 1000, 2000);
	sack(0, 9000, 3000, 4000);
	sack(0, 9000, 5000, 6000);
	sack(0, 9000, 7000, 8000);
	/* Lost: [0,1000) and [2000,3000) (3 ranges above); [4000,5000) has only 2 above. */
	while (sb_next_lost(&sb, S(0), MSS, &seq, &len)) {
		assert_true(k < 2);
		assert_int_equal(seq, S(want[k][0]));
		assert_int_equal(len, want[k][1]);
		for (uint32_t o = 0; o < len; o++)
			assert_false(sb_is_sacked(&sb, seq + o));
		sb.high_rxt = seq + len;
		k++;
	}
	assert_int_equal(k, 2);
}

/* A hole of 3 MSS comes out as three SMSS pieces, then nothing. */
static void
test_next_lost_splits_long_hole_into_mss_pieces(void **state)
{
	tcp_seq_t seq;
	uint32_t len;

	(void)state;
	sack(0, 9000, 3000, 6000);
	for (uint32_t off = 0; off < 3000; off += MSS) {
		assert_true(sb_next_lost(&sb, S(0), MSS, &seq, &len));
		assert_int_equal(seq, S(off));
		assert_int_equal(len, MSS);
		sb.high_rxt = seq + len;
	}
	assert_false(sb_next_lost(&sb, S(0), MSS, &seq, &len));
}

/* After a cumulative ACK past HighRxt, NextSeg starts again from SND.UNA. */
static void
test_next_lost_starts_at_una_when_high_rxt_below(void **state)
{
	tcp_seq_t seq;
	uint32_t len;

	(void)state;
	sack(1000, 9000, 4000, 7000); /* [1000,4000) below it; edge 5000 */
	sb.high_rxt = S(0);
	assert_true(sb_next_lost(&sb, S(1000), MSS, &seq, &len));
	assert_int_equal(seq, S(1000));
	assert_int_equal(len, MSS);
}

/* ---- evidence against retransmissions (sb_sacked_after_rxt) ---- */

/* [0,1000) retransmitted when SND.MAX was 10000: only bytes SACKed above the fence count. */
static void
test_sacked_after_rxt_counts_above_fence(void **state)
{
	(void)state;
	sack(0, 13000, 1000, 10000);
	sb.high_rxt = S(1000);
	sb.rxt_fence = S(10000);
	assert_int_equal(sb_sacked_after_rxt(&sb, S(0)), 0);
	sack(0, 13000, 1000, 12001);
	assert_int_equal(sb_sacked_after_rxt(&sb, S(0)), 2001);
}

/* Nothing retransmitted is missing (HighRxt at SND.UNA, or all of it SACKed): no evidence. */
static void
test_sacked_after_rxt_needs_a_missing_retransmission(void **state)
{
	(void)state;
	sack(0, 20000, 5000, 20000);
	sb.rxt_fence = S(10000);
	sb.high_rxt = S(0);
	assert_int_equal(sb_sacked_after_rxt(&sb, S(0)), 0);
	sack(0, 20000, 0, 1000); /* as if SND.UNA had not moved yet */
	sb.high_rxt = S(1000);
	assert_int_equal(sb_sacked_after_rxt(&sb, S(0)), 0);
	sb.high_rxt = S(2000);
	assert_int_equal(sb_sacked_after_rxt(&sb, S(0)), 10000);
}

/* RACK's edge makes a hole lost that the DupThresh rule does not; SND.UNA passing it clamps it. */
static void
test_rack_edge_marks_lost(void **state)
{
	(void)state;
	sack(0, 5000, 1000, 3000);                     /* 2 MSS above [0,1000): not lost */
	assert_false(sb_is_lost(&sb, S(0), MSS, S(0)));
	sb.rack_edge = S(3000);                        /* RACK's reordering window ran out */
	assert_true(sb_is_lost(&sb, S(0), MSS, S(0)));
	assert_int_equal(sb_lost_edge(&sb, S(0), MSS), S(3000));
	assert_int_equal(sb_pipe(&sb, S(0), S(5000), MSS), 2000); /* [0,1000) no longer in flight */
	sb_advance(&sb, S(4000));                      /* SND.UNA past it: clamped */
	assert_int_equal(sb.rack_edge, S(4000));
}

/* Once reordering was seen (RFC 8985 §6.2 step 4), DupThresh SACKed segments prove nothing. */
static void
test_reordering_seen_turns_dupthresh_off(void **state)
{
	(void)state;
	sack(0, 9000, 1000, 5000);                     /* 4 MSS above [0,1000) */
	assert_true(sb_is_lost(&sb, S(0), MSS, S(0)));
	sb.reo_seen = 1;
	assert_false(sb_is_lost(&sb, S(0), MSS, S(0)));
	assert_int_equal(sb_lost_edge(&sb, S(0), MSS), S(0));
	sb.rack_edge = S(1000);                        /* only RACK's time rule can say it */
	assert_true(sb_is_lost(&sb, S(0), MSS, S(0)));
}

/* A rack_edge above every SACKed byte is ignored (it cannot claim unSACKed data was overtaken). */
static void
test_rack_edge_above_sacked_ignored(void **state)
{
	(void)state;
	sack(0, 9000, 1000, 2000);
	sb.rack_edge = S(8000);
	assert_int_equal(sb_lost_edge(&sb, S(0), MSS), S(0));
}

/* ---- SB_MAX_RANGES ---- */

/* Nine disjoint blocks: the ninth, highest, is dropped; nothing else changes. */
static void
test_limit_drops_highest_range(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < SB_MAX_RANGES; i++)
		sack(0, 40000, 1000 + 2000 * i, 2000 + 2000 * i);
	assert_int_equal(sb.n, SB_MAX_RANGES);
	assert_int_equal(sack(0, 40000, 30000, 31000), 0);
	assert_int_equal(sb.n, SB_MAX_RANGES);
	for (uint32_t i = 0; i < SB_MAX_RANGES; i++)
		assert_range(i, 1000 + 2000 * i, 2000 + 2000 * i);
	assert_well_formed(0, 40000);
}

/* A new low block when full pushes out the highest range; the list stays well formed. */
static void
test_limit_new_low_block_evicts_highest(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < SB_MAX_RANGES; i++)
		sack(0, 40000, 3000 + 2000 * i, 4000 + 2000 * i);
	sack(0, 40000, 1000, 1500);
	assert_int_equal(sb.n, SB_MAX_RANGES);
	assert_range(0, 1000, 1500);
	for (uint32_t i = 1; i < SB_MAX_RANGES; i++)
		assert_range(i, 3000 + 2000 * (i - 1), 4000 + 2000 * (i - 1));
	assert_well_formed(0, 40000);
}

/* When full, a block merging two ranges frees a slot rather than dropping anything. */
static void
test_limit_merge_when_full_keeps_all(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < SB_MAX_RANGES; i++)
		sack(0, 40000, 1000 + 2000 * i, 2000 + 2000 * i);
	assert_int_equal(sack(0, 40000, 2000, 3000), 1000);
	assert_int_equal(sb.n, SB_MAX_RANGES - 1);
	assert_range(0, 1000, 4000);
	assert_range(SB_MAX_RANGES - 2, 15000, 16000);
	assert_well_formed(0, 40000);
}

/*
 * The value returned feeds RFC 6937 DeliveredData ("change_in(SACKd)"):
 * 400 bytes SACKed for the first time are 400 delivered bytes, even when
 * making room for them evicts the highest (1000-byte) range.
 */
static void
test_limit_eviction_still_reports_new_bytes(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < SB_MAX_RANGES; i++)
		sack(0, 40000, 1000 + 2000 * i, 2000 + 2000 * i);
	assert_int_equal(sack(0, 40000, 2100, 2500), 400);
	assert_int_equal(sb.n, SB_MAX_RANGES);
	assert_range(1, 2100, 2500);
	assert_well_formed(0, 40000);
}

/* ---- a random run against a byte-map model (slots of MSS bytes) ---- */

#define SLOTS 16 /* at most 8 disjoint ranges fit: the limit never applies */

struct model {
	uint32_t una;          /* in slots, offset from base */
	uint8_t sacked[1024];  /* absolute slot -> SACKed */
};

static int
model_lost(const struct model *m, uint32_t slot)
{
	uint32_t bytes = 0, ranges = 0;

	for (uint32_t s = slot + 1; s < m->una + SLOTS; s++) {
		if (!m->sacked[s])
			continue;
		bytes += MSS;
		if (!m->sacked[s - 1])
			ranges++;
	}
	return ranges >= SB_DUPTHRESH || bytes > (SB_DUPTHRESH - 1) * MSS;
}

static void
check_against_model(const struct model *m)
{
	tcp_seq_t una = S(m->una * MSS), max = S((m->una + SLOTS) * MSS);
	uint32_t pipe = 0, sacked = 0;
	int first_lost = -1;

	assert_well_formed(m->una * MSS, (m->una + SLOTS) * MSS);
	for (uint32_t s = m->una; s < m->una + SLOTS; s++) {
		tcp_seq_t q = S(s * MSS);

		assert_int_equal(sb_is_sacked(&sb, q), m->sacked[s]);
		assert_int_equal(sb_is_sacked(&sb, q + MSS - 1), m->sacked[s]);
		if (m->sacked[s]) {
			sacked += MSS;
			continue;
		}
		assert_int_equal(sb_is_lost(&sb, una, MSS, q), model_lost(m, s));
		if (!model_lost(m, s))
			pipe += MSS;
		else if (first_lost < 0)
			first_lost = (int)s;
	}
	assert_int_equal(sb_sacked_bytes(&sb), sacked);
	assert_int_equal(sb_pipe(&sb, una, max, MSS), pipe);

	tcp_seq_t seq;
	uint32_t len;
	int found = sb_next_lost(&sb, una, MSS, &seq, &len);

	assert_int_equal(found, first_lost >= 0);
	if (found) {
		assert_int_equal(seq, S((uint32_t)first_lost * MSS));
		assert_int_equal(len, MSS);
	}
}

/* §4 Update/IsLost/SetPipe/NextSeg on random segment-aligned blocks and cumulative ACKs. */
static void
test_random_blocks_match_model(void **state)
{
	static struct model m;

	(void)state;
	memset(&m, 0, sizeof(m));
	srand(6675);
	for (int it = 0; it < 4000 && m.una + SLOTS + 4 < sizeof(m.sacked); it++) {
		if (rand() % 8 == 0) {
			uint32_t adv = (uint32_t)(rand() % 3);

			m.una += adv;
			sb_advance(&sb, S(m.una * MSS));
			sb.high_rxt = S(m.una * MSS);
		} else {
			int a = (int)m.una - 2 + rand() % (SLOTS + 4);
			uint32_t start = a < 0 ? 0 : (uint32_t)a, end = start + 1 + (uint32_t)(rand() % 4);
			uint32_t want = 0;

			if (end > m.una && end <= m.una + SLOTS) {
				for (uint32_t s = start < m.una ? m.una : start; s < end; s++) {
					want += m.sacked[s] ? 0 : MSS;
					m.sacked[s] = 1;
				}
			}
			assert_int_equal(sack(m.una * MSS, (m.una + SLOTS) * MSS, start * MSS, end * MSS),
					 want);
		}
		check_against_model(&m);
	}
}

static const tcp_seq_t una_zero = 0;
static const tcp_seq_t una_wrap = 0xfffff000u;

#define BOTH(f)                                                                 \
	{ #f "@0", f, setup, NULL, (void *)&una_zero },                           \
	{ #f "@wrap", f, setup, NULL, (void *)&una_wrap }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_update_merges_overlapping_blocks),
		BOTH(test_update_merges_adjacent_blocks),
		BOTH(test_update_sorts_disjoint_blocks),
		BOTH(test_update_bridging_block_merges_all),
		BOTH(test_update_ignores_block_at_or_below_una),
		BOTH(test_update_ignores_block_beyond_snd_max),
		BOTH(test_update_clips_block_straddling_una),
		BOTH(test_update_ignores_empty_and_inverted_blocks),
		BOTH(test_update_returns_only_newly_sacked_bytes),
		BOTH(test_update_counts_several_blocks_once),
		BOTH(test_advance_drops_and_clips_ranges),
		BOTH(test_update_applies_new_una_first),
		BOTH(test_is_sacked_and_skip_at_range_edges),
		BOTH(test_lost_nothing_with_one_segment_sacked),
		BOTH(test_lost_not_with_exactly_two_mss_sacked),
		BOTH(test_lost_first_segment_with_three_mss_sacked_above),
		BOTH(test_lost_with_two_mss_plus_one_byte_sacked),
		BOTH(test_lost_below_lowest_of_three_discontiguous_ranges),
		BOTH(test_lost_three_small_ranges_count_as_dupthresh),
		BOTH(test_pipe_counts_every_unsacked_byte_when_nothing_lost),
		BOTH(test_pipe_excludes_lost_segment),
		BOTH(test_pipe_counts_retransmitted_lost_segment),
		BOTH(test_pipe_three_discontiguous_ranges),
		BOTH(test_pipe_counts_retransmitted_unlost_bytes_twice),
		BOTH(test_next_lost_first_hole_at_most_mss),
		BOTH(test_next_lost_stops_at_sacked_range),
		BOTH(test_next_lost_none_when_nothing_lost),
		BOTH(test_next_lost_walks_holes_ascending_with_high_rxt),
		BOTH(test_next_lost_splits_long_hole_into_mss_pieces),
		BOTH(test_next_lost_starts_at_una_when_high_rxt_below),
		BOTH(test_sacked_after_rxt_counts_above_fence),
		BOTH(test_sacked_after_rxt_needs_a_missing_retransmission),
		BOTH(test_rack_edge_marks_lost),
		BOTH(test_reordering_seen_turns_dupthresh_off),
		BOTH(test_rack_edge_above_sacked_ignored),
		BOTH(test_limit_drops_highest_range),
		BOTH(test_limit_new_low_block_evicts_highest),
		BOTH(test_limit_merge_when_full_keeps_all),
		BOTH(test_limit_eviction_still_reports_new_bytes),
		BOTH(test_random_blocks_match_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
