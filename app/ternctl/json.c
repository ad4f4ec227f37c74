/* A recursive-descent JSON reader (RFC 8259), enough for DPDK telemetry. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_DEPTH 32

struct parser {
	const char *p;
	char *err;
	size_t errlen;
	int depth;
};

static struct jv *value(struct parser *ps);

static void
ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct jv *
fail(struct parser *ps, const char *what)
{
	if (ps->err[0] == '\0')
		snprintf(ps->err, ps->errlen, "%s at '%.20s'", what, ps->p);
	return NULL;
}

static struct jv *
node(enum jtype t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (v != NULL)
		v->type = t;
	return v;
}

/* A string after its opening quote; \uXXXX above 0x7f becomes '?'. */
static char *
string(struct parser *ps)
{
	size_t cap = 32, n = 0;
	char *s = malloc(cap);

	while (s != NULL && *ps->p != '"') {
		char c = *ps->p++;

		if (c == '\0' || (unsigned char)c < 0x20)
			break;
		if (c == '\\') {
			c = *ps->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned u = 0;

				if (sscanf(ps->p, "%4x", &u) != 1)
					goto bad;
				ps->p += 4;
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			case '"': case '\\': case '/': break;
			default: goto bad;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (t == NULL)
				goto bad;
			s = t;
		}
		s[n++] = c;
	}
	if (s == NULL || *ps->p != '"')
		goto bad;
	ps->p++;
	s[n] = '\0';
	return s;
bad:
	free(s);
	return NULL;
}

static struct jv *
number(struct parser *ps)
{
	struct jv *v = node(J_NUM);
	char *end;

	if (v == NULL)
		return NULL;
	v->num = strtod(ps->p, &end);
	if (end == ps->p) {
		free(v);
		return fail(ps, "expected a value");
	}
	if (*ps->p != '-' && memchr(ps->p, '.', (size_t)(end - ps->p)) == NULL &&
	    memchr(ps->p, 'e', (size_t)(end - ps->p)) == NULL)
		v->u64 = strtoull(ps->p, NULL, 10);
	else
		v->u64 = v->num > 0 ? (uint64_t)v->num : 0;
	ps->p = end;
	return v;
}

/* Elements of an array or members of an object, after the opening bracket. */
static struct jv *
items(struct parser *ps, enum jtype t, char close)
{
	struct jv *v = node(t), **tail = v ? &v->child : NULL;

	ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return v;
	}
	while (v != NULL) {
		char *key = NULL;
		struct jv *e;

		ws(ps);
		if (t == J_OBJ) {
			if (*ps->p != '"' || (ps->p++, key = string(ps)) == NULL)
				break;
			ws(ps);
			if (*ps->p++ != ':') {
				free(key);
				break;
			}
		}
		if ((e = value(ps)) == NULL) {
			free(key);
			break;
		}
		e->key = key;
		*tail = e;
		tail = &e->next;
		ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ == close)
			return v;
		break;
	}
	json_free(v);
	return fail(ps, t == J_OBJ ? "bad object" : "bad array");
}

static struct jv *
value(struct parser *ps)
{
	struct jv *v = NULL;

	ws(ps);
	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "nested too deep");
	if (*ps->p == '{' || *ps->p == '[') {
		char open = *ps->p++;

		v = items(ps, open == '{' ? J_OBJ : J_ARR, open == '{' ? '}' : ']');
	} else if (*ps->p == '"') {
		ps->p++;
		v = node(J_STR);
		if (v != NULL && (v->str = string(ps)) == NULL) {
			free(v);
			v = fail(ps, "bad string");
		}
	} else if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
		v = node(J_BOOL);
		if (v != NULL)
			v->num = v->u64 = ps->p[0] == 't';
		ps->p += ps->p[0] == 't' ? 4 : 5;
	} else if (strncmp(ps->p, "null", 4) == 0) {
		v = node(J_NULL);
		ps->p += 4;
	} else {
		v = number(ps);
	}
	ps->depth--;
	return v;
}

struct jv *
json_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .err = err, .errlen = errlen };
	struct jv *v;

	err[0] = '\0';
	v = value(&ps);
	ws(&ps);
	if (v != NULL && *ps.p != '\0') {
		json_free(v);
		return fail(&ps, "text after the value");
	}
	return v;
}

void
json_free(struct jv *v)
{
	while (v != NULL) {
		struct jv *next = v->next;

		json_free(v->child);
		free(v->str);
		free(v->key);
		free(v);
		v = next;
	}
}

const struct jv *
json_get(const struct jv *v, const char *name)
{
	if (v == NULL || v->type != J_OBJ)
		return NULL;
	for (const struct jv *c = v->child; c != NULL; c = c->next)
		if (strcmp(c->key, name) == 0)
			return c;
	return NULL;
}

size_t
json_len(const struct jv *v)
{
	size_t n = 0;

	for (const struct jv *c = v != NULL ? v->child : NULL; c != NULL; c = c->next)
		n++;
	return n;
}

uint64_t
json_u64(const struct jv *v, const char *name)
{
	const struct jv *m = json_get(v, name);

	return m != NULL && m->type == J_NUM ? m->u64 : 0;
}

const char *
json_str(const struct jv *v, const char *name)
{
	const struct jv *m = json_get(v, name);

	return m != NULL && m->type == J_STR ? m->str : NULL;
}
