/*
 * The lexer. Rules follow packetdrill's Syntax.md lexical structure: longest
 * match, so "192.0.2.1" is an address, "0.200" a float, "0...0.2" is
 * INT ELLIPSIS FLOAT, "S." is WORD '.' and "+.1" is '+' FLOAT.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"

#define MAX_DEFINE_DEPTH 8

struct lex {
	const char *s;
	size_t pos, len;
	int line;
	int depth;              /* define expansion nesting */
	const struct pkt_define *defs;
	int ndefs;
	struct token_list *out;
	char *err;
	size_t errlen;
};

static int
fail(struct lex *lx, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(lx->err, lx->errlen, "line %d: %s", lx->line, what);
	return -1;
}

static struct token *
push(struct lex *lx, enum tok_kind kind, const char *text, size_t n)
{
	struct token_list *l = lx->out;
	struct token *t;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, (size_t)l->cap * sizeof(*l->v));
		if (l->v == NULL) {
			fprintf(stderr, "tern-pkt: out of memory\n");
			exit(2);
		}
	}
	t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->line = lx->line;
	t->text = strndup(text, n);
	return t;
}

static char
peek(const struct lex *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? lx->s[lx->pos + ahead] : '\0';
}

static int
skip_comment(struct lex *lx)
{
	if (peek(lx, 1) == '/') {
		while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
			lx->pos++;
		return 0;
	}
	for (lx->pos += 2; lx->pos < lx->len; lx->pos++) {
		if (lx->s[lx->pos] == '\n')
			lx->line++;
		else if (lx->s[lx->pos] == '*' && peek(lx, 1) == '/') {
			lx->pos += 2;
			return 0;
		}
	}
	return fail(lx, "unterminated /* comment");
}

static int
skip_blanks(struct lex *lx)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];

		if (c == '\n') {
			lx->line++;
			lx->pos++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			lx->pos++;
		} else if (c == '/' && (peek(lx, 1) == '/' || peek(lx, 1) == '*')) {
			if (skip_comment(lx) != 0)
				return -1;
		} else {
			break;
		}
	}
	return 0;
}

/* "..." (with backslash escapes kept as written) and `...`; may span lines. */
static int
lex_quoted(struct lex *lx, char delim, enum tok_kind kind)
{
	size_t start = ++lx->pos;
	int line = lx->line;

	while (lx->pos < lx->len && lx->s[lx->pos] != delim) {
		if (lx->s[lx->pos] == '\\' && lx->pos + 1 < lx->len)
			lx->pos++;
		if (lx->s[lx->pos] == '\n')
			lx->line++;
		lx->pos++;
	}
	if (lx->pos >= lx->len) {
		lx->line = line;
		return fail(lx, "unterminated %c", delim);
	}
	int end_line = lx->line;

	lx->line = line;
	push(lx, kind, lx->s + start, lx->pos - start);
	lx->line = end_line;
	lx->pos++;
	return 0;
}

/* %{ ... }% */
static int
lex_code(struct lex *lx)
{
	size_t start = lx->pos + 2;
	int line = lx->line;

	for (lx->pos = start; lx->pos + 1 < lx->len; lx->pos++) {
		if (lx->s[lx->pos] == '}' && lx->s[lx->pos + 1] == '%') {
			int end_line = lx->line;

			lx->line = line;
			push(lx, TK_CODE, lx->s + start, lx->pos - start);
			lx->line = end_line;
			lx->pos += 2;
			return 0;
		}
		if (lx->s[lx->pos] == '\n')
			lx->line++;
	}
	lx->line = line;
	return fail(lx, "unterminated %%{ code block");
}

static size_t
digits_at(const struct lex *lx, size_t at)
{
	size_t n = 0;

	while (at + n < lx->len && isdigit((unsigned char)lx->s[at + n]))
		n++;
	return n;
}

static int
is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Length of a dotted quad at the cursor, 0 when there is none. */
static size_t
ipaddr_len(const struct lex *lx)
{
	size_t at = lx->pos;

	for (int part = 0; part < 4; part++) {
		size_t d = digits_at(lx, at);

		if (d == 0)
			return 0;
		at += d;
		if (part < 3) {
			if (at >= lx->len || lx->s[at] != '.')
				return 0;
			at++;
		}
	}
	return at - lx->pos;
}

static int lex_word(struct lex *lx);

/* At a digit, or at '-' or '.' followed by a digit. */
static int
lex_number(struct lex *lx)
{
	size_t start = lx->pos, n;
	struct token *t;

	if ((n = ipaddr_len(lx)) > 0) {
		push(lx, TK_IPADDR, lx->s + start, n);
		lx->pos += n;
		return 0;
	}
	if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X') &&
	    isxdigit((unsigned char)peek(lx, 2))) {
		for (lx->pos += 2; isxdigit((unsigned char)peek(lx, 0)); lx->pos++)
			;
		t = push(lx, TK_HEX, lx->s + start, lx->pos - start);
		t->i = (int64_t)strtoull(t->text + 2, NULL, 16);
		return 0;
	}
	if (peek(lx, 0) == '-')
		lx->pos++;
	lx->pos += digits_at(lx, lx->pos);
	if (peek(lx, 0) == '.' && isdigit((unsigned char)peek(lx, 1))) {
		lx->pos++;
		lx->pos += digits_at(lx, lx->pos);
		t = push(lx, TK_FLOAT, lx->s + start, lx->pos - start);
		t->f = strtod(t->text, NULL);
		return 0;
	}
	if (is_word_char(peek(lx, 0)) && lx->s[start] != '-') {
		lx->pos = start; /* e.g. "8080abc": a word, as flex's longest match */
		return lex_word(lx);
	}
	t = push(lx, TK_INT, lx->s + start, lx->pos - start);
	t->i = strtoll(t->text, NULL, 10);
	return 0;
}

static const struct pkt_define *
find_define(const struct lex *lx, const char *name, size_t n)
{
	for (int i = 0; i < lx->ndefs; i++)
		if (strlen(lx->defs[i].name) == n && strncmp(lx->defs[i].name, name, n) == 0)
			return &lx->defs[i];
	return NULL;
}

static int lex_run(struct lex *lx);

/* A word naming a definition is replaced by the tokens of its value. */
static int
expand_define(struct lex *lx, const struct pkt_define *d)
{
	struct lex sub = *lx;

	if (lx->depth >= MAX_DEFINE_DEPTH)
		return fail(lx, "definition of %s expands too deeply", d->name);
	sub.s = d->value;
	sub.len = strlen(d->value);
	sub.pos = 0;
	sub.depth = lx->depth + 1;
	if (lex_run(&sub) != 0)
		return -1;
	/* drop the TK_EOF the nested run appended, and its text */
	free(lx->out->v[--lx->out->n].text);
	return 0;
}

static int
lex_word(struct lex *lx)
{
	size_t start = lx->pos;
	const struct pkt_define *d;

	while (is_word_char(peek(lx, 0)))
		lx->pos++;
	d = find_define(lx, lx->s + start, lx->pos - start);
	if (d != NULL)
		return expand_define(lx, d);
	push(lx, TK_WORD, lx->s + start, lx->pos - start);
	return 0;
}

static int
lex_punct(struct lex *lx)
{
	char c = lx->s[lx->pos];

	if (c == '.' && peek(lx, 1) == '.' && peek(lx, 2) == '.') {
		push(lx, TK_ELLIPSIS, "...", 3);
		lx->pos += 3;
		return 0;
	}
	if (c == '-' && peek(lx, 1) == '-' && is_word_char(peek(lx, 2))) {
		size_t start = lx->pos + 2;

		for (lx->pos = start; is_word_char(peek(lx, 0)); lx->pos++)
			;
		push(lx, TK_OPTION, lx->s + start, lx->pos - start);
		return 0;
	}
	push(lx, TK_PUNCT, &c, 1)->punct = c;
	lx->pos++;
	return 0;
}

static int
lex_one(struct lex *lx)
{
	char c = lx->s[lx->pos], n1 = peek(lx, 1);

	if (c == '"')
		return lex_quoted(lx, '"', TK_STRING);
	if (c == '`')
		return lex_quoted(lx, '`', TK_BACKTICK);
	if (c == '%' && n1 == '{')
		return lex_code(lx);
	if (isdigit((unsigned char)c) || ((c == '-' || c == '.') && isdigit((unsigned char)n1)) ||
	    (c == '-' && n1 == '.' && isdigit((unsigned char)peek(lx, 2))))
		return lex_number(lx);
	if (isalpha((unsigned char)c) || c == '_')
		return lex_word(lx);
	return lex_punct(lx);
}

static int
lex_run(struct lex *lx)
{
	for (;;) {
		if (skip_blanks(lx) != 0)
			return -1;
		if (lx->pos >= lx->len)
			break;
		if (lex_one(lx) != 0)
			return -1;
	}
	push(lx, TK_EOF, "", 0);
	return 0;
}

int
lex_script(const char *src, const struct pkt_define *defs, int ndefs, struct token_list *out,
	   char *err, size_t errlen)
{
	struct lex lx = {
		.s = src, .len = strlen(src), .line = 1, .defs = defs, .ndefs = ndefs,
		.out = out, .err = err, .errlen = errlen,
	};

	memset(out, 0, sizeof(*out));
	return lex_run(&lx);
}

void
token_list_free(struct token_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *
tok_describe(const struct token *t, char *buf, size_t len)
{
	if (t->kind == TK_EOF)
		snprintf(buf, len, "end of script");
	else
		snprintf(buf, len, "'%s'", t->text);
	return buf;
}
