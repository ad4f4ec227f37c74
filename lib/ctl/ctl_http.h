/*
 * The little HTTP the metrics endpoint speaks, as pure functions: what a
 * request head deserves, and the head of the answer. One request per
 * connection (every answer says Connection: close), which is what
 * Prometheus and curl cope with and keeps the server a few states.
 */
#ifndef TERN_CTL_CTL_HTTP_H
#define TERN_CTL_CTL_HTTP_H

#include <stddef.h>

#define CTL_HTTP_HEAD_MAX 8192   /* a longer request head is refused (400) */

/* The statuses the endpoint answers with (a table for its own counts). */
#define CTL_HTTP_NCODES 6
extern const int ctl_http_codes[CTL_HTTP_NCODES]; /* 200 400 404 405 500 505 */

/*
 * The status the request head in buf (len bytes, not NUL-terminated)
 * deserves: 0 while the head is incomplete (no empty line yet and fewer than
 * max bytes); 200 for GET /metrics (a query string is ignored); 404 for any
 * other path; 405 for any other method (HEAD included); 505 for a version
 * other than HTTP/1.0 and HTTP/1.1; 400 for a malformed request line or
 * header, an HTTP/1.1 request without Host, or max bytes without an end.
 */
int ctl_http_status(const char *buf, size_t len, size_t max);

/*
 * The head of an answer with body_len bytes of body (text/plain; 200s say
 * version=0.0.4, Prometheus's text format). Its length, or -1 when out
 * (len bytes) is too small.
 */
int ctl_http_head(char *out, size_t len, int status, size_t body_len);

/* A one-line body for an error status. */
const char *ctl_http_error_body(int status);

#endif
