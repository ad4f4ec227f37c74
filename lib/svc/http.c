/*
 * HTTP/1.1 responder (RFC 9112) for clients and benchmarks: keep-alive,
 * pipelining, Connection: close, GET and HEAD of "/" and "/bytes/N" (N
 * bytes, byte i = i mod 251), 404, 400, 405, 431, 505. Request bytes stay
 * unconsumed (holding the TCP window) until their request is parsed;
 * response bodies are generated as send space opens.
 */
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "svc_internal.h"
#include "pattern.h"
#include "http_parse.h"
#include "svc.h"
#include "tcp/tcp_mbuf.h"

#define HTTP_MAX_BODY (1ull << 40)
#define RESP_HEAD_MAX 256

struct http_conn {
	struct rte_mbuf *rx;       /* received, not yet parsed */
	uint64_t body_left;        /* bytes of the current body still to send */
	uint64_t body_off;
	uint64_t skip_left;        /* request body bytes to discard */
	uint8_t close_after;       /* close once the current response is sent */
	uint8_t peer_fin;
	uint8_t closing;
};

static const char home_page[] =
	"<!DOCTYPE html>\n<html><head><title>tern</title></head>\n"
	"<body><h1>tern</h1><p>A TCP termination appliance on DPDK.</p>\n"
	"<p>Try <a href=\"/bytes/1024\">/bytes/1024</a>.</p></body></html>\n";

int
http_worker_init(struct svc_worker *svw)
{
	bytes_pattern_init();
	svw->http = rte_zmalloc("tern_http", (size_t)svw->max_conns * sizeof(struct http_conn), 0);
	return svw->http == NULL ? -ENOMEM : 0;
}

void
http_worker_fini(struct svc_worker *svw)
{
	rte_free(svw->http);
	svw->http = NULL;
}

static struct http_conn *
conn_of(struct svc_worker *svw, struct tcb *c)
{
	return &svw->http[tern_conn_id(c)];
}

/* Sends the body pattern while there is send space; 1 when all of it went. */
static int
send_body(struct tcb *c, struct http_conn *hc, struct rte_mempool *pool)
{
	while (hc->body_left > 0) {
		uint32_t space = tern_send_space(c);
		struct rte_mbuf *m;
		uint32_t n;

		if (space == 0 || (m = rte_pktmbuf_alloc(pool)) == NULL) {
			tern_notify_writable(c);
			return 0;
		}
		n = (uint32_t)RTE_MIN((uint64_t)RTE_MIN(space, (uint32_t)rte_pktmbuf_tailroom(m)),
				      hc->body_left);
		n = RTE_MIN(n, (uint32_t)BYTES_PATTERN_CHUNK);
		memcpy(rte_pktmbuf_append(m, n), bytes_pattern + hc->body_off % BYTES_PATTERN_PERIOD, n);
		if (tern_send(c, m) != n) {
			rte_pktmbuf_free(m);
			return 0;
		}
		hc->body_left -= n;
		hc->body_off += n;
	}
	return 1;
}

static void
respond(struct tcb *c, struct http_conn *hc, int status, const char *reason,
	uint64_t length, const char *body, int head_only, const char *extra)
{
	char head[RESP_HEAD_MAX];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nServer: tern\r\nContent-Length: %llu\r\n%s%s\r\n",
			 status, reason, (unsigned long long)length, extra ? extra : "",
			 hc->close_after ? "Connection: close\r\n" : "Connection: keep-alive\r\n");

	tern_send_bytes(c, head, (uint32_t)n);
	if (body != NULL && !head_only)
		tern_send_bytes(c, body, (uint32_t)length);
}

/* "/bytes/N": N in decimal, at most HTTP_MAX_BODY. */
static int
parse_bytes_target(const struct http_request *r, uint64_t *n)
{
	const char *p = r->target + 7;
	size_t len = r->target_len;

	if (len <= 7 || len > 7 + 14 || memcmp(r->target, "/bytes/", 7) != 0)
		return 0;
	*n = 0;
	for (; p < r->target + len; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		*n = *n * 10 + (uint64_t)(*p - '0');
	}
	return *n <= HTTP_MAX_BODY;
}

static void
serve(struct tcb *c, struct http_conn *hc, const struct http_request *r)
{
	int head_only = r->method == HTTP_HEAD;
	uint64_t n;

	hc->close_after = !r->keep_alive || hc->peer_fin;
	if (r->method == HTTP_OTHER) {
		hc->close_after = 1; /* its body is not ours to parse */
		respond(c, hc, 405, "Method Not Allowed", 19, "method not allowed\n", 0,
			"Allow: GET, HEAD\r\n");
	} else if (r->target_len == 1 && r->target[0] == '/')
		respond(c, hc, 200, "OK", sizeof(home_page) - 1, home_page, head_only,
			"Content-Type: text/html\r\n");
	else if (parse_bytes_target(r, &n)) {
		respond(c, hc, 200, "OK", n, NULL, head_only,
			"Content-Type: application/octet-stream\r\n");
		hc->body_left = head_only ? 0 : n;
		hc->body_off = 0;
	} else
		respond(c, hc, 404, "Not Found", 10, "not found\n", head_only, NULL);
}

static void
fail_request(struct tcb *c, struct http_conn *hc, enum http_parse_result rc)
{
	hc->close_after = 1;
	if (rc == HTTP_PARSE_TOO_LARGE)
		respond(c, hc, 431, "Request Header Fields Too Large", 22, "header fields too large\n", 0, NULL);
	else if (rc == HTTP_PARSE_VERSION)
		respond(c, hc, 505, "HTTP Version Not Supported", 25, "HTTP version not supported\n", 0, NULL);
	else
		respond(c, hc, 400, "Bad Request", 12, "bad request\n", 0, NULL);
}

/* Drops n parsed bytes from the receive buffer and reopens the window by as much. */
static void
rx_consume(struct tcb *c, struct http_conn *hc, uint64_t n)
{
	uint32_t have = hc->rx ? rte_pktmbuf_pkt_len(hc->rx) : 0;
	uint32_t cut = (uint32_t)RTE_MIN(n, (uint64_t)have);

	if (cut > 0)
		hc->rx = cut == have ? (rte_pktmbuf_free(hc->rx), NULL) : mbuf_cut_front(hc->rx, cut);
	tern_consumed(c, cut);
}

/* Parses and answers the next complete request; returns 1 when it did. */
static int
next_request(struct tcb *c, struct http_conn *hc)
{
	char buf[HTTP_MAX_HEAD];
	uint32_t have = hc->rx ? rte_pktmbuf_pkt_len(hc->rx) : 0;
	uint32_t len = RTE_MIN(have, (uint32_t)sizeof(buf));
	const char *p;
	struct http_request r;
	enum http_parse_result rc;

	if (len == 0)
		return 0;
	if (tern_send_space(c) < RESP_HEAD_MAX + sizeof(home_page)) {
		tern_notify_writable(c);
		return 0;
	}
	p = rte_pktmbuf_read(hc->rx, 0, len, buf);
	rc = http_parse(p, len, &r);
	if (rc == HTTP_PARSE_INCOMPLETE)
		return 0;
	if (rc != HTTP_PARSE_OK || r.chunked) {
		fail_request(c, hc, rc == HTTP_PARSE_OK ? HTTP_PARSE_BAD : rc);
		rx_consume(c, hc, have);
		return 1;
	}
	serve(c, hc, &r);
	rx_consume(c, hc, r.head_len);
	hc->skip_left = r.content_length;
	return 1;
}

/* Moves the connection along: body, close, next pipelined request. */
static void
http_pump(struct tcb *c, struct http_conn *hc, struct rte_mempool *pool)
{
	while (!hc->closing) {
		if (hc->skip_left > 0 && hc->rx != NULL) {
			uint64_t n = RTE_MIN(hc->skip_left, (uint64_t)rte_pktmbuf_pkt_len(hc->rx));

			hc->skip_left -= n;
			rx_consume(c, hc, n);
		}
		if (!send_body(c, hc, pool))
			return; /* on_writable continues */
		if (hc->close_after || (hc->peer_fin && (hc->rx == NULL || hc->skip_left > 0))) {
			/* Input after the last answered request is dropped, not left unread:
			 * closing with unread data would reset the response (RFC 1122 §4.2.2.13). */
			rx_consume(c, hc, UINT64_MAX);
			hc->closing = 1;
			tern_close_lingering(c);
			return;
		}
		if (hc->skip_left > 0 || !next_request(c, hc))
			return;
	}
}

static void
http_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct http_conn *hc = conn_of(ctx, c);

	if (hc->closing) {
		uint32_t len = rte_pktmbuf_pkt_len(m);

		rte_pktmbuf_free(m);
		tern_consumed(c, len);
		return;
	}
	if (hc->rx == NULL)
		hc->rx = m;
	else if (rte_pktmbuf_chain(hc->rx, m) != 0) {
		rte_pktmbuf_free(m); /* 65535 segments of unparsed request: hostile */
		hc->closing = 1;
		tern_abort(c);
		return;
	}
	http_pump(c, hc, m->pool);
}

static void
http_writable(struct tcb *c, void *ctx)
{
	struct http_conn *hc = conn_of(ctx, c);

	http_pump(c, hc, ((struct svc_worker *)ctx)->pool);
}

static void
http_peer_fin(struct tcb *c, void *ctx)
{
	struct http_conn *hc = conn_of(ctx, c);

	hc->peer_fin = 1;
	http_pump(c, hc, ((struct svc_worker *)ctx)->pool);
}

static void
http_closed(struct tcb *c, void *ctx, enum tern_close_reason reason)
{
	struct http_conn *hc = conn_of(ctx, c);

	(void)reason;
	rte_pktmbuf_free(hc->rx);
	memset(hc, 0, sizeof(*hc));
}

static const struct tern_conn_ops http_ops = {
	.on_data = http_data,
	.on_writable = http_writable,
	.on_peer_fin = http_peer_fin,
	.on_closed = http_closed,
};

int
http_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	struct svc_worker *svw = listen_ctx;

	memset(conn_of(svw, c), 0, sizeof(struct http_conn));
	*ops = &http_ops;
	*ctx = svw;
	return 0;
}
