/* Freeing and printing the script model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"
#include "script.h"

void
script_free(struct script *s)
{
	for (int i = 0; i < s->nevents; i++) {
		struct event *e = &s->events[i];

		free(e->text);
		free(e->sys.name);
		free(e->sys.err_name);
		expr_free(e->sys.result);
		for (int j = 0; j < e->sys.nargs; j++)
			expr_free(e->sys.args[j]);
		free(e->sys.args);
	}
	free(s->events);
	free(s->options);
	s->events = NULL;
	s->options = NULL;
	s->nevents = s->cap = s->noptions = 0;
}

static size_t
opt_format(const struct opt_spec *o, char *buf, size_t len)
{
	size_t n;

	switch (o->kind) {
	case 0: return snprintf(buf, len, "eol");
	case 1: return snprintf(buf, len, "nop");
	case 2: return snprintf(buf, len, "mss %u", o->mss);
	case 3: return snprintf(buf, len, "wscale %u", o->wscale);
	case 4: return snprintf(buf, len, "sackOK");
	case 8: return snprintf(buf, len, "TS val %u ecr %u", o->ts_val, o->ts_ecr);
	case 5:
		n = snprintf(buf, len, "sack");
		for (int i = 0; i < o->nsack && n < len; i++)
			n += snprintf(buf + n, len - n, " %u:%u", o->sack[i][0], o->sack[i][1]);
		return n;
	default:
		return snprintf(buf, len, "opt%u", o->kind);
	}
}

void
opts_format(const struct opt_spec *o, int n, char *buf, size_t len)
{
	size_t used = snprintf(buf, len, "<");

	for (int i = 0; i < n && used < len; i++) {
		if (i > 0)
			used += snprintf(buf + used, len - used, ",");
		if (used < len)
			used += opt_format(&o[i], buf + used, len - used);
	}
	if (used < len)
		snprintf(buf + used, len - used, ">");
}

static void
flags_format(uint8_t f, char *buf)
{
	static const char order[] = "FSRPUEW";
	static const uint8_t bits[] = { 0x01, 0x02, 0x04, 0x08, 0x20, 0x40, 0x80 };
	int n = 0;

	for (int i = 0; i < 7; i++)
		if (f & bits[i])
			buf[n++] = order[i];
	if (f & 0x10)
		buf[n++] = '.';
	if (n == 0)
		buf[n++] = '-';
	buf[n] = '\0';
}

/* ICMPv4 types and destination-unreachable codes (RFC 792, RFC 1812 §5.2.7.1). */
static const char *const icmp_types[] = {
	[0] = "echo_reply", [3] = "unreachable", [4] = "source_quench", [5] = "redirect",
	[8] = "echo_request", [11] = "time_exceeded", [12] = "parameter_problem",
	[13] = "timestamp_request", [14] = "timestamp_reply", [15] = "information_request",
	[16] = "information_reply", [17] = "address_mask_request", [18] = "address_mask_reply",
};

static const char *const unreach_codes[] = {
	"net_unreachable", "host_unreachable", "protocol_unreachable", "port_unreachable",
	"frag_needed", "source_route_failed", "net_unknown", "host_unknown",
	"source_host_isolated", "net_prohibited", "host_prohibited", "net_unreachable_for_tos",
	"host_unreachable_for_tos", "packet_filtered", "precedence_violation", "precedence_cutoff",
};

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

static int
numbered(const char *name, const char *prefix, int *v)
{
	size_t n = strlen(prefix);
	char *end;
	long x;

	if (strncmp(name, prefix, n) != 0 || name[n] == '\0')
		return 0;
	x = strtol(name + n, &end, 10);
	*v = *end == '\0' && x >= 0 && x <= 255 ? (int)x : -1;
	return 1;
}

int
icmp_type_parse(const char *name)
{
	int v;

	if (numbered(name, "type_", &v))
		return v;
	for (int i = 0; i < NELEM(icmp_types); i++)
		if (icmp_types[i] != NULL && strcmp(name, icmp_types[i]) == 0)
			return i;
	return -1;
}

int
icmp_code_parse(uint8_t type, const char *name)
{
	int v;

	if (numbered(name, "code_", &v))
		return v;
	for (int i = 0; type == 3 && i < NELEM(unreach_codes); i++)
		if (strcmp(name, unreach_codes[i]) == 0)
			return i;
	return -1;
}

int
icmp_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void
icmp_format(const struct pkt_spec *p, char *buf, size_t len)
{
	const struct icmp_spec *c = &p->ic;
	const char *tn = c->type < NELEM(icmp_types) ? icmp_types[c->type] : NULL;
	size_t n;

	if (tn != NULL)
		n = snprintf(buf, len, "%c icmp %s", p->dir, tn);
	else
		n = snprintf(buf, len, "%c icmp type_%u", p->dir, c->type);
	if (n < len && c->type == 3 && c->code < NELEM(unreach_codes))
		n += snprintf(buf + n, len - n, " %s", unreach_codes[c->code]);
	else if (n < len && c->code != 0)
		n += snprintf(buf + n, len - n, " code_%u", c->code);
	if (n < len && c->mtu >= 0)
		n += snprintf(buf + n, len - n, " mtu %d", c->mtu);
	if (n < len && c->id >= 0)
		n += snprintf(buf + n, len - n, " id %d", c->id);
	if (n < len && c->quote == ICMP_QUOTE_TCP)
		snprintf(buf + n, len - n, " [%u:%u(%u)]", c->quote_seq, c->quote_seq + c->quote_len,
			 c->quote_len);
	else if (n < len && c->quote != ICMP_QUOTE_NONE)
		snprintf(buf + n, len - n, " [%s (%u)]", c->quote == ICMP_QUOTE_UDP ? "udp" : "raw",
			 c->quote_len);
}

void
pkt_spec_format(const struct pkt_spec *p, char *buf, size_t len)
{
	char flags[12], opts[400] = "";
	size_t n;

	if (p->icmp) {
		icmp_format(p, buf, len);
		return;
	}

	flags_format(p->flags, flags);
	n = snprintf(buf, len, "%c %s %u:%u(%u)", p->dir, flags, p->seq, p->seq + p->len, p->len);
	if ((p->has_ack || (p->flags & 0x10)) && n < len)
		n += snprintf(buf + n, len - n, " ack %u", p->ack);
	if (p->has_win && n < len)
		n += snprintf(buf + n, len - n, " win %u", p->win);
	if (p->opts_any)
		snprintf(opts, sizeof(opts), " <...>");
	else if (p->nopts > 0) {
		opts[0] = ' ';
		opts_format(p->opts, p->nopts, opts + 1, sizeof(opts) - 1);
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s", opts);
}
