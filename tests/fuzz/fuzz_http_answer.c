/*
 * The client service's answer parser (lib/svc/client_parse.c), fed as
 * segments would feed it: the first input byte chooses the pattern check
 * and how the rest is cut into pieces. The same bytes fed whole must give
 * the same verdict, body count, keep-alive and pattern errors: an answer
 * cannot depend on how TCP happened to segment it.
 */
#include "fuzz.h"
#include "svc/client_parse.h"
#include "svc/pattern.h"

static struct http_answer whole, pieces;

/* DONE with bytes left over is what the client treats as EXTRA. */
static enum http_answer_status
feed_pieces(struct http_answer *a, const char *p, size_t n, uint8_t plan)
{
	static const uint32_t sizes[8] = { 1, 2, 3, 7, 16, 100, 536, 1460 };
	enum http_answer_status st = HTTP_ANSWER_MORE;
	unsigned k = 0;

	while (n > 0) {
		uint32_t want = sizes[(plan >> (k % 3)) % 8 ^ (k & 1)];
		uint32_t take = want < n ? want : (uint32_t)n;

		st = http_answer_feed(a, p, take);
		p += take;
		n -= take;
		k++;
		if (st != HTTP_ANSWER_MORE)
			break;
	}
	if (st == HTTP_ANSWER_DONE && n > 0)
		st = HTTP_ANSWER_EXTRA;
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum http_answer_status a, b;
	uint8_t plan;

	if (size < 1)
		return 0;
	bytes_pattern_init();
	plan = data[0];
	http_answer_reset(&whole, plan & 1);
	http_answer_reset(&pieces, plan & 1);
	a = http_answer_feed(&whole, (const char *)data + 1, (uint32_t)(size - 1));
	b = feed_pieces(&pieces, (const char *)data + 1, size - 1, plan >> 1);
	FUZZ_CHECK(a <= HTTP_ANSWER_EXTRA, "status %d", (int)a);
	FUZZ_CHECK(a == b, "whole: %d, in pieces: %d", (int)a, (int)b);
	FUZZ_CHECK(whole.hdr_n < CLIENT_HDR_MAX, "header bytes %u", whole.hdr_n);
	if (a == HTTP_ANSWER_BAD)
		return 0;
	FUZZ_CHECK(whole.body_seen <= whole.body_len, "body %llu of %llu",
		   (unsigned long long)whole.body_seen, (unsigned long long)whole.body_len);
	FUZZ_CHECK(whole.in_body == pieces.in_body && whole.body_len == pieces.body_len &&
		   whole.body_seen == pieces.body_seen && whole.keep_alive == pieces.keep_alive &&
		   whole.bad_bytes == pieces.bad_bytes, "whole and pieces disagree");
	FUZZ_CHECK(whole.bad_bytes <= whole.body_seen, "more bad bytes than bytes");
	return 0;
}
