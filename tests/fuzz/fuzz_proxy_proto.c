/*
 * The PROXY protocol parser (lib/proxy/proxy_proto*.c). The first two
 * input bytes choose the version 2 maximum; the rest is what a client
 * sent. Checked besides the sanitizers: a header's length lies within the
 * bytes; every shorter prefix of a header asks for more, and what follows
 * it changes nothing; a prefix rejected stays rejected however many bytes
 * come after it (the parser's promise to turn a client away at the first
 * bad byte); and a parsed header survives a round trip through both
 * builders.
 */
#include "fuzz.h"
#include "proxy/proxy_proto.h"

static uint8_t copy[PP_V2_MAX_LIMIT + 64];

/* pp_parse on a heap copy of exactly n bytes: a read past them is a sanitizer report. */
static int
parse_n(const uint8_t *p, size_t n, size_t max, struct pp_header *h)
{
	uint8_t *b = malloc(n ? n : 1);
	int r;

	memcpy(b, p, n);
	r = pp_parse(b, n, max, h);
	free(b);
	return r;
}

static void
same_endpoints(const struct pp_header *a, const struct pp_header *b, const char *how)
{
	size_t alen = a->family == PP_FAM_INET ? 4 : 16;

	FUZZ_CHECK(a->family == b->family, "%s: family %u became %u", how, a->family, b->family);
	if (a->family == PP_FAM_UNSPEC)
		return;
	FUZZ_CHECK(a->src_port == b->src_port && a->dst_port == b->dst_port &&
		   memcmp(&a->src, &b->src, alen) == 0 && memcmp(&a->dst, &b->dst, alen) == 0,
		   "%s: the endpoints changed", how);
}

static void
round_trip(const struct pp_header *h)
{
	struct pp_header back;
	uint8_t out[PP_V2_MAX_DEFAULT];
	int n, r;

	FUZZ_CHECK(h->version == 1 || h->version == 2, "version %u", h->version);
	FUZZ_CHECK(h->family <= PP_FAM_INET6 && h->command <= PP_CMD_PROXY, "family %u command %u",
		   h->family, h->command);
	n = pp_build_v1((char *)out, sizeof(out), h);
	FUZZ_CHECK(n > 0 && n <= PP_V1_MAX_LINE, "pp_build_v1 gave %d", n);
	r = parse_n(out, (size_t)n, PP_V2_MAX_DEFAULT, &back);
	FUZZ_CHECK(r == n, "its v1 line parses as %d (%s)", r, pp_strerror(r));
	if (h->command == PP_CMD_PROXY)
		same_endpoints(h, &back, "v1");
	n = pp_build_v2(out, sizeof(out), h);
	FUZZ_CHECK(n >= PP_V2_HDR_LEN, "pp_build_v2 gave %d", n);
	r = parse_n(out, (size_t)n, PP_V2_MAX_DEFAULT, &back);
	FUZZ_CHECK(r == n, "its v2 header parses as %d (%s)", r, pp_strerror(r));
	FUZZ_CHECK(back.command == h->command, "v2: command %u became %u", h->command, back.command);
	if (h->command == PP_CMD_PROXY)
		same_endpoints(h, &back, "v2");
}

/* What a prefix of k bytes says must agree with what all n said (r). */
static void
prefix_agrees(const uint8_t *p, size_t k, size_t n, size_t max, int r)
{
	struct pp_header h;
	int rk = parse_n(p, k, max, &h);

	if (rk < 0)
		FUZZ_CHECK(r < 0, "%zu bytes rejected (%s), all %zu give %d", k, pp_strerror(rk), n, r);
	else if (rk > 0)
		FUZZ_CHECK(r == rk, "%zu bytes hold a header of %d, all %zu give %d", k, rk, n, r);
	else if (r > 0)
		FUZZ_CHECK(k < (size_t)r, "%zu bytes of a %d-byte header ask for more", k, r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_header h;
	size_t max, n;
	int r;

	if (size < 2)
		return 0;
	/* The configured maximum, PP_V2_HDR_LEN .. PP_V2_MAX_LIMIT; mostly the default. */
	max = data[0] & 0x80 ? PP_V2_HDR_LEN + ((size_t)(data[0] & 0x7f) << 8 | data[1])
			     : PP_V2_MAX_DEFAULT;
	n = size - 2 < sizeof(copy) ? size - 2 : sizeof(copy);
	memcpy(copy, data + 2, n);
	r = parse_n(copy, n, max, &h);
	FUZZ_CHECK(pp_strerror(r) != NULL, "no name for %d", r);
	FUZZ_CHECK(r >= PP_ERR_V2_TLV && r <= (int)n, "result %d of %zu bytes", r, n);
	/* Every prefix up to 40 bytes, then a few further ones. */
	for (size_t k = 0; k < n && k < 40; k++)
		prefix_agrees(copy, k, n, max, r);
	if (n > 40) {
		prefix_agrees(copy, n - 1, n, max, r);
		prefix_agrees(copy, n / 2, n, max, r);
	}
	if (r <= 0)
		return 0;
	FUZZ_CHECK(r >= 15 || h.version == 2, "a v1 line of %d bytes", r);
	if (h.version == 2)
		FUZZ_CHECK((size_t)r <= max && (h.tlv_off == 0 || h.tlv_off + (size_t)h.tlv_len == (size_t)r),
			   "v2 header of %d (max %zu), TLVs %u+%u", r, max, h.tlv_off, h.tlv_len);
	round_trip(&h);
	return 0;
}
