/* Shared by the parser's files: a cursor over the token list. */
#ifndef PKT_PARSER_INTERNAL_H
#define PKT_PARSER_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "lexer.h"
#include "script.h"

struct parser {
	struct token *t;
	int n, pos;
	struct script *s;
	char *err;
	size_t errlen;
};

static inline struct token *
p_cur(struct parser *p)
{
	return &p->t[p->pos];
}

static inline struct token *
p_look(struct parser *p, int ahead)
{
	int i = p->pos + ahead;

	return &p->t[i < p->n ? i : p->n - 1];
}

static inline struct token *
p_next(struct parser *p)
{
	struct token *t = p_cur(p);

	if (t->kind != TK_EOF)
		p->pos++;
	return t;
}

static inline int
p_is_punct(const struct token *t, char c)
{
	return t->kind == TK_PUNCT && t->punct == c;
}

static inline int
p_is_word(const struct token *t, const char *w)
{
	return t->kind == TK_WORD && strcmp(t->text, w) == 0;
}

/* "line N: expected WHAT, got TOKEN"; returns -1. */
int p_expected(struct parser *p, const char *what);
int p_error(struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int p_punct(struct parser *p, char c);
int p_int(struct parser *p, const char *what, int64_t *v);

/* parse_packet.c */
int parse_packet(struct parser *p, struct event *e);
/* parse_expr.c */
int parse_expr(struct parser *p, struct expr **out);
void expr_free(struct expr *e);
/* directives.c: "//!" lines of the raw text */
int parse_directives(const char *src, struct expectation *x, char *err, size_t errlen);

#endif
