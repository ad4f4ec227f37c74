/* Frame bytes: RFC 894 Ethernet, RFC 791 IPv4, RFC 9293 §3.1 TCP, RFC 1071 checksums. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define ICMP_LEN 8
#define QUOTE_MAX (576 - IP_LEN - ICMP_LEN) /* RFC 1812 §4.3.2.3 */

const uint8_t tern_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 one's complement sum, folded. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* TCP checksum over the pseudo header (RFC 9293 §3.1) and the segment. */
static uint16_t
tcp_cksum(const uint8_t *ip, const uint8_t *tcp, size_t tcp_len)
{
	uint32_t sum = sum16(ip + 12, 8, 0) + 6 + (uint32_t)tcp_len;

	return fold(sum16(tcp, tcp_len, sum));
}

static void
build_ip_header(uint8_t *ip, size_t total, uint8_t ecn, uint8_t proto, uint32_t src, uint32_t dst)
{
	memset(ip, 0, IP_LEN);
	ip[0] = 0x45;
	ip[1] = ecn & 3;
	put16(ip + 2, (uint16_t)total);
	put16(ip + 6, 0x4000);         /* DF */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(ip, IP_LEN, 0)));
}

static void
build_ip(uint8_t *ip, size_t total, uint8_t ecn)
{
	build_ip_header(ip, total, ecn, 6, PEER_IP, TERN_IP);
}

static void
build_eth(uint8_t *buf)
{
	memcpy(buf, tern_mac, 6);
	memcpy(buf + 6, peer_mac, 6);
	put16(buf + 12, 0x0800);
}

/* The datagram tern sent, as an error quotes it: IPv4 header, 8 bytes, zeros. */
static size_t
build_quote(const struct icmp_in *in, uint8_t *q)
{
	uint32_t l4 = in->quote == ICMP_QUOTE_TCP ? TCP_LEN : 8;
	size_t len = IP_LEN + 8 + in->qlen;

	if (len > QUOTE_MAX)
		len = QUOTE_MAX;
	memset(q, 0, len);
	build_ip_header(q, IP_LEN + l4 + in->qlen, 0, in->quote, TERN_IP, PEER_IP);
	put16(q + IP_LEN, in->qsport);
	put16(q + IP_LEN + 2, in->qdport);
	if (in->quote == ICMP_QUOTE_TCP)
		put32(q + IP_LEN + 4, in->qseq);
	else
		put16(q + IP_LEN + 4, (uint16_t)(8 + in->qlen)); /* UDP length */
	return len;
}

size_t
frame_build_icmp(const struct icmp_in *in, uint8_t *buf)
{
	uint8_t *ip = buf + ETH_LEN, *icmp = ip + IP_LEN;
	size_t body;

	if (in->quote == ICMP_QUOTE_RAW || in->quote == ICMP_QUOTE_NONE) {
		body = in->qlen < QUOTE_MAX ? in->qlen : QUOTE_MAX;
		memset(icmp + ICMP_LEN, 0, body);
	} else {
		body = build_quote(in, icmp + ICMP_LEN);
	}
	build_eth(buf);
	build_ip_header(ip, IP_LEN + ICMP_LEN + body, 0, 1, PEER_IP, TERN_IP);
	icmp[0] = in->type;
	icmp[1] = in->code;
	put16(icmp + 2, 0);
	put32(icmp + 4, in->rest);
	put16(icmp + 2, fold(sum16(icmp, ICMP_LEN + body, 0)));
	return ETH_LEN + IP_LEN + ICMP_LEN + body;
}

size_t
frame_build(const struct frame_in *in, uint8_t *buf)
{
	size_t hlen = TCP_LEN + in->optlen, total = IP_LEN + hlen + in->len;
	uint8_t *ip = buf + ETH_LEN, *tcp = ip + IP_LEN;

	if (ETH_LEN + total > FRAME_MAX || in->optlen % 4 != 0)
		return 0;
	build_eth(buf);
	build_ip(ip, total, in->ecn);
	memset(tcp, 0, TCP_LEN);
	put16(tcp, in->sport);
	put16(tcp + 2, in->dport);
	put32(tcp + 4, in->seq);
	put32(tcp + 8, in->ack);
	tcp[12] = (uint8_t)(hlen / 4) << 4;
	tcp[13] = in->flags;
	put16(tcp + 14, in->win);
	put16(tcp + 18, in->urg);
	memcpy(tcp + TCP_LEN, in->opts, in->optlen);
	if (in->len > 0)
		memcpy(tcp + hlen, in->payload, in->len);
	put16(tcp + 16, tcp_cksum(ip, tcp, hlen + in->len));
	return ETH_LEN + total;
}

static int
parse_tcp(const uint8_t *ip, const uint8_t *tcp, size_t tcp_len, struct wire_seg *s)
{
	unsigned hlen = (tcp[12] >> 4) * 4u;

	if (tcp_len < TCP_LEN || hlen < TCP_LEN || hlen > tcp_len)
		return -1;
	s->sport = get16(tcp);
	s->dport = get16(tcp + 2);
	s->seq = get32(tcp + 4);
	s->ack = get32(tcp + 8);
	s->reserved = tcp[12] & 0x0f;
	s->flags = tcp[13];
	s->win = get16(tcp + 14);
	s->urg = get16(tcp + 18);
	s->optlen = hlen - TCP_LEN;
	memcpy(s->opts, tcp + TCP_LEN, s->optlen);
	s->len = (uint32_t)(tcp_len - hlen);
	s->payload = malloc(s->len ? s->len : 1);
	memcpy(s->payload, tcp + hlen, s->len);
	s->tcp_cksum_ok = tcp_cksum(ip, tcp, tcp_len) == 0;
	return 1;
}

/* An ICMP message: type, code, header bytes 4-7, checksum over the message. */
static int
parse_icmp(const uint8_t *icmp, size_t len, struct wire_seg *s)
{
	if (len < ICMP_LEN)
		return -1;
	s->icmp_type = icmp[0];
	s->icmp_code = icmp[1];
	s->icmp_rest = get32(icmp + 4);
	s->icmp_cksum_ok = fold(sum16(icmp, len, 0)) == 0;
	return 1;
}

int
frame_parse(const uint8_t *buf, size_t len, struct wire_seg *s)
{
	const uint8_t *ip = buf + ETH_LEN;
	size_t ihl, total;

	memset(s, 0, sizeof(*s));
	if (len < ETH_LEN || get16(buf + 12) != 0x0800)
		return 0;
	if (len < ETH_LEN + IP_LEN || (ip[0] >> 4) != 4)
		return -1;
	ihl = (ip[0] & 0x0f) * 4u;
	total = get16(ip + 2);
	if (ihl < IP_LEN || total < ihl || ETH_LEN + total > len)
		return -1;
	if (ip[9] != 6 && ip[9] != 1)
		return 0;
	s->proto = ip[9];
	s->tos = ip[1];
	s->saddr = get32(ip + 12);
	s->daddr = get32(ip + 16);
	s->ip_cksum_ok = fold(sum16(ip, ihl, 0)) == 0;
	if (s->proto == 1)
		return parse_icmp(ip + ihl, total - ihl, s);
	return parse_tcp(ip, ip + ihl, total - ihl, s);
}

void
wire_seg_free(struct wire_seg *s)
{
	free(s->payload);
	s->payload = NULL;
}

static unsigned
opt_encode(const struct opt_spec *o, uint8_t *b)
{
	switch (o->kind) {
	case 0:
	case 1:
		b[0] = o->kind;
		return 1;
	case 2:
		b[0] = 2, b[1] = 4;
		put16(b + 2, o->mss);
		return 4;
	case 3:
		b[0] = 3, b[1] = 3, b[2] = o->wscale;
		return 3;
	case 4:
		b[0] = 4, b[1] = 2;
		return 2;
	case 5:
		b[0] = 5, b[1] = (uint8_t)(2 + 8 * o->nsack);
		for (int i = 0; i < o->nsack; i++) {
			put32(b + 2 + 8 * i, o->sack[i][0]);
			put32(b + 6 + 8 * i, o->sack[i][1]);
		}
		return b[1];
	case 8:
		b[0] = 8, b[1] = 10;
		put32(b + 2, o->ts_val);
		put32(b + 6, o->ts_ecr);
		return 10;
	default:
		return 0;
	}
}

unsigned
opts_encode(const struct opt_spec *o, int n, uint8_t *buf)
{
	uint8_t tmp[64];
	unsigned len = 0;

	for (int i = 0; i < n && len < TCP_OPTS_MAX; i++)
		len += opt_encode(&o[i], tmp + len);
	while (len % 4 != 0)
		tmp[len++] = 0;
	if (len > TCP_OPTS_MAX)
		len = TCP_OPTS_MAX;
	memcpy(buf, tmp, len);
	return len;
}

static int
opt_decode(const uint8_t *b, unsigned olen, struct opt_spec *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = b[0];
	if (o->kind == 2 && olen == 4)
		o->mss = get16(b + 2);
	else if (o->kind == 3 && olen == 3)
		o->wscale = b[2];
	else if (o->kind == 5 && olen >= 10 && (olen - 2) % 8 == 0 && olen <= 2 + 8 * SPEC_MAX_SACK) {
		o->nsack = (uint8_t)((olen - 2) / 8);
		for (int i = 0; i < o->nsack; i++) {
			o->sack[i][0] = get32(b + 2 + 8 * i);
			o->sack[i][1] = get32(b + 6 + 8 * i);
		}
	} else if (o->kind == 8 && olen == 10) {
		o->ts_val = get32(b + 2);
		o->ts_ecr = get32(b + 6);
	} else if (!(o->kind == 4 && olen == 2))
		return -1;
	return 0;
}

int
opts_decode(const uint8_t *b, unsigned len, struct opt_spec *o, int max)
{
	int n = 0;

	for (unsigned i = 0; i < len && n < max;) {
		if (b[i] == 0 || b[i] == 1) {
			memset(&o[n], 0, sizeof(o[n]));
			o[n++].kind = b[i];
			if (b[i++] == 0)
				break; /* EOL: the rest is padding */
			continue;
		}
		if (i + 1 >= len || b[i + 1] < 2 || i + b[i + 1] > len)
			return -1;
		if (opt_decode(b + i, b[i + 1], &o[n++]) != 0)
			return -1;
		i += b[i + 1];
	}
	return n;
}
