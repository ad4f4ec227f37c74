/*
 * The http service's request parser (lib/svc/http_parse.c) on arbitrary
 * bytes. Besides the sanitizers' checks: a parsed head lies inside the
 * bytes given, parses the same from exactly its own bytes (what follows a
 * head never changes it), and "incomplete" only happens below the limit.
 */
#include "fuzz.h"
#include "svc/http_parse.h"

static void
same_request(const struct http_request *a, const struct http_request *b)
{
	FUZZ_CHECK(a->method == b->method && a->minor == b->minor &&
		   a->keep_alive == b->keep_alive && a->chunked == b->chunked &&
		   a->content_length == b->content_length && a->target == b->target &&
		   a->target_len == b->target_len && a->head_len == b->head_len,
		   "the head parsed differently from its own bytes");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request req, again;
	enum http_parse_result rc = http_parse(buf, size, &req), rc2;

	FUZZ_CHECK(rc <= HTTP_PARSE_VERSION, "result %d", (int)rc);
	if (rc == HTTP_PARSE_INCOMPLETE)
		FUZZ_CHECK(size < HTTP_MAX_HEAD, "incomplete at %zu bytes", size);
	if (rc == HTTP_PARSE_TOO_LARGE)
		FUZZ_CHECK(size >= HTTP_MAX_HEAD, "too large at %zu bytes", size);
	if (rc != HTTP_PARSE_OK)
		return 0;
	FUZZ_CHECK(req.head_len >= 4 && req.head_len <= size && req.head_len <= HTTP_MAX_HEAD,
		   "head_len %zu of %zu", req.head_len, size);
	FUZZ_CHECK(req.target > buf && req.target_len > 0 &&
		   req.target + req.target_len < buf + req.head_len, "target outside the head");
	FUZZ_CHECK(memchr(req.target, ' ', req.target_len) == NULL, "a space in the target");
	FUZZ_CHECK(req.minor >= 0 && req.minor <= 9, "minor %d", req.minor);
	rc2 = http_parse(buf, req.head_len, &again);
	FUZZ_CHECK(rc2 == HTTP_PARSE_OK, "its own head gives %d", (int)rc2);
	same_request(&req, &again);
	return 0;
}
