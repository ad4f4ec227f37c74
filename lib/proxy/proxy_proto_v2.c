/*
 * PROXY protocol version 2, the binary header (spec §2.2): a 12-byte
 * signature, version and command, family and transport, a 16-bit length,
 * then the address block and TLVs (§2.2, "struct pp2_tlv").
 *
 * Each of the first 16 bytes is checked as soon as it arrives, and the
 * length is checked against the family and the configured maximum before
 * waiting for the rest, so a bad or oversized header never makes the
 * receiver wait.
 */
#include "proxy_proto_internal.h"

#define V2_VERSION 0x2
#define V2_CMD_LOCAL 0x0
#define V2_CMD_PROXY 0x1
#define V2_AF_UNSPEC 0x0
#define V2_AF_INET 0x1
#define V2_AF_INET6 0x2
#define V2_AF_UNIX 0x3
#define V2_PROTO_UNSPEC 0x0
#define V2_PROTO_STREAM 0x1
#define V2_PROTO_DGRAM 0x2
#define V2_ADDR_INET 12         /* 2 * 4 + 2 * 2 */
#define V2_ADDR_INET6 36        /* 2 * 16 + 2 * 2 */
#define V2_ADDR_UNIX 216        /* 2 * 108 */
#define TLV_HDR_LEN 3           /* type, length_hi, length_lo */

static uint16_t
load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* §2.2, 13th byte: the version must be 2; the command LOCAL or PROXY. */
static int
check_ver_cmd(uint8_t b)
{
	if (b >> 4 != V2_VERSION)
		return PP_ERR_V2_VERSION;
	if ((b & 0xf) > V2_CMD_PROXY)
		return PP_ERR_V2_COMMAND;
	return 1;
}

/* §2.2, 14th byte: "other values ... must be rejected as invalid by receivers". */
static int
check_fam(uint8_t b)
{
	if (b >> 4 > V2_AF_UNIX || (b & 0xf) > V2_PROTO_DGRAM)
		return PP_ERR_V2_FAMILY;
	return 1;
}

/*
 * Bytes of address block the header must hold. LOCAL ignores the whole
 * block (§2.2: "discard the protocol block including the family") and an
 * UNSPEC family or transport has no defined address, so both need none.
 */
static size_t
addr_block_len(uint8_t ver_cmd, uint8_t fam)
{
	if ((ver_cmd & 0xf) == V2_CMD_LOCAL || (fam & 0xf) == V2_PROTO_UNSPEC)
		return 0;
	switch (fam >> 4) {
	case V2_AF_INET:
		return V2_ADDR_INET;
	case V2_AF_INET6:
		return V2_ADDR_INET6;
	case V2_AF_UNIX:
		return V2_ADDR_UNIX;
	default:
		return 0;
	}
}

/*
 * Only TCP over IPv4 and IPv6 carry addresses for us; the other valid
 * combinations (UDP, UNIX) fall back to UNSPEC as §2.2 asks of a receiver
 * that does not implement them.
 */
static void
decode_addresses(const uint8_t *a, uint8_t fam, struct pp_header *h)
{
	size_t alen = fam >> 4 == V2_AF_INET ? 4 : 16;

	if ((fam & 0xf) != V2_PROTO_STREAM || (fam >> 4 != V2_AF_INET && fam >> 4 != V2_AF_INET6))
		return;
	h->family = alen == 4 ? PP_FAM_INET : PP_FAM_INET6;
	memcpy(&h->src, a, alen);
	memcpy(&h->dst, a + alen, alen);
	memcpy(&h->src_port, a + 2 * alen, 2);
	memcpy(&h->dst_port, a + 2 * alen + 2, 2);
}

/* §2.2: TLVs fill the rest of the header; each must end within it. */
static int
check_tlvs(const uint8_t *buf, size_t off, size_t total)
{
	while (off < total) {
		if (total - off < TLV_HDR_LEN)
			return PP_ERR_V2_TLV;
		size_t vlen = load_be16(buf + off + 1);

		if (total - off - TLV_HDR_LEN < vlen)
			return PP_ERR_V2_TLV;
		off += TLV_HDR_LEN + vlen;
	}
	return 1;
}

/* Checks bytes 13 to 16 as far as they have arrived; *total once all are there. */
static int
check_fixed(const uint8_t *buf, size_t len, size_t v2_max, size_t *total)
{
	int r;

	if (len > 12 && (r = check_ver_cmd(buf[12])) < 0)
		return r;
	if (len > 13 && (r = check_fam(buf[13])) < 0)
		return r;
	if (len < PP_V2_HDR_LEN)
		return 0;
	*total = PP_V2_HDR_LEN + (size_t)load_be16(buf + 14);
	if (*total > v2_max)
		return PP_ERR_V2_TOO_LONG;
	if (*total - PP_V2_HDR_LEN < addr_block_len(buf[12], buf[13]))
		return PP_ERR_V2_LENGTH;
	return 1;
}

int
pp_parse_v2(const uint8_t *buf, size_t len, size_t v2_max, struct pp_header *out)
{
	struct pp_header h = { .version = 2 };
	size_t total, alen;
	int r;

	if ((r = pp_sig_prefix(buf, len, PP_V2_SIG, PP_V2_SIG_LEN)) <= 0)
		return r;
	if ((r = check_fixed(buf, len, v2_max, &total)) <= 0 || len < total)
		return r < 0 ? r : 0;
	alen = addr_block_len(buf[12], buf[13]);
	h.command = buf[12] & 0xf;
	if (h.command == V2_CMD_PROXY && alen > 0) {
		decode_addresses(buf + PP_V2_HDR_LEN, buf[13], &h);
		if ((r = check_tlvs(buf, PP_V2_HDR_LEN + alen, total)) < 0)
			return r;
		h.tlv_off = (uint16_t)(PP_V2_HDR_LEN + alen);
		h.tlv_len = (uint16_t)(total - h.tlv_off);
	}
	*out = h;
	return (int)total;
}

int
pp_build_v2(uint8_t *buf, size_t cap, const struct pp_header *h)
{
	if (buf == NULL || h == NULL || h->command > PP_CMD_PROXY || h->family > PP_FAM_INET6)
		return -1;
	int addrs = h->command == PP_CMD_PROXY && h->family != PP_FAM_UNSPEC;
	size_t alen = !addrs ? 0 : h->family == PP_FAM_INET ? 4 : 16;
	size_t block = alen == 0 ? 0 : 2 * alen + 4;

	if (cap < PP_V2_HDR_LEN + block)
		return -1;
	memcpy(buf, PP_V2_SIG, PP_V2_SIG_LEN);
	buf[12] = V2_VERSION << 4 | h->command;
	/* §2.2: LOCAL and unknown connections are sent as UNSPEC (0x00) with no address. */
	buf[13] = !addrs ? 0x00 : (uint8_t)((h->family == PP_FAM_INET ? V2_AF_INET : V2_AF_INET6) << 4 |
						  V2_PROTO_STREAM);
	buf[14] = (uint8_t)(block >> 8);
	buf[15] = (uint8_t)block;
	if (addrs) {
		uint8_t *a = buf + PP_V2_HDR_LEN;

		memcpy(a, &h->src, alen);
		memcpy(a + alen, &h->dst, alen);
		memcpy(a + 2 * alen, &h->src_port, 2);
		memcpy(a + 2 * alen + 2, &h->dst_port, 2);
	}
	return (int)(PP_V2_HDR_LEN + block);
}
