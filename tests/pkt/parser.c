/*
 * The script grammar of packetdrill's Syntax.md (rules 1-28 and 81-122):
 * header options, then events "event_time action". Packet lines are in
 * parse_packet.c, expressions in parse_expr.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "parser_internal.h"

int
p_error(struct parser *p, int line, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "line %d: %s", line, what);
	return -1;
}

int
p_expected(struct parser *p, const char *what)
{
	char got[80];

	return p_error(p, p_cur(p)->line, "expected %s, got %s", what,
		       tok_describe(p_cur(p), got, sizeof(got)));
}

int
p_punct(struct parser *p, char c)
{
	char what[8] = { '\'', c, '\'', 0 };

	if (!p_is_punct(p_cur(p), c))
		return p_expected(p, what);
	p_next(p);
	return 0;
}

int
p_int(struct parser *p, const char *what, int64_t *v)
{
	struct token *t = p_cur(p);

	if (t->kind != TK_INT && t->kind != TK_HEX)
		return p_expected(p, what);
	*v = t->i;
	p_next(p);
	return 0;
}

/* ---- header options: "--name=value" lines before the first event (rules 2-11) ---- */

/* The value is every token after '=' on the option's line, as written. */
static void
option_value(struct parser *p, int line, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	while (p_cur(p)->kind != TK_EOF && p_cur(p)->line == line && used + 1 < len) {
		struct token *t = p_next(p);
		const char *q = t->kind == TK_STRING ? "\"" : t->kind == TK_BACKTICK ? "`" : "";

		used += snprintf(buf + used, len - used, "%s%s%s", q, t->text, q);
	}
}

static int
parse_header(struct parser *p)
{
	while (p_cur(p)->kind == TK_OPTION) {
		struct token *name = p_next(p);
		struct script *s = p->s;
		struct option_kv *kv;

		s->options = realloc(s->options, (size_t)(s->noptions + 1) * sizeof(*kv));
		kv = &s->options[s->noptions++];
		memset(kv, 0, sizeof(*kv));
		snprintf(kv->name, sizeof(kv->name), "%s", name->text);
		kv->line = name->line;
		if (p_is_punct(p_cur(p), '=') && p_cur(p)->line == name->line) {
			p_next(p);
			option_value(p, name->line, kv->value, sizeof(kv->value));
		}
	}
	return 0;
}

/* ---- times (rules 18-24) ---- */

#define SCRIPT_MAX_SECONDS 1000000 /* 11.6 days: more than any script runs */

static int
parse_seconds(struct parser *p, int64_t *us)
{
	struct token *t = p_cur(p);

	if (t->kind != TK_INT && t->kind != TK_FLOAT)
		return p_expected(p, "a time in seconds");
	if (t->kind == TK_INT ? t->i < 0 : !(t->f >= 0))
		return p_error(p, t->line, "negative time");
	/* Bounded before scaling: a larger number overflowed the microseconds (fuzz-pkt_script). */
	if (t->kind == TK_INT ? t->i > SCRIPT_MAX_SECONDS : t->f > SCRIPT_MAX_SECONDS)
		return p_error(p, t->line, "time above %d s", SCRIPT_MAX_SECONDS);
	*us = t->kind == TK_INT ? t->i * 1000000 : (int64_t)llround(t->f * 1e6);
	p_next(p);
	return 0;
}

static int
parse_time(struct parser *p, struct ev_time *tm)
{
	int rel = 0;

	if (p_is_punct(p_cur(p), '*')) {
		p_next(p);
		tm->kind = T_ANY;
		return 0;
	}
	if (p_is_punct(p_cur(p), '+')) {
		p_next(p);
		rel = 1;
	}
	if (parse_seconds(p, &tm->us) != 0)
		return -1;
	tm->kind = rel ? T_REL : T_ABS;
	if (!p_is_punct(p_cur(p), '~'))
		return 0;
	p_next(p);
	if (rel && p_punct(p, '+') != 0)
		return -1;
	if (parse_seconds(p, &tm->end_us) != 0)
		return -1;
	tm->kind = rel ? T_REL_RANGE : T_ABS_RANGE;
	if (tm->end_us < tm->us)
		return p_error(p, p_cur(p)->line, "time range is backwards");
	return 0;
}

/* ---- system calls (rules 81-120) ---- */

static int
parse_args(struct parser *p, struct syscall_spec *sc)
{
	if (p_punct(p, '(') != 0)
		return -1;
	while (!p_is_punct(p_cur(p), ')')) {
		struct expr *e = NULL;

		if (sc->nargs > 0 && p_punct(p, ',') != 0)
			return -1;
		if (parse_expr(p, &e) != 0) {
			expr_free(e);
			return -1;
		}
		sc->args = realloc(sc->args, (size_t)(sc->nargs + 1) * sizeof(*sc->args));
		sc->args[sc->nargs++] = e;
	}
	p_next(p);
	return 0;
}

/* "(Connection reset by peer)": any tokens up to the matching ')'. */
static int
skip_note(struct parser *p)
{
	int depth = 0;

	do {
		struct token *t = p_next(p);

		if (t->kind == TK_EOF)
			return p_expected(p, "')' closing the note");
		depth += p_is_punct(t, '(') - p_is_punct(t, ')');
	} while (depth > 0);
	return 0;
}

static int
parse_syscall(struct parser *p, struct event *e)
{
	struct syscall_spec *sc = &e->sys;

	if (p_cur(p)->kind == TK_ELLIPSIS) {
		p_next(p);
		if (parse_seconds(p, &sc->end_us) != 0)
			return -1;
		sc->blocking = 1;
		sc->end_relative = e->t.kind == T_REL;
	}
	if (p_cur(p)->kind != TK_WORD)
		return p_expected(p, "a system call name");
	sc->name = strdup(p_next(p)->text);
	if (parse_args(p, sc) != 0 || p_punct(p, '=') != 0 || parse_expr(p, &sc->result) != 0)
		return -1;
	if (p_cur(p)->kind == TK_WORD && p_cur(p)->line == e->line)
		sc->err_name = strdup(p_next(p)->text);
	if (p_is_punct(p_cur(p), '(') && p_cur(p)->line == e->line)
		return skip_note(p);
	return 0;
}

/* ---- events (rules 15-17, 25-28, 121-122) ---- */

static struct event *
new_event(struct script *s)
{
	if (s->nevents == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->events = realloc(s->events, (size_t)s->cap * sizeof(*s->events));
	}
	memset(&s->events[s->nevents], 0, sizeof(s->events[0]));
	return &s->events[s->nevents++];
}

static int
parse_action(struct parser *p, struct event *e)
{
	struct token *t = p_cur(p);

	if (p_is_punct(t, '<') || p_is_punct(t, '>'))
		return parse_packet(p, e);
	if (t->kind == TK_BACKTICK || t->kind == TK_CODE) {
		e->kind = t->kind == TK_CODE ? EV_CODE : EV_COMMAND;
		e->text = strdup(p_next(p)->text);
		return 0;
	}
	e->kind = EV_SYSCALL;
	return parse_syscall(p, e);
}

/* packetdrill allows "*" and time ranges on outbound packets only. */
static int
check_time_use(struct parser *p, const struct event *e)
{
	int outbound = e->kind == EV_PACKET && e->pkt.dir == '>';

	if (e->t.kind == T_ANY && !outbound)
		return p_error(p, e->line, "event time * can only be used with outbound packets");
	if ((e->t.kind == T_ABS_RANGE || e->t.kind == T_REL_RANGE) && !outbound)
		return p_error(p, e->line, "a time range can only be used with outbound packets");
	return 0;
}

static int
parse_event(struct parser *p)
{
	struct token *t = p_cur(p);
	struct event *e = new_event(p->s);

	e->line = t->line;
	if (t->kind == TK_BACKTICK || t->kind == TK_CODE)
		return parse_action(p, e); /* init or cleanup command: no time */
	if (parse_time(p, &e->t) != 0)
		return -1;
	e->has_time = 1;
	if (parse_action(p, e) != 0)
		return -1;
	return check_time_use(p, e);
}

static int
parse_tokens(struct parser *p, int header_only)
{
	if (parse_header(p) != 0)
		return -1;
	while (!header_only && p_cur(p)->kind != TK_EOF)
		if (parse_event(p) != 0)
			return -1;
	return 0;
}

/* The header's --define=NAME=VALUE options, added to the command line's. */
static int
header_defines(const struct script *s, struct pkt_define *defs, int n, int max)
{
	for (int i = 0; i < s->noptions && n < max; i++) {
		const char *eq;

		if (strcmp(s->options[i].name, "define") != 0)
			continue;
		eq = strchr(s->options[i].value, '=');
		if (eq == NULL)
			continue;
		snprintf(defs[n].name, sizeof(defs[n].name), "%.*s",
			 (int)(eq - s->options[i].value), s->options[i].value);
		snprintf(defs[n].value, sizeof(defs[n].value), "%s", eq + 1);
		n++;
	}
	return n;
}

static int
parse_pass(const char *src, const struct pkt_define *defs, int ndefs, int header_only,
	   struct script *out, char *err, size_t errlen)
{
	struct token_list tl;
	struct parser p = { .s = out, .err = err, .errlen = errlen };
	int rc;

	if (lex_script(src, defs, ndefs, &tl, err, errlen) != 0) {
		token_list_free(&tl); /* the tokens before the bad one */
		return -1;
	}
	p.t = tl.v;
	p.n = tl.n;
	rc = parse_tokens(&p, header_only);
	token_list_free(&tl);
	return rc;
}

static void
script_reset(struct script *s, const char *path)
{
	struct expectation x = s->expect;

	script_free(s);
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->expect = x;
}

int
parse_script(const char *path, const char *src, const struct pkt_define *defs, int ndefs,
	     struct script *out, char *err, size_t errlen)
{
	struct pkt_define all[64];
	int n = ndefs < 64 ? ndefs : 64;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", path);
	if (parse_directives(src, &out->expect, err, errlen) != 0)
		return -1;
	if (n > 0) /* defs may be NULL when there are none */
		memcpy(all, defs, (size_t)n * sizeof(*defs));
	/* First the header alone, for its --define options; then everything with them. */
	if (parse_pass(src, all, n, 1, out, err, errlen) != 0)
		return -1;
	n = header_defines(out, all, n, 64);
	script_reset(out, path);
	return parse_pass(src, all, n, 0, out, err, errlen);
}
