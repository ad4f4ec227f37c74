/*
 * tern-pkt's own markers, in comments so packetdrill ignores them:
 *   //! expect-fail: KIND [at line N]            a runner self-test that must fail
 *   //! pending: KIND [at line N] -- why         fails today because of a stack bug
 * KIND is a failure kind name (result.c). The script passes only when it
 * fails with that kind (at that line); with pending, a pass is reported
 * so the marker gets removed once the bug is fixed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int
directive(const char *s, int lineno, struct expectation *x, char *err, size_t errlen)
{
	char kind[40] = "";
	const char *why;
	int n = 0;

	s = skip_space(s);
	if (strncmp(s, "expect-fail:", 12) == 0)
		s += 12;
	else if (strncmp(s, "pending:", 8) == 0) {
		s += 8;
		x->pending = 1;
	} else {
		snprintf(err, errlen, "line %d: unknown //! directive", lineno);
		return -1;
	}
	if (sscanf(s, " %39[a-z-]%n", kind, &n) != 1 || (x->kind = fail_kind_parse(kind)) == F_NONE) {
		snprintf(err, errlen, "line %d: unknown failure kind '%s'", lineno, kind);
		return -1;
	}
	s = skip_space(s + n);
	if (strncmp(s, "at line", 7) == 0)
		x->line = atoi(s + 7);
	why = strstr(s, "--");
	snprintf(x->why, sizeof(x->why), "%s", why ? skip_space(why + 2) : "");
	x->why[strcspn(x->why, "\r\n")] = '\0';
	x->active = 1;
	return 0;
}

int
parse_directives(const char *src, struct expectation *x, char *err, size_t errlen)
{
	int lineno = 1;

	memset(x, 0, sizeof(*x));
	for (const char *l = src; *l; lineno++) {
		const char *s = skip_space(l), *nl = strchr(l, '\n');

		if (strncmp(s, "//!", 3) == 0 && directive(s + 3, lineno, x, err, errlen) != 0)
			return -1;
		if (nl == NULL)
			break;
		l = nl + 1;
	}
	return 0;
}
