/*
 * tern-pkt: runs packetdrill-syntax scripts against tern in memory.
 *   tern-pkt [options] script.pkt...
 * Prints "ok" or "FAIL" per script (with the failing line, the expected
 * and the actual segment), then "N passed, N failed"; exits 1 when any
 * failed. Options are listed by --help and in pkt_opts.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "parser.h"
#include "pkt_opts.h"
#include "runner.h"

struct tally {
	int passed, failed, pending;
};

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static void
print_details(const struct pkt_result *r)
{
	if (r->expected[0])
		printf("      expected: %s\n", r->expected);
	if (r->actual[0])
		printf("      actual:   %s\n", r->actual);
}

static void
print_notes(const struct pkt_result *r)
{
	for (int i = 0; i < r->nnotes; i++)
		printf("      note: %s\n", r->notes[i]);
}

static void
print_failure(const char *path, const struct pkt_result *r)
{
	printf("FAIL  %s:%d: %s: %s\n", path, r->line, fail_kind_name(r->kind), r->msg);
	print_details(r);
}

/* A script with a //! marker passes when it fails exactly as the marker says. */
static int
judge_expected(const char *path, const struct expectation *x, const struct pkt_result *r)
{
	const char *what = x->pending ? "pending" : "expect-fail";

	if (r->kind == x->kind && (x->line == 0 || x->line == r->line)) {
		printf("ok    %s (%s: failed as stated, %s at line %d)\n", path, what,
		       fail_kind_name(r->kind), r->line);
		if (x->pending && x->why[0])
			printf("      known bug: %s\n", x->why);
		return 1;
	}
	if (r->kind == F_NONE) {
		printf("FAIL  %s: %s %s%s but the script passed%s\n", path, what,
		       fail_kind_name(x->kind), x->line ? " at a stated line" : "",
		       x->pending ? " (bug fixed? move it out of pending/ and drop the marker)" : "");
		return 0;
	}
	printf("FAIL  %s: %s %s at line %d, but it failed differently:\n", path, what,
	       fail_kind_name(x->kind), x->line);
	print_failure(path, r);
	return 0;
}

static int
parse_error_line(const char *err)
{
	int line = 0;

	sscanf(err, "line %d", &line);
	return line;
}

static void
run_one(const char *path, const struct pkt_opts *o, struct tally *t)
{
	struct script s;
	struct pkt_result r = { 0 };
	char err[400];
	char *src = read_file(path);
	int ok;

	if (src == NULL) {
		printf("FAIL  %s: cannot read the file\n", path);
		t->failed++;
		return;
	}
	if (parse_script(path, src, o->defs, o->ndefs, &s, err, sizeof(err)) != 0)
		result_fail(&r, F_PARSE, parse_error_line(err), "%s", err);
	else if (run_script(&s, o, &r) != 0) {
		fprintf(stderr, "tern-pkt: cannot start the stack\n");
		exit(2);
	}
	if (s.expect.active)
		ok = judge_expected(path, &s.expect, &r);
	else if ((ok = r.kind == F_NONE))
		printf("ok    %s\n", path);
	else
		print_failure(path, &r);
	print_notes(&r);
	t->passed += ok;
	t->failed += !ok;
	t->pending += ok && s.expect.active && s.expect.pending;
	script_free(&s);
	free(src);
}

int
main(int argc, char **argv)
{
	struct pkt_opts o;
	const char **paths;
	struct tally t = { 0 };
	char err[300] = "";
	int n = 0;

	pkt_opts_defaults(&o);
	if (pkt_opts_from_argv(&o, argc, argv, &paths, &n, err, sizeof(err)) != 0 || n == 0) {
		if (n > 0 || strcmp(err, "help") != 0)
			fprintf(stderr, "tern-pkt: %s\n", n == 0 && !err[0] ? "no scripts given" : err);
		pkt_opts_usage(argv[0]);
		return 2;
	}
	if (harness_global_init(argv[0]) != 0)
		return 2;
	for (int i = 0; i < n; i++)
		run_one(paths[i], &o, &t);
	if (t.pending > 0)
		printf("(%d of the passed scripts are pending: they record known stack bugs)\n",
		       t.pending);
	printf("%d passed, %d failed\n", t.passed, t.failed);
	free(paths);
	return t.failed > 0 ? 1 : 0;
}
