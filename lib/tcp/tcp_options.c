#include <string.h>

#include <rte_byteorder.h>

#include "tcp_options.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One option of known kind and checked length; returns -1 when its length is wrong. */
static int
parse_known(uint8_t kind, const uint8_t *p, unsigned olen, struct tcp_opts *o)
{
	switch (kind) {
	case TCP_OPT_MSS:
		if (olen != 4)
			return -1;
		o->mss = get16(p + 2);
		o->flags |= TCP_OPTF_MSS;
		return 0;
	case TCP_OPT_WSCALE:
		if (olen != 3)
			return -1;
		o->wscale = p[2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : p[2];
		o->flags |= TCP_OPTF_WSCALE;
		return 0;
	case TCP_OPT_SACK_PERM:
		if (olen != 2)
			return -1;
		o->flags |= TCP_OPTF_SACK_PERM;
		return 0;
	case TCP_OPT_SACK:
		/* RFC 2018 §3: 8 bytes per block after kind and length. */
		if (olen < 10 || (olen - 2) % 8 != 0)
			return -1;
		o->nsack = 0;
		for (unsigned off = 2; off < olen && o->nsack < TCP_MAX_SACK_BLOCKS; off += 8) {
			o->sack[o->nsack].start = get32(p + off);
			o->sack[o->nsack].end = get32(p + off + 4);
			o->nsack++;
		}
		o->flags |= TCP_OPTF_SACK;
		return 0;
	case TCP_OPT_TIMESTAMP:
		if (olen != 10)
			return -1;
		o->ts_val = get32(p + 2);
		o->ts_ecr = get32(p + 6);
		o->flags |= TCP_OPTF_TS;
		return 0;
	default:
		return 0; /* unknown kinds are skipped (RFC 9293 §3.1) */
	}
}

/*
 * RFC 7323 Appendix A: the layout senders use for the timestamp alone,
 * NOP NOP TS(10), is recognised by one 32-bit compare.
 */
static int
parse_aligned_ts(const uint8_t *p, unsigned len, struct tcp_opts *o)
{
	uint32_t head;

	if (len != 12)
		return 0;
	memcpy(&head, p, sizeof(head));
	if (head != rte_cpu_to_be_32(0x0101080a))
		return 0;
	o->flags = TCP_OPTF_TS;
	o->mss = 0;
	o->wscale = 0;
	o->nsack = 0; /* the blocks are read only up to nsack */
	o->ts_val = get32(p + 4);
	o->ts_ecr = get32(p + 8);
	return 1;
}

int
tcp_opts_parse(const uint8_t *p, unsigned len, struct tcp_opts *o)
{
	unsigned i = 0;

	if (parse_aligned_ts(p, len, o))
		return 0;
	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i];

		if (kind == TCP_OPT_EOL)
			break;
		if (kind == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			return -1;
		if (parse_known(kind, p + i, p[i + 1], o) != 0)
			return -1;
		i += p[i + 1];
	}
	return 0;
}

static uint8_t *
put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	return b + 4;
}

unsigned
tcp_opts_build(const struct tcp_opts *o, uint8_t *buf)
{
	uint8_t *b = buf;

	if (o->flags & TCP_OPTF_MSS) {
		*b++ = TCP_OPT_MSS;
		*b++ = 4;
		*b++ = o->mss >> 8;
		*b++ = o->mss & 0xff;
	}
	if ((o->flags & TCP_OPTF_SACK_PERM) && (o->flags & TCP_OPTF_TS)) {
		*b++ = TCP_OPT_SACK_PERM; /* Linux's SYN layout: sackOK,TS,nop,wscale */
		*b++ = 2;
	} else if (o->flags & TCP_OPTF_TS) {
		*b++ = TCP_OPT_NOP;
		*b++ = TCP_OPT_NOP;
	}
	if (o->flags & TCP_OPTF_TS) {
		*b++ = TCP_OPT_TIMESTAMP;
		*b++ = 10;
		b = put32(b, o->ts_val);
		b = put32(b, o->ts_ecr);
	} else if (o->flags & TCP_OPTF_SACK_PERM) {
		*b++ = TCP_OPT_NOP;
		*b++ = TCP_OPT_NOP;
		*b++ = TCP_OPT_SACK_PERM;
		*b++ = 2;
	}
	if (o->flags & TCP_OPTF_WSCALE) {
		*b++ = TCP_OPT_NOP;
		*b++ = TCP_OPT_WSCALE;
		*b++ = 3;
		*b++ = o->wscale;
	}
	if ((o->flags & TCP_OPTF_SACK) && o->nsack > 0) {
		unsigned room = (TCP_OPT_MAX_LEN - (unsigned)(b - buf) - 4) / 8;
		unsigned n = o->nsack < room ? o->nsack : room;

		if (n > 0) {
			*b++ = TCP_OPT_NOP;
			*b++ = TCP_OPT_NOP;
			*b++ = TCP_OPT_SACK;
			*b++ = 2 + 8 * n;
			for (unsigned i = 0; i < n; i++) {
				b = put32(b, o->sack[i].start);
				b = put32(b, o->sack[i].end);
			}
		}
	}
	return (unsigned)(b - buf);
}
