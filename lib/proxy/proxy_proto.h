/*
 * The PROXY protocol, versions 1 (text) and 2 (binary), after HAProxy's
 * specification "The PROXY protocol, Versions 1 & 2" (2020/03/05): the
 * header a proxy puts in front of a relayed connection to tell the server
 * the original endpoints. Pure parsing and formatting on byte buffers.
 *
 * The parser takes whatever has arrived so far and says whether it holds a
 * whole header, a valid beginning of one (call again with more bytes) or
 * something that can never become one. It rejects at the first byte that
 * cannot belong to a header, so a client that sends something else is
 * turned away at once rather than after 107 bytes or a timeout.
 */
#ifndef TERN_PROXY_PROXY_PROTO_H
#define TERN_PROXY_PROXY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#define PP_V1_MAX_LINE 107              /* §2.1: longest line, CRLF included */
#define PP_V2_HDR_LEN 16                /* §2.2: signature, ver_cmd, fam, len */
#define PP_V2_MAX_DEFAULT 536           /* §2: both formats fit in 576 - 40 bytes */
#define PP_V2_MAX_LIMIT (PP_V2_HDR_LEN + 65535)

enum pp_command {
	PP_CMD_LOCAL = 0,       /* made by the proxy itself (health check): use the real endpoints */
	PP_CMD_PROXY = 1,       /* relayed: the addresses are the original ones */
};

enum pp_family {
	PP_FAM_UNSPEC = 0,      /* no addresses: use the connection's own endpoints */
	PP_FAM_INET = 1,        /* TCP over IPv4 */
	PP_FAM_INET6 = 2,       /* TCP over IPv6 */
};

union pp_addr {
	rte_be32_t v4;          /* network order */
	uint8_t v6[16];
};

struct pp_header {
	uint8_t version;        /* 1 or 2 */
	uint8_t command;        /* enum pp_command; always PROXY for version 1 */
	uint8_t family;         /* enum pp_family; the addresses and ports are set unless UNSPEC */
	rte_be16_t src_port;
	rte_be16_t dst_port;
	union pp_addr src;
	union pp_addr dst;
	uint16_t tlv_off;       /* v2: offset of the TLVs from the header's start */
	uint16_t tlv_len;       /* v2: bytes of TLVs (skipped, each checked to fit) */
};

enum pp_error {
	PP_ERR_INVAL = -1,              /* NULL argument */
	PP_ERR_SIGNATURE = -2,          /* neither "PROXY" nor the v2 signature */
	PP_ERR_V1_SYNTAX = -3,          /* bad protocol word, spaces, missing or extra fields */
	PP_ERR_V1_TOO_LONG = -4,        /* no CRLF within 107 bytes */
	PP_ERR_V1_CRLF = -5,            /* CR without LF or LF without CR */
	PP_ERR_V1_ADDRESS = -6,
	PP_ERR_V1_PORT = -7,
	PP_ERR_V2_VERSION = -8,         /* version nibble other than 2 */
	PP_ERR_V2_COMMAND = -9,         /* command other than LOCAL or PROXY */
	PP_ERR_V2_FAMILY = -10,         /* unassigned family or transport */
	PP_ERR_V2_LENGTH = -11,         /* length shorter than the family's address block */
	PP_ERR_V2_TOO_LONG = -12,       /* header longer than the configured maximum */
	PP_ERR_V2_TLV = -13,            /* a TLV runs past the end of the header */
};

/*
 * Parses a PROXY header at the start of buf[0..len-1]. Returns the header's
 * length (> 0) and fills *out, 0 when buf is a valid beginning of a header
 * (call again with more bytes), or a negative enum pp_error; *out is only
 * written on success. v2_max is the longest version 2 header accepted
 * (16 + address block + TLVs), e.g. PP_V2_MAX_DEFAULT.
 */
int pp_parse(const uint8_t *buf, size_t len, size_t v2_max, struct pp_header *out);

/* A constant description of a pp_parse result. */
const char *pp_strerror(int err);

/*
 * Formats h as a version 1 line ("PROXY TCP4 ...\r\n"; "PROXY UNKNOWN\r\n"
 * for LOCAL or UNSPEC, which v1 cannot say otherwise). Writes no NUL.
 * Returns the length, or -1 when cap is too small or h is invalid.
 */
int pp_build_v1(char *buf, size_t cap, const struct pp_header *h);

/*
 * Formats h as a version 2 header without TLVs: PROXY with TCP over IPv4 or
 * IPv6 or UNSPEC, or LOCAL (UNSPEC, no address). Returns the length, or -1
 * when cap is too small or h is invalid.
 */
int pp_build_v2(uint8_t *buf, size_t cap, const struct pp_header *h);

#endif
