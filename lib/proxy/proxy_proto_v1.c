/*
 * PROXY protocol version 1, the text line (spec §2.1):
 *
 *   "PROXY" SP ( "TCP4" SP ip4 SP ip4 SP port SP port
 *              | "TCP6" SP ip6 SP ip6 SP port SP port
 *              | "UNKNOWN" [ SP <anything but CR and LF> ] ) CRLF
 *
 * at most 107 bytes with the CRLF. The line is checked as it arrives: a
 * byte that cannot continue a valid line is an error at once (IPv6
 * addresses are checked only by character and length until complete);
 * running out of bytes in a valid state means "need more" (0), unless 107
 * bytes are already there, which means the CRLF will come too late.
 * Fields are decoded only once their delimiter has arrived.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "proxy_proto_internal.h"

#define IP4_MAX 15              /* "255.255.255.255" */
#define IP6_MAX 45              /* INET6_ADDRSTRLEN - 1: hex groups with a dotted tail */
#define PORT_MAX 5              /* "65535" */

enum word { W_TCP4, W_TCP6, W_UNKNOWN, W_COUNT };
static const char *const words[W_COUNT] = { "TCP4", "TCP6", "UNKNOWN" };

struct cur {
	const uint8_t *p;
	size_t pos;
	size_t end;             /* min(len, 107): bytes of the line we may look at */
	int capped;             /* len reached 107: running out means too long */
};

/* Out of bytes in a valid state. */
static int
need(const struct cur *c)
{
	return c->capped ? PP_ERR_V1_TOO_LONG : 0;
}

/* Consumes one expected byte; err when another byte is there. */
static int
expect(struct cur *c, uint8_t ch, int err)
{
	if (c->pos == c->end)
		return need(c);
	if (c->p[c->pos] != ch)
		return err;
	c->pos++;
	return 1;
}

/* §2.1: the line ends with CRLF exactly; a lone CR or LF is an error. */
static int
crlf(struct cur *c)
{
	if (c->pos < c->end && c->p[c->pos] == '\n')
		return PP_ERR_V1_CRLF;
	int r = expect(c, '\r', PP_ERR_V1_SYNTAX);

	return r <= 0 ? r : expect(c, '\n', PP_ERR_V1_CRLF);
}

static int
is_delim(uint8_t ch)
{
	return ch == ' ' || ch == '\r' || ch == '\n';
}

static int
ip4_char(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || ch == '.';
}

static int
ip6_char(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F') || ch == ':' || ch == '.';
}

static int
port_char(uint8_t ch)
{
	return ch >= '0' && ch <= '9';
}

/*
 * A decimal number at s[*i..n) up to max (max < 100000). §2.1: no heading
 * zeroes, so "0" is the only number that starts with '0'.
 */
static int
decimal(const uint8_t *s, size_t n, size_t *i, uint32_t max, uint32_t *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < n && *i - start < 5 && s[*i] >= '0' && s[*i] <= '9')
		*v = *v * 10 + (uint32_t)(s[(*i)++] - '0');
	if (*i == start || *v > max)
		return 0;
	return !(s[start] == '0' && *i - start > 1);
}

/*
 * §2.1: four decimal numbers 0..255 separated by single dots. Returns how
 * many numbers s[0..n) holds (4 for an address), or -1 when no more bytes
 * can make it one.
 */
static int
ip4_scan(const uint8_t *s, size_t n, rte_be32_t *out)
{
	uint32_t addr = 0, v;
	size_t i = 0;
	int parts = 0;

	while (i < n) {
		if (!decimal(s, n, &i, 255, &v))
			return -1;
		addr = addr << 8 | v;
		parts++;
		if (i < n && (s[i++] != '.' || parts == 4))
			return -1;
	}
	if (parts == 4)
		*out = rte_cpu_to_be_32(addr);
	return parts;
}

static int
ip4_prefix(const uint8_t *s, size_t n)
{
	rte_be32_t unused;

	return ip4_scan(s, n, &unused) >= 0;
}

/* §2.1: a port in [0..65535] without heading zeroes. */
static int
port_scan(const uint8_t *s, size_t n, uint32_t *v)
{
	size_t i = 0;

	return decimal(s, n, &i, UINT16_MAX, v) && i == n;
}

static int
port_prefix(const uint8_t *s, size_t n)
{
	uint32_t v;

	return n == 0 || port_scan(s, n, &v);
}

/* A field's bytes, length, and what its beginning may look like. */
struct field_kind {
	size_t max;
	int (*byte_ok)(uint8_t);
	int (*prefix_ok)(const uint8_t *, size_t);      /* NULL: any bytes of byte_ok */
	int err;
};

static const struct field_kind F_IP4 = { IP4_MAX, ip4_char, ip4_prefix, PP_ERR_V1_ADDRESS };
static const struct field_kind F_IP6 = { IP6_MAX, ip6_char, NULL, PP_ERR_V1_ADDRESS };
static const struct field_kind F_PORT = { PORT_MAX, port_char, port_prefix, PP_ERR_V1_PORT };

/*
 * A field up to the next SP, CR or LF (not consumed), at least one byte.
 * When the bytes run out inside it, what has come must still be able to
 * begin a valid field. On success its bytes are p[*start .. c->pos).
 */
static int
field(struct cur *c, const struct field_kind *k, size_t *start)
{
	*start = c->pos;
	for (;;) {
		if (c->pos == c->end) {
			if (k->prefix_ok && !k->prefix_ok(c->p + *start, c->pos - *start))
				return k->err;
			return need(c);
		}
		uint8_t ch = c->p[c->pos];

		if (is_delim(ch))
			break;
		if (!k->byte_ok(ch) || c->pos - *start == k->max)
			return k->err;
		c->pos++;
	}
	return c->pos > *start ? 1 : k->err;
}

/* §2.1: hex groups (1 to 4 digits, either case), one "::" at most, 128 bits. */
static int
ip6_text(const uint8_t *s, size_t n, uint8_t out[16])
{
	char str[IP6_MAX + 1];

	memcpy(str, s, n);
	str[n] = '\0';
	return inet_pton(AF_INET6, str, out) == 1;
}

/* An address of the family announced by the protocol word. */
static int
address(struct cur *c, enum word w, union pp_addr *a)
{
	size_t start;
	int r = field(c, w == W_TCP6 ? &F_IP6 : &F_IP4, &start);

	if (r <= 0)
		return r;
	if (w == W_TCP6)
		r = ip6_text(c->p + start, c->pos - start, a->v6);
	else
		r = ip4_scan(c->p + start, c->pos - start, &a->v4) == 4;
	return r ? 1 : PP_ERR_V1_ADDRESS;
}

static int
port(struct cur *c, rte_be16_t *out)
{
	size_t start;
	uint32_t v;
	int r = field(c, &F_PORT, &start);

	if (r <= 0)
		return r;
	if (!port_scan(c->p + start, c->pos - start, &v))
		return PP_ERR_V1_PORT;
	*out = rte_cpu_to_be_16((uint16_t)v);
	return 1;
}

/* Is p[0..n) the beginning of a protocol word? Rejects "tcp4" at its 't'. */
static int
word_prefix(const uint8_t *p, size_t n)
{
	for (int w = 0; w < W_COUNT; w++)
		if (n <= strlen(words[w]) && memcmp(p, words[w], n) == 0)
			return 1;
	return 0;
}

/* The protocol word, checked byte by byte, then matched whole. */
static int
proto_word(struct cur *c, enum word *w)
{
	size_t start = c->pos;

	for (;;) {
		if (c->pos == c->end)
			return need(c);
		if (is_delim(c->p[c->pos]))
			break;
		if (!word_prefix(c->p + start, c->pos - start + 1))
			return PP_ERR_V1_SYNTAX;
		c->pos++;
	}
	for (int i = 0; i < W_COUNT; i++) {
		if (c->pos - start == strlen(words[i]) &&
		    memcmp(c->p + start, words[i], c->pos - start) == 0) {
			*w = (enum word)i;
			return 1;
		}
	}
	return PP_ERR_V1_SYNTAX;
}

/* §2.1: after "UNKNOWN" the receiver ignores anything up to the CRLF. */
static int
unknown_tail(struct cur *c)
{
	if (c->pos < c->end && c->p[c->pos] == ' ') {
		c->pos++;
		while (c->pos < c->end && c->p[c->pos] != '\r' && c->p[c->pos] != '\n')
			c->pos++;
	}
	return crlf(c);
}

#define TRY(x) do { int r_ = (x); if (r_ <= 0) return r_; } while (0)

/* The fields after "TCP4" or "TCP6", each preceded by exactly one space. */
static int
tcp_fields(struct cur *c, enum word w, struct pp_header *h)
{
	TRY(expect(c, ' ', PP_ERR_V1_SYNTAX));
	TRY(address(c, w, &h->src));
	TRY(expect(c, ' ', PP_ERR_V1_SYNTAX));
	TRY(address(c, w, &h->dst));
	TRY(expect(c, ' ', PP_ERR_V1_SYNTAX));
	TRY(port(c, &h->src_port));
	TRY(expect(c, ' ', PP_ERR_V1_SYNTAX));
	TRY(port(c, &h->dst_port));
	return crlf(c);
}

int
pp_parse_v1(const uint8_t *buf, size_t len, struct pp_header *out)
{
	struct cur c = {
		.p = buf, .pos = PP_V1_SIG_LEN,
		.end = len < PP_V1_MAX_LINE ? len : PP_V1_MAX_LINE,
		.capped = len >= PP_V1_MAX_LINE,
	};
	struct pp_header h = { .version = 1, .command = PP_CMD_PROXY };
	enum word w;

	TRY(pp_sig_prefix(buf, len, PP_V1_SIG, PP_V1_SIG_LEN));
	TRY(expect(&c, ' ', PP_ERR_V1_SYNTAX));
	TRY(proto_word(&c, &w));
	if (w == W_UNKNOWN) {
		TRY(unknown_tail(&c));
	} else {
		TRY(tcp_fields(&c, w, &h));
		h.family = w == W_TCP4 ? PP_FAM_INET : PP_FAM_INET6;
	}
	*out = h;
	return (int)c.pos;
}

/* "PROXY TCP4 a.b.c.d a.b.c.d sport dport\r\n" or its TCP6 form. */
static int
format_tcp(char *line, size_t size, const struct pp_header *h)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = h->family == PP_FAM_INET ? AF_INET : AF_INET6;

	if (inet_ntop(af, &h->src, src, sizeof(src)) == NULL ||
	    inet_ntop(af, &h->dst, dst, sizeof(dst)) == NULL)
		return -1;
	return snprintf(line, size, "PROXY %s %s %s %u %u\r\n",
			af == AF_INET ? "TCP4" : "TCP6", src, dst,
			rte_be_to_cpu_16(h->src_port), rte_be_to_cpu_16(h->dst_port));
}

int
pp_build_v1(char *buf, size_t cap, const struct pp_header *h)
{
	char line[PP_V1_MAX_LINE + 1];
	int n;

	if (buf == NULL || h == NULL || h->command > PP_CMD_PROXY || h->family > PP_FAM_INET6)
		return -1;
	/* v1 has no LOCAL: §2.1 has UNKNOWN for "use the real endpoints". */
	if (h->command == PP_CMD_LOCAL || h->family == PP_FAM_UNSPEC)
		n = snprintf(line, sizeof(line), "PROXY UNKNOWN\r\n");
	else
		n = format_tcp(line, sizeof(line), h);
	if (n < 0 || (size_t)n >= sizeof(line) || (size_t)n > cap)
		return -1;
	memcpy(buf, line, (size_t)n);
	return n;
}
