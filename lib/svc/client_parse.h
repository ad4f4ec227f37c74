/*
 * The client's reading of an HTTP/1.1 answer, fed in pieces as segments
 * arrive: status line and headers (at most CLIENT_HDR_MAX bytes), then a
 * body of Content-Length bytes. Only what a load generator needs: status
 * 200, Content-Length, Connection: close; no chunked bodies.
 */
#ifndef TERN_SVC_CLIENT_PARSE_H
#define TERN_SVC_CLIENT_PARSE_H

#include <stdint.h>

#define CLIENT_HDR_MAX 1024

enum http_answer_status {
	HTTP_ANSWER_MORE = 0,   /* incomplete: feed more */
	HTTP_ANSWER_DONE,       /* the whole answer is in, nothing after it */
	HTTP_ANSWER_BAD,        /* not a 200 with a Content-Length, or headers too long */
	HTTP_ANSWER_EXTRA,      /* bytes after the end of the answer */
};

struct http_answer {
	uint16_t hdr_n;
	uint8_t in_body;
	uint8_t keep_alive;     /* the server keeps the connection (no Connection: close) */
	uint8_t check_pattern;  /* body byte i must be i mod 251 (/bytes/N) */
	uint64_t body_len, body_seen;
	uint64_t bad_bytes;     /* body bytes off the pattern */
	char hdr[CLIENT_HDR_MAX];
};

void http_answer_reset(struct http_answer *a, int check_pattern);
enum http_answer_status http_answer_feed(struct http_answer *a, const char *p, uint32_t n);

#endif
