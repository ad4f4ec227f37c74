/*
 * Tokens of the packetdrill script language, as described by packetdrill's
 * Syntax.md ("packetdrill Lexical Structure"): comments (// and slash-star)
 * are dropped, words that name a -D definition are replaced by its value.
 */
#ifndef PKT_LEXER_H
#define PKT_LEXER_H

#include <stddef.h>
#include <stdint.h>

enum tok_kind {
	TK_EOF = 0,
	TK_INT,       /* [-]?[0-9]+ */
	TK_FLOAT,     /* [-]?[0-9]*[.][0-9]+ */
	TK_HEX,       /* 0x[0-9a-fA-F]+ */
	TK_WORD,      /* [a-zA-Z0-9_]+ */
	TK_STRING,    /* "..." (text without the quotes) */
	TK_BACKTICK,  /* `...`: a shell command */
	TK_CODE,      /* %{ ... }%: a code snippet */
	TK_OPTION,    /* --name (text without the dashes) */
	TK_ELLIPSIS,  /* ... */
	TK_IPADDR,    /* a.b.c.d */
	TK_PUNCT,     /* any other single character */
};

struct token {
	enum tok_kind kind;
	int line;
	int64_t i;        /* TK_INT, TK_HEX */
	double f;         /* TK_FLOAT */
	char punct;       /* TK_PUNCT */
	char *text;       /* the token as written (owned) */
};

/* A NAME=VALUE substitution (packetdrill's -D / --define). */
struct pkt_define {
	char name[64];
	char value[256];
};

struct token_list {
	struct token *v;
	int n, cap;
};

/*
 * Splits src into tokens (the list ends with TK_EOF). Returns 0, or -1 with
 * "line N: ..." in err.
 */
int lex_script(const char *src, const struct pkt_define *defs, int ndefs,
	       struct token_list *out, char *err, size_t errlen);
void token_list_free(struct token_list *l);

/* Token kinds and values as text, for parse errors. */
const char *tok_describe(const struct token *t, char *buf, size_t len);

#endif
