/*
 * Packet lines (Syntax.md rules 29-80): direction, optional [ecn], optional
 * "sport>dport", flags, start:end(len), ack, win, urg, options; ICMP lines
 * (type, code, mtu, id, the quoted datagram in brackets, before "icmp" as in
 * packetdrill's first grammar or after it as in its current one). UDP and
 * encapsulated packets are kept as text and reported as unsupported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"

/* TCP header flag bits, RFC 9293 §3.1 (and RFC 3168 for E, W). */
static const struct {
	char c;
	uint8_t bit;
} flag_chars[] = {
	{ 'F', 0x01 }, { 'S', 0x02 }, { 'R', 0x04 }, { 'P', 0x08 },
	{ '.', 0x10 }, { 'U', 0x20 }, { 'E', 0x40 }, { 'W', 0x80 },
};

static int
flag_bits(const char *s, uint8_t *out)
{
	for (; *s; s++) {
		unsigned i;

		for (i = 0; i < sizeof(flag_chars) / sizeof(flag_chars[0]); i++)
			if (flag_chars[i].c == *s)
				break;
		if (i == sizeof(flag_chars) / sizeof(flag_chars[0]))
			return -1;
		*out |= flag_chars[i].bit;
	}
	return 0;
}

/* flags: WORD ['.'] | '.' | '-' (rule 52-55) */
static int
parse_flags(struct parser *p, uint8_t *flags)
{
	struct token *t = p_cur(p);

	*flags = 0;
	if (p_is_punct(t, '-')) {
		p_next(p);
		return 0;
	}
	if (t->kind == TK_WORD) {
		if (flag_bits(t->text, flags) != 0)
			return p_error(p, t->line, "bad TCP flags '%s'", t->text);
		p_next(p);
		t = p_cur(p);
		if (!p_is_punct(t, '.'))
			return 0;
	}
	if (!p_is_punct(t, '.'))
		return p_expected(p, "TCP flags");
	*flags |= 0x10;
	p_next(p);
	return 0;
}

/* seq: INTEGER ':' INTEGER '(' INTEGER ')' (rule 56) */
static int
parse_seq(struct parser *p, struct pkt_spec *ps)
{
	int64_t start, end, len;
	int line = p_cur(p)->line;

	if (p_int(p, "start sequence number", &start) != 0 || p_punct(p, ':') != 0 ||
	    p_int(p, "end sequence number", &end) != 0 || p_punct(p, '(') != 0 ||
	    p_int(p, "payload length", &len) != 0 || p_punct(p, ')') != 0)
		return -1;
	if (start < 0 || start > UINT32_MAX || end < 0 || end > UINT32_MAX || len < 0 || len > 65535)
		return p_error(p, line, "sequence numbers or length out of range");
	if ((uint32_t)(start + len) != (uint32_t)end)
		return p_error(p, line, "inconsistent TCP sequence numbers and payload size");
	ps->seq = (uint32_t)start;
	ps->len = (uint32_t)len;
	return 0;
}

static int
parse_u32(struct parser *p, const char *what, uint32_t *v)
{
	int64_t x;

	if (p_int(p, what, &x) != 0)
		return -1;
	if (x < 0 || x > UINT32_MAX)
		return p_error(p, p_cur(p)->line, "%s out of range", what);
	*v = (uint32_t)x;
	return 0;
}

static int
parse_sack_blocks(struct parser *p, struct opt_spec *o)
{
	while (p_cur(p)->kind == TK_INT) {
		if (o->nsack == SPEC_MAX_SACK)
			return p_error(p, p_cur(p)->line, "too many SACK blocks");
		if (parse_u32(p, "SACK left edge", &o->sack[o->nsack][0]) != 0 ||
		    p_punct(p, ':') != 0 ||
		    parse_u32(p, "SACK right edge", &o->sack[o->nsack][1]) != 0)
			return -1;
		o->nsack++;
	}
	return o->nsack > 0 ? 0 : p_expected(p, "a SACK block");
}

static int
parse_ts(struct parser *p, struct opt_spec *o)
{
	if (!p_is_word(p_cur(p), "val"))
		return p_expected(p, "'val'");
	p_next(p);
	if (parse_u32(p, "TS val", &o->ts_val) != 0)
		return -1;
	if (!p_is_word(p_cur(p), "ecr"))
		return p_expected(p, "'ecr'");
	p_next(p);
	return parse_u32(p, "TS ecr", &o->ts_ecr);
}

/* tcp_option (rules 70-77) */
static int
parse_option(struct parser *p, struct opt_spec *o)
{
	struct token *t = p_next(p);
	uint32_t v = 0;

	memset(o, 0, sizeof(*o));
	if (p_is_word(t, "nop"))
		o->kind = 1;
	else if (p_is_word(t, "eol"))
		o->kind = 0;
	else if (p_is_word(t, "sackOK"))
		o->kind = 4;
	else if (p_is_word(t, "mss")) {
		o->kind = 2;
		if (parse_u32(p, "mss", &v) != 0)
			return -1;
		o->mss = (uint16_t)v;
	} else if (p_is_word(t, "wscale")) {
		o->kind = 3;
		if (parse_u32(p, "wscale", &v) != 0)
			return -1;
		o->wscale = (uint8_t)v;
	} else if (p_is_word(t, "sack")) {
		o->kind = 5;
		return parse_sack_blocks(p, o);
	} else if (p_is_word(t, "TS")) {
		o->kind = 8;
		return parse_ts(p, o);
	} else {
		return p_error(p, t->line, "unsupported TCP option '%s'", t->text);
	}
	return 0;
}

/* opt_tcp_options: '<' list '>' | '<' ELLIPSIS '>' (rules 61-65) */
static int
parse_options(struct parser *p, struct pkt_spec *ps)
{
	p_next(p); /* '<' */
	if (p_cur(p)->kind == TK_ELLIPSIS) {
		p_next(p);
		ps->opts_any = 1;
		return p_punct(p, '>');
	}
	for (;;) {
		if (ps->nopts == SPEC_MAX_OPTS)
			return p_error(p, p_cur(p)->line, "option list too long");
		if (parse_option(p, &ps->opts[ps->nopts++]) != 0)
			return -1;
		if (!p_is_punct(p_cur(p), ','))
			break;
		p_next(p);
	}
	return p_punct(p, '>');
}

/* ack N, win N, urg N in any order, then the option list. */
static int
parse_tail(struct parser *p, struct pkt_spec *ps)
{
	uint32_t v = 0;

	for (;;) {
		struct token *t = p_cur(p);

		if (p_is_word(t, "ack")) {
			p_next(p);
			if (parse_u32(p, "ack", &ps->ack) != 0)
				return -1;
			ps->has_ack = 1;
		} else if (p_is_word(t, "win")) {
			p_next(p);
			if (parse_u32(p, "win", &v) != 0)
				return -1;
			if (v > 65535)
				return p_error(p, t->line, "TCP window value out of range");
			ps->win = (uint16_t)v;
			ps->has_win = 1;
		} else if (p_is_word(t, "urg")) {
			p_next(p);
			if (parse_u32(p, "urg", &v) != 0)
				return -1;
			ps->urg = (uint16_t)v;
		} else {
			break;
		}
	}
	if (p_is_punct(p_cur(p), '<'))
		return parse_options(p, ps);
	return 0;
}

static const char *const ecn_words[] = {
	[ECN_NOECN] = "noecn", [ECN_ECT0] = "ect0", [ECN_ECT1] = "ect1",
	[ECN_CE] = "ce", [ECN_ECT01] = "ect01",
};

/* opt_ip_info: '[' ecn ']' (rule 45-51); tos, ttl and flowlabel are not checked. */
static int
parse_ip_info(struct parser *p, struct pkt_spec *ps)
{
	char close = p_is_punct(p_cur(p), '[') ? ']' : ')';

	p_next(p);
	while (!p_is_punct(p_cur(p), close)) {
		struct token *t = p_next(p);

		if (t->kind == TK_EOF)
			return p_expected(p, "the end of the IP information");
		for (int i = ECN_NOECN; i <= ECN_ECT01; i++)
			if (p_is_word(t, ecn_words[i]))
				ps->ecn = i;
	}
	p_next(p);
	return 0;
}

/* "[1:101(100)]", "[udp (8)]", "[raw (56)]": what an ICMP line quotes. */
static int
is_icmp_quote(struct parser *p)
{
	const struct token *t = p_look(p, 1);

	return p_is_punct(p_cur(p), '[') &&
	       (t->kind == TK_INT || p_is_word(t, "udp") || p_is_word(t, "raw"));
}

static int
parse_icmp_quote(struct parser *p, struct icmp_spec *c)
{
	struct pkt_spec range = { 0 };
	int64_t n;

	p_next(p); /* '[' */
	if (p_cur(p)->kind == TK_INT) {
		if (parse_seq(p, &range) != 0)
			return -1;
		c->quote = ICMP_QUOTE_TCP;
		c->quote_seq = range.seq;
		c->quote_len = range.len;
		return p_punct(p, ']');
	}
	c->quote = p_is_word(p_next(p), "udp") ? ICMP_QUOTE_UDP : ICMP_QUOTE_RAW;
	if (p_punct(p, '(') != 0 || p_int(p, "length", &n) != 0 || p_punct(p, ')') != 0)
		return -1;
	if (n < 0 || n > 65535)
		return p_error(p, p_cur(p)->line, "quoted length out of range");
	c->quote_len = (uint32_t)n;
	return p_punct(p, ']');
}

/* "mtu N" or "id N" after the type and code. */
static int
parse_icmp_number(struct parser *p, int32_t *v)
{
	int64_t n;

	p_next(p);
	if (p_int(p, "a number", &n) != 0)
		return -1;
	if (n < 0 || n > 65535)
		return p_error(p, p_cur(p)->line, "ICMP value out of 16-bit range");
	*v = (int32_t)n;
	return 0;
}

/* icmp_packet_spec: ICMP icmp_type opt_icmp_code opt_icmp_mtu opt_icmp_echo_id opt_icmp_echoed */
static int
parse_icmp(struct parser *p, struct pkt_spec *ps, int line)
{
	struct icmp_spec *c = &ps->ic;
	struct token *t;
	int v;

	ps->icmp = 1;
	c->mtu = c->id = -1;
	p_next(p); /* "icmp" */
	t = p_next(p);
	if (t->kind != TK_WORD || (v = icmp_type_parse(t->text)) < 0)
		return p_error(p, t->line, "bad ICMP type '%s'", t->text);
	c->type = (uint8_t)v;
	t = p_cur(p);
	if (t->kind == TK_WORD && t->line == line && !p_is_word(t, "mtu") && !p_is_word(t, "id")) {
		if ((v = icmp_code_parse(c->type, t->text)) < 0)
			return p_error(p, t->line, "bad ICMP code '%s'", t->text);
		c->code = (uint8_t)v;
		p_next(p);
	}
	if (p_is_word(p_cur(p), "mtu") && parse_icmp_number(p, &c->mtu) != 0)
		return -1;
	if (c->mtu >= 0 && (c->type != 3 || c->code != 4))
		return p_error(p, line, "an ICMP MTU is only valid for unreachable frag_needed");
	if (p_is_word(p_cur(p), "id") && parse_icmp_number(p, &c->id) != 0)
		return -1;
	if (c->quote == ICMP_QUOTE_NONE && is_icmp_quote(p))
		return parse_icmp_quote(p, c);
	return 0;
}

static int
is_other_protocol(const struct token *t)
{
	static const char *const words[] = { "udp", "ipv4", "ipv6", "gre", "GREv0", "mpls" };

	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (p_is_word(t, words[i]))
			return 1;
	return 0;
}

/* The rest of the line, kept as text for a note. */
static void
rest_of_line(struct parser *p, int line, char **text)
{
	char buf[256];
	size_t used = 0;

	buf[0] = '\0';
	while (p_cur(p)->kind != TK_EOF && p_cur(p)->line == line) {
		struct token *t = p_next(p);

		if (used < sizeof(buf))
			used += snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? " " : "", t->text);
	}
	*text = strdup(buf);
}

static int
parse_ports(struct parser *p, struct pkt_spec *ps)
{
	int64_t s, d;

	if (p_int(p, "source port", &s) != 0 || p_punct(p, '>') != 0 ||
	    p_int(p, "destination port", &d) != 0)
		return -1;
	if (s <= 0 || s > 65535 || d <= 0 || d > 65535)
		return p_error(p, p_cur(p)->line, "port out of range");
	ps->sport = (uint16_t)s;
	ps->dport = (uint16_t)d;
	return 0;
}

int
parse_packet(struct parser *p, struct event *e)
{
	struct pkt_spec *ps = &e->pkt;

	e->kind = EV_PACKET;
	ps->dir = p_next(p)->punct;
	if (is_icmp_quote(p) && parse_icmp_quote(p, &ps->ic) != 0)
		return -1;
	if (p_is_punct(p_cur(p), '[') || p_is_punct(p_cur(p), '('))
		if (parse_ip_info(p, ps) != 0)
			return -1;
	if (p_is_word(p_cur(p), "icmp"))
		return parse_icmp(p, ps, e->line);
	if (ps->ic.quote != ICMP_QUOTE_NONE)
		return p_expected(p, "'icmp' after a quoted datagram");
	if (is_other_protocol(p_cur(p))) {
		e->kind = EV_OTHER_PACKET;
		rest_of_line(p, p_cur(p)->line, &e->text);
		return 0;
	}
	if (p_cur(p)->kind == TK_INT && p_is_punct(p_look(p, 1), '>'))
		if (parse_ports(p, ps) != 0)
			return -1;
	if (parse_flags(p, &ps->flags) != 0 || parse_seq(p, ps) != 0 || parse_tail(p, ps) != 0)
		return -1;
	if (ps->dir == '<' && ps->opts_any)
		return p_error(p, e->line, "<...> for TCP options can only be used with outbound packets");
	if (ps->dir == '<' && !ps->has_win)
		return p_error(p, e->line, "an inbound packet needs a window (win N)");
	return 0;
}
