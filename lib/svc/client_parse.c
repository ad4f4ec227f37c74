#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client_parse.h"
#include "pattern.h"

void
http_answer_reset(struct http_answer *a, int check_pattern)
{
	a->hdr_n = 0;
	a->in_body = 0;
	a->keep_alive = 1;
	a->check_pattern = (uint8_t)check_pattern;
	a->body_len = a->body_seen = a->bad_bytes = 0;
}

/* The value of header name (lower case, with the colon) in the header block, or NULL. */
static const char *
header_value(const char *hdr, const char *name)
{
	size_t len = strlen(name);

	for (const char *line = strstr(hdr, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
		const char *h = line + 2;

		if (strncasecmp(h, name, len) == 0) {
			h += len;
			while (*h == ' ' || *h == '\t')
				h++;
			return h;
		}
	}
	return NULL;
}

/* Status line and headers complete (hdr is NUL-terminated at the blank line). */
static int
parse_head(struct http_answer *a)
{
	const char *cl, *conn;
	char *end;

	if (strncmp(a->hdr, "HTTP/1.1 200 ", 13) != 0 && strncmp(a->hdr, "HTTP/1.0 200 ", 13) != 0)
		return -1;
	cl = header_value(a->hdr, "content-length:");
	if (cl == NULL || !isdigit((unsigned char)*cl))
		return -1;
	a->body_len = strtoull(cl, &end, 10);
	conn = header_value(a->hdr, "connection:");
	if (conn != NULL && strncasecmp(conn, "close", 5) == 0)
		a->keep_alive = 0;
	if (strncmp(a->hdr, "HTTP/1.0", 8) == 0 && (conn == NULL || strncasecmp(conn, "keep-alive", 10)))
		a->keep_alive = 0;
	return 0;
}

/* Compares in slices of the table (memcmp speed); byte by byte only where they differ. */
static void
check_body(struct http_answer *a, const char *p, uint32_t n)
{
	uint64_t off = a->body_seen;

	if (!a->check_pattern)
		return;
	while (n > 0) {
		uint32_t k = n < BYTES_PATTERN_CHUNK ? n : BYTES_PATTERN_CHUNK;
		const uint8_t *want = bytes_pattern + off % BYTES_PATTERN_PERIOD;

		if (memcmp(p, want, k) != 0)
			for (uint32_t i = 0; i < k; i++)
				a->bad_bytes += (uint8_t)p[i] != want[i];
		p += k;
		off += k;
		n -= k;
	}
}

static enum http_answer_status
feed_body(struct http_answer *a, const char *p, uint32_t n)
{
	uint64_t want = a->body_len - a->body_seen;
	uint32_t take = n < want ? n : (uint32_t)want;

	check_body(a, p, take);
	a->body_seen += take;
	if (take < n)
		return HTTP_ANSWER_EXTRA;
	return a->body_seen == a->body_len ? HTTP_ANSWER_DONE : HTTP_ANSWER_MORE;
}

enum http_answer_status
http_answer_feed(struct http_answer *a, const char *p, uint32_t n)
{
	while (!a->in_body && n > 0) {
		if (a->hdr_n == CLIENT_HDR_MAX - 1)
			return HTTP_ANSWER_BAD;
		a->hdr[a->hdr_n++] = *p++;
		n--;
		if (a->hdr_n >= 4 && memcmp(a->hdr + a->hdr_n - 4, "\r\n\r\n", 4) == 0) {
			a->hdr[a->hdr_n - 2] = '\0'; /* keep the last header's CRLF for header_value */
			if (parse_head(a) != 0)
				return HTTP_ANSWER_BAD;
			a->in_body = 1;
		}
	}
	if (!a->in_body)
		return HTTP_ANSWER_MORE;
	if (n == 0)
		return a->body_seen == a->body_len ? HTTP_ANSWER_DONE : HTTP_ANSWER_MORE;
	return feed_body(a, p, n);
}
