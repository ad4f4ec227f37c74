/*
 * System call arguments and results (Syntax.md rules 89-113): "...",
 * integers, words, strings, [lists], {braces} (sockaddr, linger, ...),
 * a|b, name=value inside braces, and calls such as htons(8080).
 */
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"

static struct expr *
expr_new(enum expr_kind k)
{
	struct expr *e = calloc(1, sizeof(*e));

	e->kind = k;
	return e;
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	free(e->str);
	expr_free(e->lhs);
	expr_free(e->rhs);
	for (int i = 0; i < e->nitems; i++)
		expr_free(e->items[i]);
	free(e->items);
	free(e);
}

static void
append(struct expr *list, struct expr *item)
{
	list->items = realloc(list->items, (size_t)(list->nitems + 1) * sizeof(*list->items));
	list->items[list->nitems++] = item;
}

/* Items up to the closing character, separated by commas. */
static int
parse_items(struct parser *p, struct expr *list, char close)
{
	while (!p_is_punct(p_cur(p), close)) {
		struct expr *item = NULL;

		if (list->nitems > 0 && p_punct(p, ',') != 0)
			return -1;
		if (parse_expr(p, &item) != 0) {
			expr_free(item); /* what was built before the error */
			return -1;
		}
		append(list, item);
	}
	p_next(p);
	return 0;
}

static int
parse_word(struct parser *p, struct expr **out)
{
	struct token *t = p_next(p);
	struct expr *e;

	if (p_is_punct(p_cur(p), '=')) {          /* name=value, in braces */
		p_next(p);
		e = expr_new(E_ASSIGN);
		e->str = strdup(t->text);
		*out = e;
		return parse_expr(p, &e->rhs);
	}
	if (p_is_punct(p_cur(p), '(')) {          /* htons(8080), inet_addr("...") */
		p_next(p);
		e = expr_new(E_CALL);
		e->str = strdup(t->text);
		*out = e;
		return parse_items(p, e, ')');
	}
	e = expr_new(E_WORD);
	e->str = strdup(t->text);
	*out = e;
	return 0;
}

static int
parse_primary(struct parser *p, struct expr **out)
{
	struct token *t = p_cur(p);

	*out = NULL;
	switch (t->kind) {
	case TK_ELLIPSIS:
		p_next(p);
		*out = expr_new(E_ELLIPSIS);
		return 0;
	case TK_INT:
	case TK_HEX:
		p_next(p);
		*out = expr_new(E_INT);
		(*out)->num = t->i;
		return 0;
	case TK_STRING:
	case TK_IPADDR:
		p_next(p);
		*out = expr_new(E_STRING);
		(*out)->str = strdup(t->text);
		if (p_cur(p)->kind == TK_ELLIPSIS) /* "abc"... */
			p_next(p);
		return 0;
	case TK_WORD:
		return parse_word(p, out);
	default:
		break;
	}
	if (p_is_punct(t, '[') || p_is_punct(t, '{')) {
		p_next(p);
		*out = expr_new(p_is_punct(t, '[') ? E_LIST : E_BRACES);
		return parse_items(p, *out, p_is_punct(t, '[') ? ']' : '}');
	}
	return p_expected(p, "an expression");
}

/* expression ('|' expression)*: bitwise OR, left to right (rule 104). */
int
parse_expr(struct parser *p, struct expr **out)
{
	if (parse_primary(p, out) != 0)
		return -1;
	while (p_is_punct(p_cur(p), '|')) {
		struct expr *e = expr_new(E_OR);

		p_next(p);
		e->lhs = *out;
		*out = e;
		if (parse_primary(p, &e->rhs) != 0)
			return -1;
	}
	return 0;
}
