#include <string.h>
#include <strings.h>

#include "http_parse.h"

static const char *
find_head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return buf + i + 4;
	return NULL;
}

/* RFC 9110 §5.6.2 tchar. */
static int
is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* "METHOD SP target SP HTTP/1.x" */
static enum http_parse_result
parse_request_line(const char *p, const char *eol, struct http_request *req)
{
	const char *sp1 = memchr(p, ' ', eol - p), *sp2;

	if (sp1 == NULL || sp1 == p)
		return HTTP_PARSE_BAD;
	for (const char *q = p; q < sp1; q++)
		if (!is_tchar(*q))
			return HTTP_PARSE_BAD;
	req->method = (sp1 - p == 3 && memcmp(p, "GET", 3) == 0) ? HTTP_GET :
		      (sp1 - p == 4 && memcmp(p, "HEAD", 4) == 0) ? HTTP_HEAD : HTTP_OTHER;
	sp2 = memchr(sp1 + 1, ' ', eol - sp1 - 1);
	if (sp2 == NULL || sp2 == sp1 + 1)
		return HTTP_PARSE_BAD;
	req->target = sp1 + 1;
	req->target_len = sp2 - sp1 - 1;
	if (eol - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 || sp2[7] != '.' ||
	    sp2[6] < '0' || sp2[6] > '9' || sp2[8] < '0' || sp2[8] > '9')
		return HTTP_PARSE_BAD;
	if (sp2[6] != '1')
		return HTTP_PARSE_VERSION;
	req->minor = sp2[8] - '0';
	req->keep_alive = req->minor >= 1; /* RFC 9112 §9.3 defaults */
	return HTTP_PARSE_OK;
}

static int
token_in(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token);

	for (size_t i = 0; i + tl <= n; i++)
		if (strncasecmp(v + i, token, tl) == 0 && (i == 0 || v[i - 1] == ',' || v[i - 1] == ' ') &&
		    (i + tl == n || v[i + tl] == ',' || v[i + tl] == ' '))
			return 1;
	return 0;
}

static enum http_parse_result
parse_header(const char *p, const char *eol, struct http_request *req)
{
	const char *colon = memchr(p, ':', eol - p), *v;
	size_t name_len, vlen;

	if (colon == NULL || colon == p)
		return HTTP_PARSE_BAD;
	for (const char *q = p; q < colon; q++)
		if (!is_tchar(*q))
			return HTTP_PARSE_BAD; /* also rejects whitespace before the colon (RFC 9112 §5.1) */
	name_len = colon - p;
	for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
		;
	vlen = eol - v;
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (name_len == 10 && strncasecmp(p, "Connection", 10) == 0) {
		if (token_in(v, vlen, "close"))
			req->keep_alive = 0;
		else if (token_in(v, vlen, "keep-alive"))
			req->keep_alive = 1;
	} else if (name_len == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
		uint64_t n = 0;

		if (vlen == 0 || vlen > 15)
			return HTTP_PARSE_BAD;
		for (size_t i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return HTTP_PARSE_BAD;
			n = n * 10 + (uint64_t)(v[i] - '0');
		}
		req->content_length = n;
	} else if (name_len == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0)
		req->chunked = 1;
	return HTTP_PARSE_OK;
}

enum http_parse_result
http_parse(const char *buf, size_t len, struct http_request *req)
{
	const char *end = find_head_end(buf, len > HTTP_MAX_HEAD ? HTTP_MAX_HEAD : len);
	const char *p = buf, *eol;
	enum http_parse_result rc;

	memset(req, 0, sizeof(*req));
	if (end == NULL)
		return len >= HTTP_MAX_HEAD ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
	req->head_len = end - buf;
	eol = memchr(p, '\r', end - p);
	if (eol == NULL || eol[1] != '\n')
		return HTTP_PARSE_BAD;
	if ((rc = parse_request_line(p, eol, req)) != HTTP_PARSE_OK)
		return rc;
	for (p = eol + 2; p < end - 2; p = eol + 2) {
		eol = memchr(p, '\r', end - p);
		if (eol == NULL || eol[1] != '\n')
			return HTTP_PARSE_BAD;
		if ((rc = parse_header(p, eol, req)) != HTTP_PARSE_OK)
			return rc;
	}
	return HTTP_PARSE_OK;
}
