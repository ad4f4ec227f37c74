/* Prometheus's text exposition format, version 0.0.4 (see ctl_prom.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_prom.h"

void
prom_buf_init(struct prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
prom_buf_free(struct prom_buf *b)
{
	free(b->p);
	prom_buf_init(b);
}

/* Room for need more bytes and the NUL; 0, or -1 (b->failed set). */
static int
reserve(struct prom_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->failed)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
prom_append(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Appends s with backslash and newline escaped, and the double quote too when quote. */
static void
append_escaped(struct prom_buf *b, const char *s, int quote)
{
	size_t n = strlen(s);

	if (reserve(b, 2 * n) != 0)
		return;
	for (; *s; s++) {
		if (*s == '\\' || *s == '\n' || (quote && *s == '"'))
			b->p[b->len++] = '\\';
		b->p[b->len++] = *s == '\n' ? 'n' : *s;
	}
	b->p[b->len] = '\0';
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether a word starts at s[i] (i > 0): the rules of prom_snake. */
static int
word_starts(const char *s, size_t i)
{
	if (!is_upper(s[i]))
		return 0;
	if (is_lower(s[i - 1]) || is_digit(s[i - 1]))
		return 1;
	/* After a capital: HTTPServer splits before the S, RTOs is one word. */
	if (is_lower(s[i + 1]) && !(s[i + 1] == 's' && !is_lower(s[i + 2])))
		return 1;
	/* TCPDSACK: a run that starts with TCP. */
	return i >= 3 && strncmp(s + i - 3, "TCP", 3) == 0 && (i == 3 || !is_upper(s[i - 4]));
}

int
prom_snake(const char *name, char *out, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		if (!is_upper(c) && !is_lower(c) && !is_digit(c))
			return -1;
		if (i > 0 && word_starts(name, i)) {
			if (n + 1 >= len)
				return -1;
			out[n++] = '_';
		}
		if (n + 1 >= len)
			return -1;
		out[n++] = is_upper(c) ? (char)(c - 'A' + 'a') : c;
	}
	if (len == 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

int
prom_name_ok(const char *name)
{
	if (name[0] == '\0' || is_digit(name[0]))
		return 0;
	for (const char *p = name; *p; p++)
		if (!is_upper(*p) && !is_lower(*p) && !is_digit(*p) && *p != '_' && *p != ':')
			return 0;
	return 1;
}

/*
 * promtool's lint reads some words as abbreviated units ("us": microseconds);
 * the words of tern's counter names that are one are spelt otherwise.
 */
static const char *const unit_lookalikes[][2] = {
	{ "us", "tern" },            /* EthInNotForUs: eth_in_not_for_tern */
};

/* Appends word (n bytes) to out at *at, replaced when it is a unit look-alike. */
static int
put_word(const char *word, size_t n, char *out, size_t len, size_t *at)
{
	for (size_t i = 0; i < sizeof(unit_lookalikes) / sizeof(unit_lookalikes[0]); i++)
		if (strlen(unit_lookalikes[i][0]) == n && memcmp(word, unit_lookalikes[i][0], n) == 0) {
			word = unit_lookalikes[i][1];
			n = strlen(word);
		}
	if (*at + n + 2 > len)
		return -1;
	out[(*at)++] = '_';
	memcpy(out + *at, word, n);
	*at += n;
	out[*at] = '\0';
	return 0;
}

int
prom_counter_name(const char *name, char kind, char *out, size_t len, const char **type)
{
	char snake[128];
	size_t at = 4;

	*type = kind == 'G' ? "gauge" : "counter";
	if (prom_snake(name, snake, sizeof(snake)) < 0 || len < 5)
		return -1;
	memcpy(out, "tern", 5);
	for (const char *w = snake; *w; ) {
		size_t n = strcspn(w, "_");

		if (put_word(w, n, out, len, &at) != 0)
			return -1;
		w += n + (w[n] == '_');
	}
	if (kind != 'G' && put_word("total", 5, out, len, &at) != 0)
		return -1;
	return (int)at;
}

void
prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	prom_append(b, "# HELP %s ", name);
	append_escaped(b, help, 0);
	prom_append(b, "\n# TYPE %s %s\n", name, type);
}

void
prom_sample(struct prom_buf *b, const char *name, const struct prom_label *l, unsigned nl,
	    uint64_t value)
{
	prom_append(b, "%s", name);
	for (unsigned i = 0; i < nl; i++) {
		prom_append(b, "%s%s=\"", i == 0 ? "{" : ",", l[i].name);
		append_escaped(b, l[i].value, 1);
		prom_append(b, "\"");
	}
	prom_append(b, "%s %" PRIu64 "\n", nl > 0 ? "}" : "", value);
}
