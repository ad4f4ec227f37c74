/* Parsing one HTTP/1.x request head (RFC 9112 §3, §5); no I/O. */
#ifndef TERN_SVC_HTTP_PARSE_H
#define TERN_SVC_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEAD 8192

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

enum http_parse_result {
	HTTP_PARSE_OK = 0,
	HTTP_PARSE_INCOMPLETE,      /* no blank line yet */
	HTTP_PARSE_BAD,             /* 400 */
	HTTP_PARSE_TOO_LARGE,       /* 431 */
	HTTP_PARSE_VERSION,         /* 505 */
};

struct http_request {
	enum http_method method;
	int minor;                  /* HTTP/1.minor */
	int keep_alive;             /* after this request */
	int chunked;                /* Transfer-Encoding present */
	uint64_t content_length;
	const char *target;         /* into the caller's buffer, not terminated */
	size_t target_len;
	size_t head_len;            /* bytes up to and including the blank line */
};

/* Parses the request head at the start of buf (len bytes). */
enum http_parse_result http_parse(const char *buf, size_t len, struct http_request *req);

#endif
