/* Shared between the PROXY protocol's dispatcher and its two versions. */
#ifndef TERN_PROXY_PROXY_PROTO_INTERNAL_H
#define TERN_PROXY_PROXY_PROTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proxy_proto.h"

#define PP_V1_SIG "PROXY"
#define PP_V1_SIG_LEN 5
#define PP_V2_SIG "\r\n\r\n\0\r\nQUIT\n"
#define PP_V2_SIG_LEN 12

/*
 * Compares what has arrived of a signature: 1 when all sig_len bytes match,
 * 0 when the bytes so far match but some are missing, PP_ERR_SIGNATURE at
 * the first byte that differs.
 */
static inline int
pp_sig_prefix(const uint8_t *buf, size_t len, const char *sig, size_t sig_len)
{
	size_t n = len < sig_len ? len : sig_len;

	if (memcmp(buf, sig, n) != 0)
		return PP_ERR_SIGNATURE;
	return n == sig_len;
}

/* Each is called with len >= 1 and buf[0] the first byte of its signature. */
int pp_parse_v1(const uint8_t *buf, size_t len, struct pp_header *out);
int pp_parse_v2(const uint8_t *buf, size_t len, size_t v2_max, struct pp_header *out);

#endif
