/* The metrics endpoint's HTTP: request heads judged, answer heads written (RFC 9112). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl_http.h"

const int ctl_http_codes[CTL_HTTP_NCODES] = { 200, 400, 404, 405, 500, 505 };

struct request_line {
	const char *method, *target;
	size_t method_len, target_len;
	int major, minor;
};

/* RFC 9110 §5.6.2 token characters. */
static int
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* Just past the empty line that ends the head (CRLF or a bare LF), or 0. */
static size_t
head_end(const char *buf, size_t len)
{
	for (size_t i = 1; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n'))
			return i + 1;
	}
	return 0;
}

/* The line at p (its end, CR excluded, in *end); returns where the next starts. */
static const char *
next_line(const char *p, const char *lim, const char **end)
{
	const char *nl = memchr(p, '\n', (size_t)(lim - p));

	*end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
	return nl + 1;
}

/* METHOD SP TARGET SP HTTP/D.D: 0, or -1 when malformed. */
static int
parse_request_line(const char *p, const char *end, struct request_line *r)
{
	const char *sp1 = memchr(p, ' ', (size_t)(end - p)), *sp2, *v;

	if (sp1 == NULL || sp1 == p)
		return -1;
	for (const char *q = p; q < sp1; q++)
		if (!is_tchar(*q))
			return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return -1;
	for (const char *q = sp1 + 1; q < sp2; q++)
		if (is_ctl(*q))
			return -1;
	v = sp2 + 1;
	if (end - v != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
	    v[6] != '.' || v[7] < '0' || v[7] > '9')
		return -1;
	*r = (struct request_line){ .method = p, .method_len = (size_t)(sp1 - p),
		.target = sp1 + 1, .target_len = (size_t)(sp2 - sp1 - 1),
		.major = v[5] - '0', .minor = v[7] - '0' };
	return 0;
}

/* NAME ":" VALUE with no leading whitespace (obsolete folding is refused): 0 or -1. */
static int
parse_header(const char *p, const char *end, int *is_host)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));

	if (colon == NULL || colon == p)
		return -1;
	for (const char *q = p; q < colon; q++)
		if (!is_tchar(*q))
			return -1;
	for (const char *q = colon + 1; q < end; q++)
		if (is_ctl(*q) && *q != '\t')
			return -1;
	*is_host = colon - p == 4 && strncasecmp(p, "host", 4) == 0;
	return 0;
}

/* /metrics, with or without a query string, in origin or absolute form. */
static int
is_metrics(const char *t, size_t n)
{
	const char *q;

	if (n >= 7 && strncasecmp(t, "http://", 7) == 0) {
		const char *slash = memchr(t + 7, '/', n - 7);

		if (slash == NULL)
			return 0;
		n -= (size_t)(slash - t);
		t = slash;
	}
	q = memchr(t, '?', n);
	if (q != NULL)
		n = (size_t)(q - t);
	return n == 8 && memcmp(t, "/metrics", 8) == 0;
}

int
ctl_http_status(const char *buf, size_t len, size_t max)
{
	size_t n = head_end(buf, len);
	const char *p, *lim = buf + n, *end;
	struct request_line r;
	int host = 0;

	if (n == 0)
		return len >= max ? 400 : 0;
	p = next_line(buf, lim, &end);
	if (parse_request_line(buf, end, &r) != 0)
		return 400;
	while (p < lim) {
		const char *line = p;
		int is_host;

		p = next_line(p, lim, &end);
		if (end == line)
			break; /* the empty line */
		if (parse_header(line, end, &is_host) != 0)
			return 400;
		host |= is_host;
	}
	if (r.major != 1 || r.minor > 1)
		return 505;
	if (r.minor == 1 && !host)
		return 400; /* RFC 9112 §3.2: a 1.1 request must name its host */
	if (r.method_len != 3 || memcmp(r.method, "GET", 3) != 0)
		return 405;
	return is_metrics(r.target, r.target_len) ? 200 : 404;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

const char *
ctl_http_error_body(int status)
{
	switch (status) {
	case 404: return "404 not found: tern serves /metrics only\n";
	case 405: return "405 method not allowed: GET /metrics\n";
	case 500: return "500 the metrics could not be gathered (logged)\n";
	case 505: return "505 HTTP/1.0 or HTTP/1.1 only\n";
	default: return "400 bad request\n";
	}
}

int
ctl_http_head(char *out, size_t len, int status, size_t body_len)
{
	int n = snprintf(out, len, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "%sConnection: close\r\n\r\n", status, reason(status),
			 status == 200 ? "text/plain; version=0.0.4; charset=utf-8" :
			 "text/plain; charset=utf-8", body_len,
			 status == 405 ? "Allow: GET\r\n" : "");

	return n < 0 || (size_t)n >= len ? -1 : n;
}
