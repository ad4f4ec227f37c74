#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"
#include "stream.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_CWR 0x80
#define IP_ICMP 1

static enum fail_kind
why_fail(enum fail_kind k, char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum fail_kind
why_fail(enum fail_kind k, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return k;
}

static enum fail_kind
compare_header(const struct flow *f, const struct pkt_opts *o, const struct pkt_spec *e,
	       const struct wire_seg *s, char *why, size_t len)
{
	uint8_t mask = o->relax_psh ? (uint8_t)~F_PSH : 0xff;
	uint32_t seq = flow_local_to_script(f, s->seq);

	if ((e->flags & mask) != (s->flags & mask))
		return why_fail(F_FLAGS, why, len, "flags: expected 0x%02x, got 0x%02x", e->flags,
				s->flags);
	if (s->reserved != 0 || s->urg != e->urg)
		return why_fail(F_FLAGS, why, len, "reserved bits 0x%x, urgent pointer %u",
				s->reserved, s->urg);
	if (seq != e->seq)
		return why_fail(F_SEQ, why, len, "seq: expected %u, got %u", e->seq, seq);
	if (s->len != e->len)
		return why_fail(F_LENGTH, why, len, "payload: expected %u bytes, got %u", e->len,
				s->len);
	if (s->ack != e->ack)
		return why_fail(F_ACK, why, len, "ack: expected %u, got %u", e->ack, s->ack);
	if (e->has_win && s->win != e->win)
		return why_fail(F_WIN, why, len, "win: expected %u, got %u", e->win, s->win);
	return F_NONE;
}

/* [noecn]=0, [ect1]=1, [ect0]=2, [ce]=3 (RFC 3168 §5); [ect01] is either ECT. */
static enum fail_kind
compare_ecn(const struct pkt_spec *e, const struct wire_seg *s, char *why, size_t len)
{
	static const int code[] = { [ECN_NOECN] = 0, [ECN_ECT0] = 2, [ECN_ECT1] = 1, [ECN_CE] = 3 };
	int got = s->tos & 3;

	if (e->ecn == ECN_ANY)
		return F_NONE;
	if (e->ecn == ECN_ECT01 ? (got == 1 || got == 2) : got == code[e->ecn])
		return F_NONE;
	return why_fail(F_ECN, why, len, "IP ECN field %d is not what the line asks", got);
}

static enum fail_kind
compare_ts(const struct flow *f, const struct pkt_opts *o, const struct opt_spec *e,
	   const struct opt_spec *a, char *why, size_t len)
{
	uint32_t val = flow_ts_to_script(f, a->ts_val);
	int64_t off = (int64_t)(int32_t)(val - e->ts_val);

	if (o->tcp_ts_tick_usecs && llabs(off) * o->tcp_ts_tick_usecs > (uint64_t)o->tolerance_usecs)
		return why_fail(F_OPTIONS, why, len, "TS val: expected %u, got %u", e->ts_val, val);
	if (o->ts_ecr_check && a->ts_ecr != e->ts_ecr)
		return why_fail(F_OPTIONS, why, len, "TS ecr: expected %u, got %u", e->ts_ecr,
				a->ts_ecr);
	return F_NONE;
}

static enum fail_kind
compare_option(const struct flow *f, const struct pkt_opts *o, const struct opt_spec *e,
	       const struct opt_spec *a, char *why, size_t len)
{
	if (e->kind != a->kind)
		return why_fail(F_OPTIONS, why, len, "option kind %u where the line has %u", a->kind,
				e->kind);
	switch (e->kind) {
	case 2:
		if (e->mss == a->mss)
			return F_NONE;
		return why_fail(F_OPTIONS, why, len, "mss: expected %u, got %u", e->mss, a->mss);
	case 3:
		if (e->wscale == a->wscale)
			return F_NONE;
		return why_fail(F_OPTIONS, why, len, "wscale: expected %u, got %u", e->wscale,
				a->wscale);
	case 5:
		if (e->nsack == a->nsack && memcmp(e->sack, a->sack, sizeof(e->sack[0]) * e->nsack) == 0)
			return F_NONE;
		return why_fail(F_OPTIONS, why, len, "SACK blocks differ");
	case 8:
		return compare_ts(f, o, e, a, why, len);
	default:
		return F_NONE;
	}
}

static enum fail_kind
compare_options(const struct flow *f, const struct pkt_opts *o, const struct pkt_spec *e,
		const struct wire_seg *s, char *why, size_t len)
{
	struct opt_spec a[TCP_OPTS_MAX];
	int n;

	if (e->opts_any)
		return F_NONE;
	if ((n = opts_decode(s->opts, s->optlen, a, TCP_OPTS_MAX)) < 0)
		return why_fail(F_OPTIONS, why, len, "malformed option list");
	if (n != e->nopts)
		return why_fail(F_OPTIONS, why, len, "%d options where the line has %d", n, e->nopts);
	for (int i = 0; i < n; i++) {
		enum fail_kind k = compare_option(f, o, &e->opts[i], &a[i], why, len);

		if (k != F_NONE)
			return k;
	}
	return F_NONE;
}

/* Bytes on the wire are the bytes the app wrote at that stream offset. */
static enum fail_kind
compare_payload(const struct flow *f, const struct wire_seg *s, char *why, size_t len)
{
	uint64_t off;

	if (s->len == 0 || !f->have_local_isn)
		return F_NONE;
	off = flow_out_offset(f, s->seq);
	for (uint32_t i = 0; i < s->len; i++)
		if (s->payload[i] != stream_out_byte(off + i))
			return why_fail(F_PAYLOAD, why, len,
					"byte %u (stream offset %llu) is not what the app wrote there",
					i, (unsigned long long)(off + i));
	return F_NONE;
}

/* packetdrill's verify_icmpv4: type and code; and the MTU when the line gives one. */
static enum fail_kind
compare_icmp(const struct pkt_spec *exp, const struct wire_seg *seg, char *why, size_t len)
{
	const struct icmp_spec *c = &exp->ic;

	if (seg->proto != IP_ICMP)
		return why_fail(F_UNEXPECTED, why, len, "a TCP segment where the line has ICMP");
	if (seg->saddr != TERN_IP || seg->daddr != PEER_IP)
		return why_fail(F_UNEXPECTED, why, len, "an ICMP message to another host");
	if (!seg->ip_cksum_ok || !seg->icmp_cksum_ok)
		return why_fail(F_CHECKSUM, why, len, "bad %s checksum",
				seg->ip_cksum_ok ? "ICMP" : "IP");
	if (seg->icmp_type != c->type || seg->icmp_code != c->code)
		return why_fail(F_ICMP, why, len, "ICMP type %u code %u, expected type %u code %u",
				seg->icmp_type, seg->icmp_code, c->type, c->code);
	if (c->mtu >= 0 && (seg->icmp_rest & 0xffff) != (uint32_t)c->mtu)
		return why_fail(F_ICMP, why, len, "next-hop MTU %u, expected %d",
				seg->icmp_rest & 0xffff, c->mtu);
	return F_NONE;
}

enum fail_kind
seg_compare(const struct flow *f, const struct pkt_opts *o, const struct pkt_spec *exp,
	    const struct wire_seg *seg, char *why, size_t len)
{
	enum fail_kind k;

	if (exp->icmp)
		return compare_icmp(exp, seg, why, len);
	if (seg->proto == IP_ICMP)
		return why_fail(F_UNEXPECTED, why, len, "an ICMP message (type %u code %u)",
				seg->icmp_type, seg->icmp_code);
	if (seg->saddr != TERN_IP || seg->daddr != PEER_IP || seg->dport != f->rport ||
	    (f->lport != 0 && seg->sport != f->lport))
		return why_fail(F_UNEXPECTED, why, len, "segment of another connection (%u > %u)",
				seg->sport, seg->dport);
	if (!seg->ip_cksum_ok || !seg->tcp_cksum_ok)
		return why_fail(F_CHECKSUM, why, len, "bad %s checksum",
				seg->ip_cksum_ok ? "TCP" : "IP");
	if ((k = compare_header(f, o, exp, seg, why, len)) != F_NONE ||
	    (k = compare_ecn(exp, seg, why, len)) != F_NONE ||
	    (k = compare_options(f, o, exp, seg, why, len)) != F_NONE)
		return k;
	return compare_payload(f, seg, why, len);
}

int
tso_first_piece(const struct flow *f, const struct pkt_spec *exp, const struct wire_seg *seg)
{
	return f->have_local_isn && !(exp->flags & F_SYN) && !(seg->flags & F_SYN) &&
	       seg->len > 0 && seg->len < exp->len && flow_local_to_script(f, seg->seq) == exp->seq;
}

void
tso_piece(const struct pkt_spec *exp, uint32_t done, uint32_t seg_len, struct pkt_spec *piece)
{
	uint32_t left = exp->len - done;

	*piece = *exp;
	piece->seq = exp->seq + done;
	piece->len = seg_len < left ? seg_len : left;
	if (seg_len < left)
		piece->flags &= (uint8_t)~(F_PSH | F_FIN);
	if (done > 0)
		piece->flags &= (uint8_t)~F_CWR;
}

static void
icmp_seg_format(const struct wire_seg *s, char *buf, size_t len)
{
	struct pkt_spec p = { .dir = '>', .icmp = 1 };

	p.ic.type = s->icmp_type;
	p.ic.code = s->icmp_code;
	p.ic.mtu = s->icmp_type == 3 && s->icmp_code == 4 ? (int32_t)(s->icmp_rest & 0xffff) : -1;
	p.ic.id = -1;
	pkt_spec_format(&p, buf, len);
}

void
seg_format(const struct flow *f, const struct wire_seg *s, char *buf, size_t len)
{
	struct pkt_spec p = {
		.dir = '>', .flags = s->flags, .seq = flow_local_to_script(f, s->seq), .len = s->len,
		.ack = s->ack, .has_ack = (s->flags & 0x10) || s->ack != 0, .has_win = 1, .win = s->win,
	};
	int n;

	if (s->proto == IP_ICMP) {
		icmp_seg_format(s, buf, len);
		return;
	}
	n = opts_decode(s->opts, s->optlen, p.opts, SPEC_MAX_OPTS);
	p.nopts = n > 0 ? n : 0;
	for (int i = 0; i < p.nopts; i++)
		if (p.opts[i].kind == 8)
			p.opts[i].ts_val = flow_ts_to_script(f, p.opts[i].ts_val);
	pkt_spec_format(&p, buf, len);
}
