/*
 * PROXY protocol: which version, and error names. The first byte decides
 * (§2.2, "Identifying the protocol version"): 'P' can only start a v1 line
 * and CR only the v2 signature, so there is no need to wait for 8 or 16
 * bytes as the spec's sample receiver does.
 */
#include "proxy_proto.h"
#include "proxy_proto_internal.h"

int
pp_parse(const uint8_t *buf, size_t len, size_t v2_max, struct pp_header *out)
{
	if (out == NULL || (buf == NULL && len > 0))
		return PP_ERR_INVAL;
	if (len == 0)
		return 0;
	if (buf[0] == PP_V1_SIG[0])
		return pp_parse_v1(buf, len, out);
	if (buf[0] == PP_V2_SIG[0])
		return pp_parse_v2(buf, len, v2_max, out);
	return PP_ERR_SIGNATURE;
}

const char *
pp_strerror(int err)
{
	switch (err) {
	case 0:
		return "incomplete header";
	case PP_ERR_INVAL:
		return "invalid argument";
	case PP_ERR_SIGNATURE:
		return "not a PROXY protocol header";
	case PP_ERR_V1_SYNTAX:
		return "PROXY v1: syntax error";
	case PP_ERR_V1_TOO_LONG:
		return "PROXY v1: no CRLF within 107 bytes";
	case PP_ERR_V1_CRLF:
		return "PROXY v1: lone CR or LF";
	case PP_ERR_V1_ADDRESS:
		return "PROXY v1: bad address";
	case PP_ERR_V1_PORT:
		return "PROXY v1: bad port";
	case PP_ERR_V2_VERSION:
		return "PROXY v2: bad version";
	case PP_ERR_V2_COMMAND:
		return "PROXY v2: bad command";
	case PP_ERR_V2_FAMILY:
		return "PROXY v2: bad address family or transport";
	case PP_ERR_V2_LENGTH:
		return "PROXY v2: length shorter than the address block";
	case PP_ERR_V2_TOO_LONG:
		return "PROXY v2: header longer than the configured maximum";
	case PP_ERR_V2_TLV:
		return "PROXY v2: TLV past the end of the header";
	default:
		return err > 0 ? "complete header" : "unknown error";
	}
}
