/*
 * Unit tests for lib/proxy/proxy_proto*.c against HAProxy's "The PROXY
 * protocol, Versions 1 & 2" (2020/03/05): the examples and limits of §2.1
 * and §2.2, round trips through the builders, every prefix of a valid
 * header asking for more, byte-by-byte feeding, rejection at the first bad
 * byte, every field at its worst value, and random mutations checked for
 * consistent answers. Every parse reads from a heap copy of exactly the
 * bytes offered, so the sanitizer build catches a read past the end.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proxy/proxy_proto.h"

#define MAX PP_V2_MAX_DEFAULT
#define SIG2 "\r\n\r\n\0\r\nQUIT\n"

/* pp_parse on a heap copy of exactly n bytes. */
static int
parse_max(const void *p, size_t n, size_t max, struct pp_header *h)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, p, n);
	r = pp_parse(copy, n, max, h);
	free(copy);
	return r;
}

static int
parse(const void *p, size_t n, struct pp_header *h)
{
	return parse_max(p, n, MAX, h);
}

static int
parse_str(const char *s)
{
	struct pp_header h;

	return parse(s, strlen(s), &h);
}

/* Every proper prefix needs more; the whole gives its length (§2.1, §2.2). */
static void
assert_prefixes(const void *p, size_t n, size_t max)
{
	struct pp_header h;

	for (size_t k = 0; k < n; k++)
		assert_int_equal(parse_max(p, k, max, &h), 0);
	assert_int_equal(parse_max(p, n, max, &h), (int)n);
}

/* A whole line is accepted, and none of its beginnings is rejected. */
static void
assert_ok(const char *s)
{
	int r = parse_str(s);

	if (r != (int)strlen(s))
		print_error("\"%s\": %d (%s)\n", s, r, pp_strerror(r));
	assert_int_equal(r, (int)strlen(s));
	assert_prefixes(s, strlen(s), MAX);
}

/* A v2 header: signature, ver_cmd, fam, then body (its length goes in bytes 15-16). */
static size_t
v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const void *body, size_t blen)
{
	memcpy(out, SIG2, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(blen >> 8);
	out[15] = (uint8_t)blen;
	if (blen)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

static const uint8_t ip4_block[12] = {
	192, 168, 0, 1, 192, 168, 0, 11, 0xdc, 0x04, 0x01, 0xbb,      /* 56324, 443 */
};

/* --- version 1 --- */

/* §2.1's example, with the HTTP request that follows it left unread. */
static void
test_v1_spec_example(void **state)
{
	(void)state;
	const char *line = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
	const char *all = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"
			  "GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n";
	struct pp_header h;

	assert_int_equal(parse(all, strlen(all), &h), (int)strlen(line));
	assert_int_equal(h.version, 1);
	assert_int_equal(h.command, PP_CMD_PROXY);
	assert_int_equal(h.family, PP_FAM_INET);
	assert_int_equal(h.src.v4, htonl(0xc0a80001));
	assert_int_equal(h.dst.v4, htonl(0xc0a8000b));
	assert_int_equal(h.src_port, htons(56324));
	assert_int_equal(h.dst_port, htons(443));
	assert_int_equal(h.tlv_len, 0);
	assert_prefixes(line, strlen(line), MAX);
}

/* §2.1's maximum lines: 56 (TCP4), 104 (TCP6), 15 and 107 (UNKNOWN) bytes. */
static void
test_v1_spec_max_lines(void **state)
{
	(void)state;
	const char *tcp4 = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
	const char *tcp6 = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	const char *unk = "PROXY UNKNOWN\r\n";
	const char *worst = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	struct pp_header h;

	assert_int_equal(strlen(tcp4), 56);
	assert_int_equal(strlen(tcp6), 104);
	assert_int_equal(strlen(worst), PP_V1_MAX_LINE);
	assert_int_equal(parse_str(tcp4), 56);
	assert_int_equal(parse(tcp6, strlen(tcp6), &h), 104);
	assert_int_equal(h.family, PP_FAM_INET6);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(h.src.v6[i], 0xff);
		assert_int_equal(h.dst.v6[i], 0xff);
	}
	assert_int_equal(parse_str(unk), 15);
	assert_int_equal(parse(worst, strlen(worst), &h), PP_V1_MAX_LINE);
	assert_int_equal(h.family, PP_FAM_UNSPEC);
	assert_prefixes(tcp4, 56, MAX);
	assert_prefixes(tcp6, 104, MAX);
	assert_prefixes(worst, PP_V1_MAX_LINE, MAX);
}

/* Lowest values: 0.0.0.0, port 0; IPv6 short forms, either case, dotted tail. */
static void
test_v1_edges_accepted(void **state)
{
	(void)state;
	struct pp_header h;
	const char *zero = "PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n";
	const char *v6 = "PROXY TCP6 2001:DB8::a ::ffff:10.0.0.1 1 65535\r\n";
	static const uint8_t want_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
	static const uint8_t want_dst[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };

	assert_int_equal(parse(zero, strlen(zero), &h), (int)strlen(zero));
	assert_int_equal(h.src.v4, 0);
	assert_int_equal(h.src_port, 0);
	assert_int_equal(h.dst_port, 0);
	assert_int_equal(parse(v6, strlen(v6), &h), (int)strlen(v6));
	assert_memory_equal(h.src.v6, want_src, 16);
	assert_memory_equal(h.dst.v6, want_dst, 16);
	assert_int_equal(h.src_port, htons(1));
	assert_ok("PROXY TCP6 :: :: 0 0\r\n");
	assert_ok("PROXY TCP6 0000:0000:0000:0000:0000:0000:0000:0001 ::1 1 2\r\n");
	assert_ok("PROXY TCP6 1:2:3:4:5:6:7:8 1:: 1 2\r\n");
	assert_ok("PROXY TCP6 ::1.2.3.4 AbCd:eF01::9 1 2\r\n");
	assert_ok("PROXY TCP4 10.20.30.40 100.200.250.255 9 99\r\n");
}

/* §2.1: UNKNOWN, then anything before the CRLF is ignored. */
static void
test_v1_unknown(void **state)
{
	(void)state;
	struct pp_header h;
	const char *junk = "PROXY UNKNOWN \x01\x7f\xff anything 99999\r\nGET";

	memset(&h, 0xaa, sizeof(h));
	assert_int_equal(parse("PROXY UNKNOWN\r\n", 15, &h), 15);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.family, PP_FAM_UNSPEC);
	assert_int_equal(h.src.v4, 0);
	assert_int_equal(h.src_port, 0);
	assert_int_equal(parse(junk, strlen(junk), &h), (int)strlen(junk) - 3);
	assert_int_equal(parse_str("PROXY UNKNOWN \r\n"), 16);
	assert_int_equal(parse_str("PROXY UNKNOWNX\r\n"), PP_ERR_V1_SYNTAX);
	assert_int_equal(parse_str("PROXY UNKNOWN\n"), PP_ERR_V1_CRLF);
	assert_int_equal(parse_str("PROXY UNKNOWN x\ny\r\n"), PP_ERR_V1_CRLF);
	assert_int_equal(parse_str("PROXY UNKNOWN x\rx\r\n"), PP_ERR_V1_CRLF);
}

/* §2.1: no CRLF in the first 107 bytes is an error, decided at byte 107. */
static void
test_v1_too_long(void **state)
{
	(void)state;
	char line[256] = "PROXY UNKNOWN ";
	struct pp_header h;

	memset(line + 14, 'a', sizeof(line) - 14);
	assert_int_equal(parse(line, PP_V1_MAX_LINE - 1, &h), 0);
	assert_int_equal(parse(line, PP_V1_MAX_LINE, &h), PP_ERR_V1_TOO_LONG);
	assert_int_equal(parse(line, sizeof(line), &h), PP_ERR_V1_TOO_LONG);
	/* 108 bytes with the CRLF: one too many. */
	memcpy(line + 106, "\r\n", 2);
	assert_int_equal(parse(line, 108, &h), PP_ERR_V1_TOO_LONG);
	/* 107 bytes with the CRLF: the longest line. */
	memcpy(line + 105, "\r\n", 2);
	assert_int_equal(parse(line, 200, &h), PP_V1_MAX_LINE);
	/* CR as byte 107, LF would be byte 108. */
	memset(line + 14, 'a', sizeof(line) - 14);
	line[106] = '\r';
	line[107] = '\n';
	assert_int_equal(parse(line, 108, &h), PP_ERR_V1_TOO_LONG);
}

/*
 * A line that must fail with err: its beginnings answer 0 until the bad
 * byte is in, then err, and err stays whatever follows.
 */
static void
assert_v1_error(const char *s, int err)
{
	struct pp_header h;
	int r = parse_str(s), seen = 0;

	if (r != err)
		print_error("\"%s\": %d (%s), want %d\n", s, r, pp_strerror(r), err);
	assert_int_equal(r, err);
	for (size_t k = 0; k <= strlen(s); k++) {
		r = parse(s, k, &h);
		seen |= r == err;
		assert_int_equal(r, seen ? err : 0);
	}
}

/* The answer for exactly the bytes s, without the terminating NUL. */
static void
assert_early(const char *s, int want)
{
	struct pp_header h;

	assert_int_equal(parse(s, strlen(s), &h), want);
}

/* A field is rejected as soon as its beginning cannot be valid, before its delimiter. */
static void
test_v1_early_rejection(void **state)
{
	(void)state;
	assert_early("PROXY t", PP_ERR_V1_SYNTAX);
	assert_early("PROXY TCP6", 0);
	assert_early("PROXY TCP7", PP_ERR_V1_SYNTAX);
	assert_early("PROXY UNKNOWN", 0);
	assert_early("PROXY TCP4 25", 0);
	assert_early("PROXY TCP4 256", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP4 0", 0);
	assert_early("PROXY TCP4 01", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP4 1.", 0);
	assert_early("PROXY TCP4 1..", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP4 .", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP4 1.2.3.4", 0);
	assert_early("PROXY TCP4 1.2.3.4.", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP4 1.2.3.4:", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP6 fe80::", 0);
	assert_early("PROXY TCP6 fe80::g", PP_ERR_V1_ADDRESS);
	assert_early("PROXY TCP4 1.2.3.4 5.6.7.8 6553", 0);
	assert_early("PROXY TCP4 1.2.3.4 5.6.7.8 65536", PP_ERR_V1_PORT);
	assert_early("PROXY TCP4 1.2.3.4 5.6.7.8 0", 0);
	assert_early("PROXY TCP4 1.2.3.4 5.6.7.8 00", PP_ERR_V1_PORT);
	assert_early("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", PP_ERR_V1_CRLF);
}

static void
test_v1_missing_and_extra_fields(void **state)
{
	(void)state;
	assert_v1_error("PROXY\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY \r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", PP_ERR_V1_CRLF);
}

/* §2.1: exactly one space between fields, upper-case words, CRLF only. */
static void
test_v1_spaces_case_crlf(void **state)
{
	(void)state;
	assert_v1_error("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_ADDRESS);
	assert_v1_error("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", PP_ERR_V1_ADDRESS);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n", PP_ERR_V1_PORT);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1  2\r\n", PP_ERR_V1_PORT);
	assert_v1_error("PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY Tcp4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP44 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", PP_ERR_V1_CRLF);
	assert_v1_error("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", PP_ERR_V1_CRLF);
	assert_v1_error("PROXY TCP4 1.2.3.4\n5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
	assert_v1_error("Proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_SIGNATURE);
	assert_v1_error("PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", PP_ERR_V1_SYNTAX);
}

static void
test_v1_bad_addresses(void **state)
{
	(void)state;
	static const char *const bad4[] = {
		"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "00.0.0.0",
		"1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4x", "a.b.c.d", "-1.2.3.4",
		"1.2.3.255255", "1234.1.1.1", "4294967297.0.0.0", "::1", "999.999.999.999",
		"1.2.3.4.", "1.2.3.4.5.6.7.8",
	};
	static const char *const bad6[] = {
		"1.2.3.4", "2001:db8:::1", "12345::1", "1:2:3:4:5:6:7:8:9", "::g", ":",
		"1::2::3", "::ffff:1.2.3.256", "::ffff:01.2.3.4", "fffff::",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1:2:3:4:5:6:7", "x",
		"::ffff:1.2.3.4.5", "::1%eth0", "[::1]",
	};
	char line[200];

	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		snprintf(line, sizeof(line), "PROXY TCP4 %s 5.6.7.8 1 2\r\n", bad4[i]);
		assert_v1_error(line, PP_ERR_V1_ADDRESS);
		snprintf(line, sizeof(line), "PROXY TCP4 5.6.7.8 %s 1 2\r\n", bad4[i]);
		assert_v1_error(line, PP_ERR_V1_ADDRESS);
	}
	for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		snprintf(line, sizeof(line), "PROXY TCP6 %s ::1 1 2\r\n", bad6[i]);
		assert_v1_error(line, PP_ERR_V1_ADDRESS);
		snprintf(line, sizeof(line), "PROXY TCP6 ::1 %s 1 2\r\n", bad6[i]);
		assert_v1_error(line, PP_ERR_V1_ADDRESS);
	}
}

/* §2.1: ports in [0..65535], decimal, no heading zeroes. */
static void
test_v1_bad_ports(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"65536", "-1", "", "080", "00", "1a", "123456", "99999", "+1", "0x50", "6553500",
		"4294967296", "1.0",
	};
	char line[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "PROXY TCP4 1.2.3.4 5.6.7.8 %s 2\r\n", bad[i]);
		assert_v1_error(line, PP_ERR_V1_PORT);
		snprintf(line, sizeof(line), "PROXY TCP4 1.2.3.4 5.6.7.8 2 %s\r\n", bad[i]);
		assert_v1_error(line, PP_ERR_V1_PORT);
	}
	assert_ok("PROXY TCP4 1.2.3.4 5.6.7.8 65535 0\r\n");
}

/* --- signature, both versions --- */

/* A wrong byte anywhere in a signature is rejected with only that byte in. */
static void
test_signature_each_byte(void **state)
{
	(void)state;
	uint8_t hdr[64];
	size_t n = v2(hdr, 0x21, 0x11, ip4_block, sizeof(ip4_block));
	uint8_t v1[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
	struct pp_header h;

	assert_int_equal(parse(hdr, n, &h), (int)n);
	for (size_t i = 0; i < 12; i++) {
		uint8_t bad[64];

		memcpy(bad, hdr, n);
		bad[i] ^= 0x40;
		assert_int_equal(parse(bad, i + 1, &h), PP_ERR_SIGNATURE);
		assert_int_equal(parse(bad, n, &h), PP_ERR_SIGNATURE);
	}
	for (size_t i = 0; i < 5; i++) {
		uint8_t bad[sizeof(v1)];

		memcpy(bad, v1, sizeof(v1));
		bad[i] ^= 0x20;         /* lower case */
		assert_int_equal(parse(bad, i + 1, &h), PP_ERR_SIGNATURE);
		assert_int_equal(parse(bad, sizeof(v1) - 1, &h), PP_ERR_SIGNATURE);
	}
}

/* Other protocols are turned away at the first byte that cannot be PROXY. */
static void
test_signature_other_protocols(void **state)
{
	(void)state;
	struct pp_header h;
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00 };

	assert_int_equal(parse("GET / HTTP/1.1\r\n", 1, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse("POST / HTTP/1.1\r\n", 1, &h), 0);
	assert_int_equal(parse("POST / HTTP/1.1\r\n", 2, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse("PROXZ", 5, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse(tls, 1, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse("SSH-2.0-OpenSSH\r\n", 1, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse("\r\n", 2, &h), 0);
	assert_int_equal(parse("\r\nGET", 3, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse("\0", 1, &h), PP_ERR_SIGNATURE);
	assert_int_equal(parse("", 0, &h), 0);
}

static void
test_null_args(void **state)
{
	(void)state;
	struct pp_header h;

	assert_int_equal(pp_parse(NULL, 5, MAX, &h), PP_ERR_INVAL);
	assert_int_equal(pp_parse((const uint8_t *)"PROXY", 5, MAX, NULL), PP_ERR_INVAL);
	assert_int_equal(pp_parse(NULL, 0, MAX, &h), 0);
	assert_int_equal(pp_build_v1(NULL, 100, &h), -1);
	assert_int_equal(pp_build_v1((char *)&h, sizeof(h), NULL), -1);
	assert_int_equal(pp_build_v2(NULL, 100, &h), -1);
	assert_int_equal(pp_build_v2((uint8_t *)&h, sizeof(h), NULL), -1);
}

/* *out is written on success only. */
static void
test_out_untouched_unless_complete(void **state)
{
	(void)state;
	struct pp_header h, sentinel;
	const char *line = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";

	memset(&sentinel, 0xa5, sizeof(sentinel));
	h = sentinel;
	assert_int_equal(parse(line, strlen(line) - 1, &h), 0);
	assert_memory_equal(&h, &sentinel, sizeof(h));
	assert_int_equal(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), PP_ERR_V1_CRLF);
	assert_int_equal(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", 31, &h), PP_ERR_V1_CRLF);
	assert_memory_equal(&h, &sentinel, sizeof(h));
}

/* --- version 2 --- */

/* §2.2's layout: TCP over IPv4, 12 address bytes, then the payload left unread. */
static void
test_v2_tcp4(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t n = v2(buf, 0x21, 0x11, ip4_block, sizeof(ip4_block));
	struct pp_header h;

	memcpy(buf + n, "GET /", 5);
	assert_int_equal(n, 28);
	assert_int_equal(parse(buf, n + 5, &h), 28);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.command, PP_CMD_PROXY);
	assert_int_equal(h.family, PP_FAM_INET);
	assert_int_equal(h.src.v4, htonl(0xc0a80001));
	assert_int_equal(h.dst.v4, htonl(0xc0a8000b));
	assert_int_equal(h.src_port, htons(56324));
	assert_int_equal(h.dst_port, htons(443));
	assert_int_equal(h.tlv_off, 28);
	assert_int_equal(h.tlv_len, 0);
	assert_prefixes(buf, n, MAX);
}

static void
test_v2_tcp6(void **state)
{
	(void)state;
	uint8_t block[36] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, [16] = 0xfe, 0x80, [31] = 2,
			      [32] = 0xff, 0xff, 0x00, 0x00 };
	uint8_t buf[64];
	size_t n = v2(buf, 0x21, 0x21, block, sizeof(block));
	struct pp_header h;

	assert_int_equal(parse(buf, n, &h), 52);
	assert_int_equal(h.family, PP_FAM_INET6);
	assert_memory_equal(h.src.v6, block, 16);
	assert_memory_equal(h.dst.v6, block + 16, 16);
	assert_int_equal(h.src_port, htons(65535));
	assert_int_equal(h.dst_port, 0);
	assert_prefixes(buf, n, MAX);
}

/* §2.2: LOCAL is accepted with the real endpoints; its block is skipped whatever the family. */
static void
test_v2_local(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct pp_header h;
	size_t n = v2(buf, 0x20, 0x00, NULL, 0);

	memset(&h, 0xaa, sizeof(h));
	assert_int_equal(parse(buf, n, &h), 16);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.command, PP_CMD_LOCAL);
	assert_int_equal(h.family, PP_FAM_UNSPEC);
	assert_int_equal(h.src.v4, 0);
	assert_int_equal(h.tlv_len, 0);
	assert_prefixes(buf, n, MAX);
	/* "must not assume zero is presented for LOCAL connections" */
	n = v2(buf, 0x20, 0x11, ip4_block, sizeof(ip4_block));
	assert_int_equal(parse(buf, n, &h), 28);
	assert_int_equal(h.command, PP_CMD_LOCAL);
	assert_int_equal(h.family, PP_FAM_UNSPEC);
	/* The family is ignored, so a LOCAL TCP4 may present fewer than 12 bytes. */
	n = v2(buf, 0x20, 0x11, ip4_block, 3);
	assert_int_equal(parse(buf, n, &h), 19);
	/* But it must still be an assigned value. */
	n = v2(buf, 0x20, 0x41, NULL, 0);
	assert_int_equal(parse(buf, n, &h), PP_ERR_V2_FAMILY);
}

/* PROXY with UNSPEC, or a valid family we do not implement: addresses ignored (§2.2). */
static void
test_v2_unspec_fallback(void **state)
{
	(void)state;
	static const uint8_t fams[] = { 0x00, 0x01, 0x02, 0x10, 0x20, 0x30, 0x12, 0x22, 0x31, 0x32 };
	uint8_t body[300] = { 0 }, buf[400];
	struct pp_header h;

	for (size_t i = 0; i < sizeof(fams); i++) {
		size_t n = v2(buf, 0x21, fams[i], body, 216);

		assert_int_equal(parse(buf, n, &h), 232);
		assert_int_equal(h.command, PP_CMD_PROXY);
		assert_int_equal(h.family, PP_FAM_UNSPEC);
		assert_int_equal(h.src.v4, 0);
	}
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x00, NULL, 0), &h), 16);
	/* UDP over IPv4: its 12 bytes of address, then TLVs that are walked. */
	body[12] = 0x04;        /* PP2_TYPE_NOOP */
	body[14] = 1;
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x12, body, 16), &h), 32);
	assert_int_equal(h.tlv_off, 28);
	assert_int_equal(h.tlv_len, 4);
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x12, body, 15), &h), PP_ERR_V2_TLV);
}

/* §2.2: version 2 only, commands 0 and 1, assigned families; decided at bytes 13 and 14. */
static void
test_v2_bad_version_command_family(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct pp_header h;

	for (unsigned b = 0; b < 256; b++) {
		size_t n = v2(buf, (uint8_t)b, 0x11, ip4_block, sizeof(ip4_block));
		int want = b >> 4 != 2 ? PP_ERR_V2_VERSION : (b & 0xf) > 1 ? PP_ERR_V2_COMMAND : 28;

		assert_int_equal(parse(buf, n, &h), want);
		assert_int_equal(parse(buf, 13, &h), want == 28 ? 0 : want);
	}
	for (unsigned b = 0; b < 256; b++) {
		size_t n = v2(buf, 0x21, (uint8_t)b, ip4_block, sizeof(ip4_block));
		int bad = b >> 4 > 3 || (b & 0xf) > 2;
		int r = parse(buf, n, &h);

		if (bad) {
			assert_int_equal(r, PP_ERR_V2_FAMILY);
			assert_int_equal(parse(buf, 14, &h), PP_ERR_V2_FAMILY);
		} else {
			assert_true(r == 28 || r == PP_ERR_V2_LENGTH);
		}
	}
}

/* The length must cover the family's address block (12, 36, 216), checked at byte 16. */
static void
test_v2_length_short(void **state)
{
	(void)state;
	static const struct { uint8_t fam; size_t need; } cases[] = {
		{ 0x11, 12 }, { 0x12, 12 }, { 0x21, 36 }, { 0x22, 36 }, { 0x31, 216 }, { 0x32, 216 },
	};
	uint8_t body[300] = { 0 }, buf[400];
	struct pp_header h;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t len = 0; len < cases[i].need; len++) {
			size_t n = v2(buf, 0x21, cases[i].fam, body, len);

			assert_int_equal(parse_max(buf, n, 1000, &h), PP_ERR_V2_LENGTH);
			assert_int_equal(parse_max(buf, 16, 1000, &h), PP_ERR_V2_LENGTH);
		}
		size_t n = v2(buf, 0x21, cases[i].fam, body, cases[i].need);

		assert_int_equal(parse_max(buf, n, 1000, &h), (int)n);
	}
}

/* The configured maximum: decided at byte 16, before waiting for the rest. */
static void
test_v2_length_max(void **state)
{
	(void)state;
	static uint8_t buf[PP_V2_MAX_LIMIT];
	uint8_t body[100] = { 0 };
	struct pp_header h;
	size_t n;

	body[12] = 0xe0;        /* one 20-byte TLV of a custom type */
	body[14] = 20;
	n = v2(buf, 0x21, 0x11, body, 12 + 3 + 20);
	assert_int_equal(parse_max(buf, n, n, &h), (int)n);
	assert_int_equal(parse_max(buf, 16, n - 1, &h), PP_ERR_V2_TOO_LONG);
	assert_int_equal(parse_max(buf, n, n - 1, &h), PP_ERR_V2_TOO_LONG);
	assert_int_equal(parse_max(buf, 16, 0, &h), PP_ERR_V2_TOO_LONG);
	assert_int_equal(parse_max(buf, 15, 0, &h), 0);

	/* The largest length field: one TLV of 65532 bytes after the 12 address bytes. */
	memset(buf, 0, sizeof(buf));
	v2(buf, 0x21, 0x11, ip4_block, 12);
	buf[14] = buf[15] = 0xff;
	buf[28] = 0x04;
	buf[29] = (65535 - 15) >> 8;
	buf[30] = (uint8_t)(65535 - 15);
	assert_int_equal(parse_max(buf, 16, MAX, &h), PP_ERR_V2_TOO_LONG);
	assert_int_equal(parse_max(buf, sizeof(buf) - 1, PP_V2_MAX_LIMIT, &h), 0);
	assert_int_equal(parse_max(buf, sizeof(buf), PP_V2_MAX_LIMIT, &h), PP_V2_MAX_LIMIT);
	assert_int_equal(h.tlv_off, 28);
	assert_int_equal(h.tlv_len, 65535 - 12);
	assert_int_equal(parse_max(buf, sizeof(buf), SIZE_MAX, &h), PP_V2_MAX_LIMIT);
}

/* §2.2 TLVs: skipped and counted; one past the end of the header is an error. */
static void
test_v2_tlvs(void **state)
{
	(void)state;
	uint8_t body[64], buf[128];
	struct pp_header h;

	memcpy(body, ip4_block, 12);
	/* ALPN "h2", an empty NOOP, a 3-byte UNIQUE_ID: 14 bytes. */
	memcpy(body + 12, "\x01\x00\x02h2" "\x04\x00\x00" "\x05\x00\x03" "abc", 14);
	size_t n = v2(buf, 0x21, 0x11, body, 26);

	assert_int_equal(parse(buf, n, &h), 42);
	assert_int_equal(h.tlv_off, 28);
	assert_int_equal(h.tlv_len, 14);
	assert_int_equal(h.src_port, htons(56324));
	assert_prefixes(buf, n, MAX);
	/* The last TLV's value one byte too long for the header. */
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x11, body, 25), &h), PP_ERR_V2_TLV);
	/* One and two stray bytes: not even a TLV header. */
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x11, body, 13), &h), PP_ERR_V2_TLV);
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x11, body, 14), &h), PP_ERR_V2_TLV);
	/* A TLV length of 0xffff. */
	body[13] = body[14] = 0xff;
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x11, body, 26), &h), PP_ERR_V2_TLV);
	/* Empty TLV area and a zero-length TLV are fine. */
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x11, body, 12), &h), 28);
	memcpy(body + 12, "\x04\x00\x00", 3);
	assert_int_equal(parse(buf, v2(buf, 0x21, 0x11, body, 15), &h), 31);
	assert_int_equal(h.tlv_len, 3);
}

/* --- builders and round trips --- */

static struct pp_header
hdr4(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	struct pp_header h = { .command = PP_CMD_PROXY, .family = PP_FAM_INET };

	h.src.v4 = htonl(s);
	h.dst.v4 = htonl(d);
	h.src_port = htons(sp);
	h.dst_port = htons(dp);
	return h;
}

static void
assert_same_endpoints(const struct pp_header *a, const struct pp_header *b)
{
	assert_int_equal(a->command, b->command);
	assert_int_equal(a->family, b->family);
	if (a->family == PP_FAM_UNSPEC)
		return;
	assert_memory_equal(&a->src, &b->src, a->family == PP_FAM_INET ? 4 : 16);
	assert_memory_equal(&a->dst, &b->dst, a->family == PP_FAM_INET ? 4 : 16);
	assert_int_equal(a->src_port, b->src_port);
	assert_int_equal(a->dst_port, b->dst_port);
}

/* Build v1 and v2, parse both back, every prefix and every too-small cap. */
static void
round_trip(const struct pp_header *in, const char *want_v1)
{
	char line[PP_V1_MAX_LINE + 1];
	uint8_t bin[64];
	struct pp_header out;
	int n1 = pp_build_v1(line, sizeof(line), in);
	int n2 = pp_build_v2(bin, sizeof(bin), in);

	assert_true(n1 > 0 && n2 >= 16);
	if (want_v1 != NULL) {
		assert_int_equal(n1, (int)strlen(want_v1));
		assert_memory_equal(line, want_v1, (size_t)n1);
	}
	for (int cap = 0; cap < n1; cap++)
		assert_int_equal(pp_build_v1(line, (size_t)cap, in), -1);
	for (int cap = 0; cap < n2; cap++)
		assert_int_equal(pp_build_v2(bin, (size_t)cap, in), -1);
	assert_int_equal(pp_build_v1(line, (size_t)n1, in), n1);
	assert_int_equal(pp_build_v2(bin, (size_t)n2, in), n2);
	assert_prefixes(line, (size_t)n1, MAX);
	assert_prefixes(bin, (size_t)n2, MAX);
	assert_int_equal(parse(bin, (size_t)n2, &out), n2);
	assert_int_equal(out.version, 2);
	assert_same_endpoints(&out, in);
	assert_int_equal(parse(line, (size_t)n1, &out), n1);
	assert_int_equal(out.version, 1);
	if (in->command == PP_CMD_PROXY)
		assert_same_endpoints(&out, in);
	else
		assert_int_equal(out.family, PP_FAM_UNSPEC);
}

static void
test_round_trip_fixed(void **state)
{
	(void)state;
	struct pp_header h = hdr4(0xc0a80001, 0xc0a8000b, 56324, 443);
	uint8_t bin[64];

	round_trip(&h, "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
	assert_int_equal(pp_build_v2(bin, sizeof(bin), &h), 28);
	assert_memory_equal(bin, SIG2 "\x21\x11\x00\x0c", 16);
	assert_memory_equal(bin + 16, ip4_block, 12);

	h = hdr4(0xffffffff, 0, 65535, 0);
	round_trip(&h, "PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n");

	h.family = PP_FAM_INET6;
	memset(h.src.v6, 0xff, 16);
	memset(h.dst.v6, 0, 16);
	h.dst.v6[15] = 1;
	round_trip(&h, "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ::1 65535 0\r\n");

	h = (struct pp_header){ .command = PP_CMD_LOCAL };
	round_trip(&h, "PROXY UNKNOWN\r\n");
	assert_int_equal(pp_build_v2(bin, sizeof(bin), &h), 16);
	assert_memory_equal(bin, SIG2 "\x20\x00\x00\x00", 16);
	/* LOCAL with addresses set: v2 sends none (§2.2, "should not present any address"). */
	h = hdr4(1, 2, 3, 4);
	h.command = PP_CMD_LOCAL;
	assert_int_equal(pp_build_v2(bin, sizeof(bin), &h), 16);

	h = (struct pp_header){ .command = PP_CMD_PROXY, .family = PP_FAM_UNSPEC };
	round_trip(&h, "PROXY UNKNOWN\r\n");
	assert_int_equal(pp_build_v2(bin, sizeof(bin), &h), 16);
	assert_memory_equal(bin, SIG2 "\x21\x00\x00\x00", 16);
}

static void
test_build_invalid(void **state)
{
	(void)state;
	struct pp_header h = hdr4(1, 2, 3, 4);
	char line[128];
	uint8_t bin[64];

	h.command = 2;
	assert_int_equal(pp_build_v1(line, sizeof(line), &h), -1);
	assert_int_equal(pp_build_v2(bin, sizeof(bin), &h), -1);
	h.command = PP_CMD_PROXY;
	h.family = 3;
	assert_int_equal(pp_build_v1(line, sizeof(line), &h), -1);
	assert_int_equal(pp_build_v2(bin, sizeof(bin), &h), -1);
}

static uint64_t
rng(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Random addresses and ports, including runs of zero groups for IPv6's "::". */
static void
test_round_trip_random(void **state)
{
	(void)state;
	uint64_t x = 1;

	for (int i = 0; i < 2000; i++) {
		uint64_t r = rng(&x);
		struct pp_header h = hdr4((uint32_t)r, (uint32_t)(r >> 32), (uint16_t)rng(&x),
					  (uint16_t)rng(&x));

		if (i & 1) {
			h.family = PP_FAM_INET6;
			for (int b = 0; b < 16; b += 2) {
				uint64_t v = rng(&x);

				h.src.v6[b] = (v & 3) ? 0 : (uint8_t)(v >> 8);
				h.src.v6[b + 1] = (v & 3) ? 0 : (uint8_t)(v >> 16);
				h.dst.v6[b] = (uint8_t)(v >> 24);
				h.dst.v6[b + 1] = (v & 4) ? 0 : (uint8_t)(v >> 32);
			}
		}
		round_trip(&h, NULL);
	}
}

/* --- feeding and consistency --- */

/* Byte by byte into a growing buffer, the way a receiver sees a slow sender. */
static void
feed_bytewise(const uint8_t *stream, size_t n, int want)
{
	struct pp_header h;
	int r = 0;
	size_t k;

	for (k = 1; k <= n; k++) {
		r = parse(stream, k, &h);
		if (r != 0)
			break;
	}
	assert_int_equal(r, want);
	if (want > 0)
		assert_int_equal(k, (size_t)want);
}

static void
test_feed_bytewise(void **state)
{
	(void)state;
	const char *s1 = "PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\nHELLO";
	uint8_t buf[128];
	size_t n = v2(buf, 0x21, 0x11, ip4_block, sizeof(ip4_block));

	feed_bytewise((const uint8_t *)s1, strlen(s1), (int)strlen(s1) - 5);
	memcpy(buf + n, "HELLO", 5);
	feed_bytewise(buf, n + 5, (int)n);
	feed_bytewise((const uint8_t *)"PROXY UNKNOWN\r\n", 15, 15);
	/* The error comes with the first bad byte, whatever follows. */
	feed_bytewise((const uint8_t *)"PROXY TCP4 1.2.3.4 5.6.7.8 99999", 32, PP_ERR_V1_PORT);
	buf[13] = 0x51;
	feed_bytewise(buf, n, PP_ERR_V2_FAMILY);
}

/*
 * Random damage to valid headers: the answer never exceeds the bytes
 * offered, and the answers over growing prefixes are consistent: zeros,
 * then one final answer that longer input does not change.
 */
static void
check_consistent(const uint8_t *p, size_t n)
{
	struct pp_header h;
	int first = 0;
	size_t at = 0;

	for (size_t k = 0; k <= n; k++) {
		int r = parse(p, k, &h);

		assert_true(r >= PP_ERR_V2_TLV && r <= (int)k);
		if (first == 0 && r != 0) {
			first = r;
			at = k;
		}
		if (first != 0)
			assert_int_equal(r, first);
		if (r > 0)
			assert_int_equal((size_t)r, at);
	}
}

static void
test_random_damage(void **state)
{
	(void)state;
	const char *lines[] = {
		"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
		"PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 0 65535\r\n",
		"PROXY UNKNOWN abc\r\n",
	};
	uint8_t seed[4][128], buf[160];
	size_t len[4];
	uint64_t x = 99;

	for (int i = 0; i < 3; i++) {
		len[i] = strlen(lines[i]);
		memcpy(seed[i], lines[i], len[i]);
	}
	len[3] = v2(seed[3], 0x21, 0x11, "\x0a\0\0\x01\x0a\0\0\x02\0\x50\0\x51\x04\0\x01x", 16);
	for (int i = 0; i < 20000; i++) {
		int s = (int)(rng(&x) % 4);
		size_t n = len[s];

		memcpy(buf, seed[s], n);
		for (int d = 0, nd = 1 + (int)(rng(&x) % 3); d < nd; d++)
			buf[rng(&x) % n] = (uint8_t)rng(&x);
		if (rng(&x) & 1)        /* and some trailing bytes */
			for (size_t e = 0; e < 20; e++)
				buf[n++] = (uint8_t)rng(&x);
		check_consistent(buf, n);
	}
}

static void
test_strerror(void **state)
{
	(void)state;
	for (int a = PP_ERR_V2_TLV; a <= 0; a++) {
		assert_non_null(pp_strerror(a));
		for (int b = PP_ERR_V2_TLV; b < a; b++)
			assert_string_not_equal(pp_strerror(a), pp_strerror(b));
	}
	assert_non_null(pp_strerror(-1000));
	assert_non_null(pp_strerror(28));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_spec_example),
		cmocka_unit_test(test_v1_spec_max_lines),
		cmocka_unit_test(test_v1_edges_accepted),
		cmocka_unit_test(test_v1_unknown),
		cmocka_unit_test(test_v1_too_long),
		cmocka_unit_test(test_v1_early_rejection),
		cmocka_unit_test(test_v1_missing_and_extra_fields),
		cmocka_unit_test(test_v1_spaces_case_crlf),
		cmocka_unit_test(test_v1_bad_addresses),
		cmocka_unit_test(test_v1_bad_ports),
		cmocka_unit_test(test_signature_each_byte),
		cmocka_unit_test(test_signature_other_protocols),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_out_untouched_unless_complete),
		cmocka_unit_test(test_v2_tcp4),
		cmocka_unit_test(test_v2_tcp6),
		cmocka_unit_test(test_v2_local),
		cmocka_unit_test(test_v2_unspec_fallback),
		cmocka_unit_test(test_v2_bad_version_command_family),
		cmocka_unit_test(test_v2_length_short),
		cmocka_unit_test(test_v2_length_max),
		cmocka_unit_test(test_v2_tlvs),
		cmocka_unit_test(test_round_trip_fixed),
		cmocka_unit_test(test_build_invalid),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_feed_bytewise),
		cmocka_unit_test(test_random_damage),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
