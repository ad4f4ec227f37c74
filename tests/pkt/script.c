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

void
pkt_spec_format(const struct pkt_spec *p, char *buf, size_t len)
{
	char flags[12], opts[400] = "";
	size_t n;

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
