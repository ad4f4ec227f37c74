/*
 * Unit tests for lib/tcp/tcp_options.c: parsing (RFC 9293 §3.1-3.2,
 * RFC 7323 §2-3, RFC 2018 §3) byte for byte, rejection of every malformed
 * length, and building in Linux's layout with round trips through the parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tcp/tcp_options.h"

#define TS_VAL 0x01020304u
#define TS_ECR 0xa0b0c0d0u

static struct tcp_opts opts;
static uint8_t buf[TCP_OPT_MAX_LEN + 8];

static int
parse(const uint8_t *p, unsigned len)
{
	memset(&opts, 0xa5, sizeof(opts)); /* parse must reset everything */
	return tcp_opts_parse(p, len, &opts);
}

#define PARSE(...) do { \
		static const uint8_t in_[] = { __VA_ARGS__ }; \
		assert_int_equal(parse(in_, sizeof(in_)), 0); \
	} while (0)

#define MALFORMED(...) do { \
		static const uint8_t in_[] = { __VA_ARGS__ }; \
		assert_int_equal(parse(in_, sizeof(in_)), -1); \
	} while (0)

static void
assert_opts_equal(const struct tcp_opts *a, const struct tcp_opts *b)
{
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->mss, b->mss);
	assert_int_equal(a->wscale, b->wscale);
	assert_int_equal(a->nsack, b->nsack);
	assert_int_equal(a->ts_val, b->ts_val);
	assert_int_equal(a->ts_ecr, b->ts_ecr);
	for (unsigned i = 0; i < a->nsack; i++) {
		assert_int_equal(a->sack[i].start, b->sack[i].start);
		assert_int_equal(a->sack[i].end, b->sack[i].end);
	}
}

/* ---- parsing ---- */

/* A Linux SYN: mss 1460, sackOK, TS val/ecr, nop, wscale 7 (20 bytes). */
static void
test_parse_linux_syn(void **state)
{
	(void)state;
	PARSE(0x02, 0x04, 0x05, 0xb4,
	      0x04, 0x02,
	      0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	      0x01,
	      0x03, 0x03, 0x07);
	assert_int_equal(opts.flags,
			 TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_TS | TCP_OPTF_WSCALE);
	assert_int_equal(opts.mss, 1460);
	assert_int_equal(opts.ts_val, TS_VAL);
	assert_int_equal(opts.ts_ecr, TS_ECR);
	assert_int_equal(opts.wscale, 7);
	assert_int_equal(opts.nsack, 0);
}

/* NOP NOP TS (RFC 7323 Appendix A), the shortcut: everything else reset as by the full parse. */
static void
test_parse_aligned_timestamps(void **state)
{
	(void)state;
	PARSE(0x01, 0x01, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0);
	assert_int_equal(opts.flags, TCP_OPTF_TS);
	assert_int_equal(opts.ts_val, TS_VAL);
	assert_int_equal(opts.ts_ecr, TS_ECR);
	assert_int_equal(opts.mss, 0);
	assert_int_equal(opts.wscale, 0);
	assert_int_equal(opts.nsack, 0);
	/* Near misses take the general loop: a wrong TS length in 12 bytes is malformed... */
	MALFORMED(0x01, 0x01, 0x08, 0x0b, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0);
	/* ...and an unknown 12-byte layout is skipped, not read as a timestamp. */
	PARSE(0x01, 0x01, 0x09, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0);
	assert_int_equal(opts.flags, 0);
}

/* No options at all is a valid, empty list. */
static void
test_parse_empty(void **state)
{
	(void)state;
	assert_int_equal(parse(buf, 0), 0);
	assert_int_equal(opts.flags, 0);
	assert_int_equal(opts.nsack, 0);
}

/* RFC 9293 §3.1: an unknown kind is skipped by its length (kind 30, length 6). */
static void
test_parse_skips_unknown_kind(void **state)
{
	(void)state;
	PARSE(0x1e, 0x06, 0xde, 0xad, 0xbe, 0xef,
	      0x02, 0x04, 0x05, 0xb4);
	assert_int_equal(opts.flags, TCP_OPTF_MSS);
	assert_int_equal(opts.mss, 1460);
}

/* RFC 9293 §3.1: End of Option List ends parsing; what follows is ignored. */
static void
test_parse_eol_stops(void **state)
{
	(void)state;
	PARSE(0x02, 0x04, 0x05, 0xb4,
	      0x00,
	      0x03, 0x03, 0x07,      /* not read */
	      0x08, 0x01);           /* would be malformed, not read */
	assert_int_equal(opts.flags, TCP_OPTF_MSS);
	assert_int_equal(opts.wscale, 0);
}

/* NOPs alone (and leading EOL) are valid and set nothing. */
static void
test_parse_nops_and_eol_only(void **state)
{
	(void)state;
	PARSE(0x01, 0x01, 0x01, 0x01);
	assert_int_equal(opts.flags, 0);
	PARSE(0x00, 0xff, 0xff, 0xff);
	assert_int_equal(opts.flags, 0);
}

/* RFC 7323 §2.3: a shift above 14 is used as 14. */
static void
test_parse_wscale_clamped_to_14(void **state)
{
	(void)state;
	PARSE(0x01, 0x03, 0x03, 0x0f);
	assert_int_equal(opts.flags, TCP_OPTF_WSCALE);
	assert_int_equal(opts.wscale, TCP_MAX_WSCALE);
	PARSE(0x01, 0x03, 0x03, 0xff);
	assert_int_equal(opts.wscale, 14);
	PARSE(0x01, 0x03, 0x03, 0x0e);
	assert_int_equal(opts.wscale, 14);
	PARSE(0x01, 0x03, 0x03, 0x00);
	assert_int_equal(opts.flags, TCP_OPTF_WSCALE);
	assert_int_equal(opts.wscale, 0);
}

/* RFC 9293 §3.1: a length below 2 cannot advance; the list is malformed. */
static void
test_parse_length_below_two_malformed(void **state)
{
	(void)state;
	MALFORMED(0x1e, 0x00, 0x01, 0x01);
	MALFORMED(0x1e, 0x01, 0x01, 0x01);
	MALFORMED(0x02, 0x00, 0x05, 0xb4);
	MALFORMED(0x08, 0x01, 0x01, 0x01);
}

/* An option whose length runs past the end of the list is malformed. */
static void
test_parse_length_past_end_malformed(void **state)
{
	(void)state;
	MALFORMED(0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 0, 0, 0);   /* TS needs 10, 8 left */
	MALFORMED(0x1e, 0x06, 0, 0, 0);                       /* unknown kind too */
	MALFORMED(0x02, 0x04, 0x05);
}

/* A kind other than EOL/NOP in the last byte has no length byte: malformed. */
static void
test_parse_kind_without_length_malformed(void **state)
{
	(void)state;
	MALFORMED(0x01, 0x01, 0x01, 0x02);
	MALFORMED(0x1e);
	MALFORMED(0x02, 0x04, 0x05, 0xb4, 0x03);
}

/* RFC 9293 §3.2: MSS is exactly 4 bytes. */
static void
test_parse_mss_wrong_length_malformed(void **state)
{
	(void)state;
	MALFORMED(0x02, 0x03, 0x05, 0x01);
	MALFORMED(0x02, 0x05, 0x05, 0xb4, 0x00, 0x01, 0x01, 0x01);
}

/* RFC 7323 §2.2: Window Scale is exactly 3 bytes. */
static void
test_parse_wscale_wrong_length_malformed(void **state)
{
	(void)state;
	MALFORMED(0x03, 0x02, 0x01, 0x01);
	MALFORMED(0x03, 0x04, 0x07, 0x00);
}

/* RFC 2018 §2: SACK-Permitted is exactly 2 bytes. */
static void
test_parse_sack_perm_wrong_length_malformed(void **state)
{
	(void)state;
	MALFORMED(0x04, 0x03, 0x00, 0x01);
}

/* RFC 7323 §3.2: Timestamps is exactly 10 bytes. */
static void
test_parse_timestamp_wrong_length_malformed(void **state)
{
	(void)state;
	MALFORMED(0x08, 0x08, 1, 2, 3, 4, 5, 6);
	MALFORMED(0x08, 0x0b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x01);
}

/* RFC 2018 §3: SACK is 2 + 8*n bytes, n >= 1; 9, 2 and every 2+8n+1 are malformed. */
static void
test_parse_sack_wrong_length_malformed(void **state)
{
	uint8_t in[40];

	(void)state;
	MALFORMED(0x05, 0x09, 1, 2, 3, 4, 5, 6, 7);
	MALFORMED(0x05, 0x02, 0x01, 0x01);
	for (unsigned n = 1; n <= 4; n++) {
		unsigned olen = 2 + 8 * n + 1;

		memset(in, 0x11, sizeof(in));
		in[0] = TCP_OPT_SACK;
		in[1] = (uint8_t)olen;
		assert_int_equal(parse(in, olen), -1);
	}
}

/* Writes a SACK option with n blocks (start = 1000*i+1, end = start+500) after two NOPs. */
static unsigned
sack_option(uint8_t *p, unsigned n)
{
	unsigned k = 0;

	p[k++] = TCP_OPT_NOP;
	p[k++] = TCP_OPT_NOP;
	p[k++] = TCP_OPT_SACK;
	p[k++] = (uint8_t)(2 + 8 * n);
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = 0xfffff000u + 1000 * i + 1, e = s + 500;

		for (int b = 3; b >= 0; b--)
			p[k++] = (uint8_t)(s >> (8 * b));
		for (int b = 3; b >= 0; b--)
			p[k++] = (uint8_t)(e >> (8 * b));
	}
	return k;
}

/* RFC 2018 §3: one to four blocks are read in order, each edge in network order. */
static void
test_parse_sack_one_to_four_blocks(void **state)
{
	uint8_t in[48]; /* 40 would do; the slack quiets GCC's -Wstringop-overflow */

	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		unsigned len = sack_option(in, n);

		assert_true(len <= TCP_OPT_MAX_LEN);
		assert_int_equal(parse(in, len), 0);
		assert_int_equal(opts.flags, TCP_OPTF_SACK);
		assert_int_equal(opts.nsack, n);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(opts.sack[i].start, 0xfffff000u + 1000 * i + 1);
			assert_int_equal(opts.sack[i].end, 0xfffff000u + 1000 * i + 501);
		}
	}
}

/* RFC 2018 §3: with timestamps, at most 3 blocks fit; the usual ACK layout parses. */
static void
test_parse_sack_with_timestamps(void **state)
{
	uint8_t in[48];
	unsigned len = 0;

	(void)state;
	in[len++] = TCP_OPT_NOP;
	in[len++] = TCP_OPT_NOP;
	in[len++] = TCP_OPT_TIMESTAMP;
	in[len++] = 10;
	for (int b = 3; b >= 0; b--)
		in[len++] = (uint8_t)(TS_VAL >> (8 * b));
	for (int b = 3; b >= 0; b--)
		in[len++] = (uint8_t)(TS_ECR >> (8 * b));
	len += sack_option(in + len, 3);
	assert_int_equal(len, TCP_OPT_MAX_LEN);
	assert_int_equal(parse(in, len), 0);
	assert_int_equal(opts.flags, TCP_OPTF_TS | TCP_OPTF_SACK);
	assert_int_equal(opts.ts_val, TS_VAL);
	assert_int_equal(opts.ts_ecr, TS_ECR);
	assert_int_equal(opts.nsack, 3);
	assert_int_equal(opts.sack[2].start, 0xfffff000u + 2001);
}

/*
 * Five blocks (a 42-byte option) cannot occur in a real 40-byte option
 * space; given an over-long buffer anyway, the parser must not write past
 * sack[TCP_MAX_SACK_BLOCKS - 1]. It accepts the option and keeps four.
 */
static void
test_parse_five_sack_blocks_keeps_four(void **state)
{
	uint8_t in[48];
	unsigned len = sack_option(in, 5);

	(void)state;
	assert_int_equal(len, 44);
	assert_int_equal(parse(in, len), 0);
	assert_int_equal(opts.nsack, TCP_MAX_SACK_BLOCKS);
	assert_int_equal(opts.sack[3].start, 0xfffff000u + 3001);
}

/* ---- building ---- */

static unsigned
build(const struct tcp_opts *o)
{
	memset(buf, 0xee, sizeof(buf));
	return tcp_opts_build(o, buf);
}

/* Linux's SYN layout: mss, sackOK, TS, nop, wscale in exactly 20 bytes. */
static void
test_build_linux_syn_layout(void **state)
{
	static const uint8_t want[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02,
		0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
		0x01, 0x03, 0x03, 0x07,
	};
	struct tcp_opts o = {
		.flags = TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_TS | TCP_OPTF_WSCALE,
		.mss = 1460, .wscale = 7, .ts_val = TS_VAL, .ts_ecr = TS_ECR,
	};

	(void)state;
	assert_int_equal(build(&o), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[sizeof(want)], 0xee); /* nothing written beyond */
}

/* Timestamps alone: nop, nop, TS (12 bytes), as on every Linux data segment. */
static void
test_build_timestamps_only(void **state)
{
	static const uint8_t want[] = {
		0x01, 0x01, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
	};
	struct tcp_opts o = { .flags = TCP_OPTF_TS, .ts_val = TS_VAL, .ts_ecr = TS_ECR };

	(void)state;
	assert_int_equal(build(&o), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* sackOK without timestamps: nop, nop, sackOK. */
static void
test_build_sack_perm_without_timestamps(void **state)
{
	static const uint8_t want[] = { 0x01, 0x01, 0x04, 0x02 };
	struct tcp_opts o = { .flags = TCP_OPTF_SACK_PERM };

	(void)state;
	assert_int_equal(build(&o), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* A SYN without timestamps: mss, nop, nop, sackOK, nop, wscale (12 bytes). */
static void
test_build_syn_without_timestamps(void **state)
{
	static const uint8_t want[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07,
	};
	struct tcp_opts o = {
		.flags = TCP_OPTF_MSS | TCP_OPTF_SACK_PERM | TCP_OPTF_WSCALE,
		.mss = 1460, .wscale = 7,
	};

	(void)state;
	assert_int_equal(build(&o), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* No flags: nothing written. */
static void
test_build_nothing(void **state)
{
	struct tcp_opts o = { 0 };

	(void)state;
	assert_int_equal(build(&o), 0);
	assert_int_equal(buf[0], 0xee);
}

static void
fill_sack(struct tcp_opts *o, unsigned n)
{
	o->flags |= TCP_OPTF_SACK;
	o->nsack = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		o->sack[i].start = 0x80000000u * (i & 1) + 0x1234567u * (i + 1);
		o->sack[i].end = o->sack[i].start + 1448 * (i + 1);
	}
}

/* RFC 2018 §3: with timestamps only 3 blocks fit in 40 bytes; the 4th is left out. */
static void
test_build_sack_with_timestamps_fits_three(void **state)
{
	struct tcp_opts o = { .flags = TCP_OPTF_TS, .ts_val = TS_VAL, .ts_ecr = TS_ECR };
	struct tcp_opts back;

	(void)state;
	fill_sack(&o, 4);
	assert_int_equal(build(&o), 40);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x01, 0x01, 0x08, 0x0a }), 4);
	assert_memory_equal(buf + 12, ((const uint8_t[]){ 0x01, 0x01, 0x05, 26 }), 4);
	assert_int_equal(tcp_opts_parse(buf, 40, &back), 0);
	assert_int_equal(back.nsack, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(back.sack[i].start, o.sack[i].start);
		assert_int_equal(back.sack[i].end, o.sack[i].end);
	}
}

/* RFC 2018 §3: without other options all 4 blocks fit (36 bytes). */
static void
test_build_sack_alone_fits_four(void **state)
{
	struct tcp_opts o = { 0 };
	struct tcp_opts back;

	(void)state;
	fill_sack(&o, 4);
	assert_int_equal(build(&o), 36);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x01, 0x01, 0x05, 34 }), 4);
	assert_int_equal(tcp_opts_parse(buf, 36, &back), 0);
	assert_opts_equal(&back, &o);
}

/* Each block's numbers come back through the parser for every count 1..4. */
static void
test_build_sack_blocks_round_trip(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= TCP_MAX_SACK_BLOCKS; n++) {
		struct tcp_opts o = { .flags = TCP_OPTF_TS, .ts_val = n, .ts_ecr = ~n };
		struct tcp_opts back;
		unsigned len;

		fill_sack(&o, n);
		len = build(&o);
		assert_int_equal(tcp_opts_parse(buf, len, &back), 0);
		assert_int_equal(back.nsack, n < 3 ? n : 3);
		for (unsigned i = 0; i < back.nsack; i++) {
			assert_int_equal(back.sack[i].start, o.sack[i].start);
			assert_int_equal(back.sack[i].end, o.sack[i].end);
		}
	}
}

/*
 * Every combination of options (and 1..4 SACK blocks) builds a list of at
 * most 40 bytes, a multiple of 4 (RFC 9293 §3.1: the header ends on a
 * 32-bit boundary), which parses back to the same struct, less SACK blocks
 * that did not fit.
 */
static void
test_build_every_combination_round_trips(void **state)
{
	(void)state;
	for (uint32_t flags = 0; flags < 32; flags++) {
		unsigned nmax = (flags & TCP_OPTF_SACK) ? TCP_MAX_SACK_BLOCKS : 0;

		for (unsigned n = (flags & TCP_OPTF_SACK) ? 1 : 0; n <= nmax; n++) {
			struct tcp_opts o = { .flags = flags & ~(uint32_t)TCP_OPTF_SACK };
			struct tcp_opts back;
			unsigned len, room;

			if (flags & TCP_OPTF_MSS)
				o.mss = (uint16_t)(536 + flags * 97);
			if (flags & TCP_OPTF_WSCALE)
				o.wscale = (uint8_t)(flags % 15);
			if (flags & TCP_OPTF_TS) {
				o.ts_val = 0xfffffff0u + flags;
				o.ts_ecr = flags * 0x01010101u;
			}
			/* what fits after the other options, with nop, nop, kind, length */
			room = (TCP_OPT_MAX_LEN - build(&o) - 4) / 8;
			if (n > 0)
				fill_sack(&o, n);
			len = build(&o);
			assert_true(len <= TCP_OPT_MAX_LEN);
			assert_int_equal(len % 4, 0);
			assert_int_equal(buf[len], 0xee);
			assert_int_equal(tcp_opts_parse(buf, len, &back), 0);
			if (n > 0) {
				assert_true(room >= 2);
				assert_int_equal(back.nsack, n < room ? n : room);
				o.nsack = back.nsack;
			}
			assert_opts_equal(&back, &o);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_linux_syn),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_aligned_timestamps),
		cmocka_unit_test(test_parse_skips_unknown_kind),
		cmocka_unit_test(test_parse_eol_stops),
		cmocka_unit_test(test_parse_nops_and_eol_only),
		cmocka_unit_test(test_parse_wscale_clamped_to_14),
		cmocka_unit_test(test_parse_length_below_two_malformed),
		cmocka_unit_test(test_parse_length_past_end_malformed),
		cmocka_unit_test(test_parse_kind_without_length_malformed),
		cmocka_unit_test(test_parse_mss_wrong_length_malformed),
		cmocka_unit_test(test_parse_wscale_wrong_length_malformed),
		cmocka_unit_test(test_parse_sack_perm_wrong_length_malformed),
		cmocka_unit_test(test_parse_timestamp_wrong_length_malformed),
		cmocka_unit_test(test_parse_sack_wrong_length_malformed),
		cmocka_unit_test(test_parse_sack_one_to_four_blocks),
		cmocka_unit_test(test_parse_sack_with_timestamps),
		cmocka_unit_test(test_parse_five_sack_blocks_keeps_four),
		cmocka_unit_test(test_build_linux_syn_layout),
		cmocka_unit_test(test_build_timestamps_only),
		cmocka_unit_test(test_build_sack_perm_without_timestamps),
		cmocka_unit_test(test_build_syn_without_timestamps),
		cmocka_unit_test(test_build_nothing),
		cmocka_unit_test(test_build_sack_with_timestamps_fits_three),
		cmocka_unit_test(test_build_sack_alone_fits_four),
		cmocka_unit_test(test_build_sack_blocks_round_trip),
		cmocka_unit_test(test_build_every_combination_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
