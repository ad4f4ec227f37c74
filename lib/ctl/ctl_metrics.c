/*
 * Prometheus: GET /metrics over a kernel socket ([ctl] metrics), served on
 * the main lcore from ctl_poll, so nothing here may wait: the socket and
 * every client are non-blocking, a client has READ_MS to send its request
 * and WRITE_MS to take the answer, and at most CLIENTS_MAX are served at
 * once (a newcomer replaces the oldest one still without a whole request
 * after IDLE_MS). An answer is built once, when the request is complete,
 * and written as the socket takes it, over as many polls as it needs. A
 * bind failure is logged and tern runs without metrics: monitoring must
 * not stop the data path.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/log.h"
#include "ctl_config.h"
#include "ctl_internal.h"
#include "ctl_metrics.h"

#define CLIENTS_MAX 8
#define BACKLOG 16
#define READ_MS 5000       /* from accept to a complete request head */
#define WRITE_MS 10000     /* from the request to the answer's last byte */
#define LINGER_MS 1000     /* after the answer: the client closes first, or we do */
#define IDLE_MS 1000       /* a client without a whole request this long may be replaced */

enum client_state { CL_FREE, CL_READ, CL_WRITE, CL_LINGER };

struct client {
	enum client_state st;
	int fd;
	uint64_t since_ms, deadline_ms;
	size_t got;                  /* bytes of req */
	size_t sent;                 /* bytes of head, then body, written */
	size_t head_len;
	char head[256];
	struct prom_buf body;
	char req[CTL_HTTP_HEAD_MAX];
};

enum { LOG_ACCEPT = 1, LOG_BUILD = 2, LOG_IO = 4, LOG_FULL = 8 };

struct ctl_metrics {
	int fd;
	char where[32];              /* ADDRESS:PORT, for the log */
	unsigned logged;             /* LOG_* already said once */
	struct ctl_metrics_stats stats;
	struct client cl[CLIENTS_MAX];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Each kind of error once: a scraper retrying every few seconds must not flood the log. */
static void __attribute__((format(printf, 3, 4)))
log_once(struct ctl_metrics *m, unsigned what, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (m->logged & what)
		return;
	m->logged |= what;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	TLOG(WARNING, "ctl: metrics on %s: %s (said once)", m->where, msg);
}

static void
client_close(struct ctl_metrics *m, struct client *cl, int dropped)
{
	close(cl->fd);
	prom_buf_free(&cl->body);
	cl->st = CL_FREE;
	m->stats.dropped += dropped != 0;
}

static int
listen_on(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, err;

	if (fd < 0)
		return -1;
	/* A restart must not wait for the last run's TIME-WAIT connections. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, BACKLOG) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
ctl_metrics_open(struct ctl *c)
{
	const struct ctl_cfg *cc = ctl_config(c->cfg);
	struct ctl_metrics *m;
	uint32_t a;

	c->metrics = NULL;
	if (cc == NULL || cc->metrics_addr == 0)
		return 0;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		TLOG(ERR, "ctl: out of memory: tern runs without metrics");
		return -1;
	}
	a = cc->metrics_addr;
	snprintf(m->where, sizeof(m->where), "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255, cc->metrics_port);
	m->fd = listen_on(a, cc->metrics_port);
	if (m->fd < 0) {
		TLOG(ERR, "ctl: metrics: cannot listen on %s: %s; tern runs without metrics",
		     m->where, strerror(errno));
		free(m);
		return -1;
	}
	TLOG(NOTICE, "ctl: metrics at http://%s/metrics", m->where);
	c->metrics = m;
	return 0;
}

/* A free slot, or the oldest client still reading after IDLE_MS (closed); NULL: all busy. */
static struct client *
slot_for_newcomer(struct ctl_metrics *m, uint64_t now)
{
	struct client *old = NULL;

	for (unsigned i = 0; i < CLIENTS_MAX; i++) {
		struct client *cl = &m->cl[i];

		if (cl->st == CL_FREE)
			return cl;
		if (cl->st == CL_READ && now - cl->since_ms >= IDLE_MS &&
		    (old == NULL || cl->since_ms < old->since_ms))
			old = cl;
	}
	if (old != NULL)
		client_close(m, old, 1);
	return old;
}

static void
accept_clients(struct ctl_metrics *m, uint64_t now)
{
	for (unsigned k = 0; k < 2 * CLIENTS_MAX; k++) {
		int fd = accept4(m->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *cl;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_once(m, LOG_ACCEPT, "accept: %s", strerror(errno));
			return;
		}
		cl = slot_for_newcomer(m, now);
		if (cl == NULL) {
			log_once(m, LOG_FULL, "%u clients busy at once: a newcomer was closed",
				 CLIENTS_MAX);
			close(fd);
			m->stats.dropped++;
			continue;
		}
		memset(cl, 0, offsetof(struct client, req));
		cl->st = CL_READ;
		cl->fd = fd;
		cl->since_ms = now;
		cl->deadline_ms = now + READ_MS;
	}
}

static void
count_answer(struct ctl_metrics *m, int status)
{
	for (unsigned i = 0; i < CTL_HTTP_NCODES; i++)
		if (ctl_http_codes[i] == status)
			m->stats.answers[i]++;
}

/* The answer to a complete request, built once: the scrape, or a short error. */
static void
answer(struct ctl *c, struct ctl_metrics *m, struct client *cl, int status, uint64_t now)
{
	int n;

	if (status == 200 && ctl_metrics_text(&c->src, &m->stats, &cl->body) != 0) {
		log_once(m, LOG_BUILD, "out of memory building an answer (500)");
		status = 500;
	}
	if (status != 200) {
		prom_buf_free(&cl->body);
		prom_append(&cl->body, "%s", ctl_http_error_body(status));
	}
	count_answer(m, status);
	n = ctl_http_head(cl->head, sizeof(cl->head), status, cl->body.len);
	cl->head_len = n > 0 ? (size_t)n : 0;
	cl->st = CL_WRITE;
	cl->deadline_ms = now + WRITE_MS;
}

/* Reads what the client sent (a bounded amount); 1 when it is gone (closed here), else 0. */
static int
client_read(struct ctl_metrics *m, struct client *cl)
{
	/* A client sending without end must not hold the main lcore: its deadline ends it. */
	for (unsigned budget = 64; budget > 0; budget--) {
		char sink[1024];
		int reading = cl->st == CL_READ && cl->got < sizeof(cl->req);
		ssize_t n = reading ? recv(cl->fd, cl->req + cl->got, sizeof(cl->req) - cl->got, 0) :
			recv(cl->fd, sink, sizeof(sink), 0);

		if (n > 0 && reading)
			cl->got += (size_t)n;
		else if (n > 0)
			continue; /* after the head: discarded */
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		else if (n == 0 && cl->st == CL_READ &&
			 ctl_http_status(cl->req, cl->got, sizeof(cl->req)) != 0)
			return 0; /* half-closed after a whole request (nc -N): it still gets its answer */
		else {
			if (n < 0 && errno != ECONNRESET)
				log_once(m, LOG_IO, "recv: %s", strerror(errno));
			client_close(m, cl, 0); /* the client went: not ours to count */
			return 1;
		}
		if (cl->got == sizeof(cl->req))
			return 0;
	}
	return 0;
}

/* Writes what the socket takes of head and body; 1 when the client is gone (closed), else 0. */
static int
client_write(struct ctl_metrics *m, struct client *cl, uint64_t now)
{
	while (cl->sent < cl->head_len + cl->body.len) {
		struct iovec iov[2];
		struct msghdr mh = { .msg_iov = iov };
		size_t off = cl->sent;
		ssize_t n;

		if (off < cl->head_len) {
			iov[mh.msg_iovlen++] = (struct iovec){ cl->head + off, cl->head_len - off };
			off = 0;
		} else {
			off -= cl->head_len;
		}
		if (cl->body.len > off)
			iov[mh.msg_iovlen++] = (struct iovec){ cl->body.p + off, cl->body.len - off };
		n = sendmsg(cl->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0; /* the rest in a later poll */
		if (n < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				log_once(m, LOG_IO, "send: %s", strerror(errno));
			client_close(m, cl, 0);
			return 1;
		}
		cl->sent += (size_t)n;
	}
	/* Our FIN first, then the client's: closing with its bytes unread would reset the answer. */
	shutdown(cl->fd, SHUT_WR);
	prom_buf_free(&cl->body);
	cl->st = CL_LINGER;
	cl->deadline_ms = now + LINGER_MS;
	return 0;
}

static void
serve(struct ctl *c, struct ctl_metrics *m, struct client *cl, uint64_t now)
{
	if ((cl->st == CL_READ || cl->st == CL_LINGER) && client_read(m, cl))
		return;
	if (cl->st == CL_READ) {
		int status = ctl_http_status(cl->req, cl->got, sizeof(cl->req));

		if (status == 0) {
			if (now >= cl->deadline_ms)
				client_close(m, cl, 1);
			return;
		}
		answer(c, m, cl, status, now);
	}
	if (cl->st == CL_WRITE && client_write(m, cl, now))
		return;
	if (now >= cl->deadline_ms)
		client_close(m, cl, cl->st == CL_WRITE);
}

void
ctl_metrics_poll(struct ctl *c)
{
	struct ctl_metrics *m = c->metrics;
	uint64_t now;

	if (m == NULL)
		return;
	now = now_ms();
	accept_clients(m, now);
	for (unsigned i = 0; i < CLIENTS_MAX; i++)
		if (m->cl[i].st != CL_FREE)
			serve(c, m, &m->cl[i], now);
}

void
ctl_metrics_close(struct ctl *c)
{
	struct ctl_metrics *m = c->metrics;

	if (m == NULL)
		return;
	for (unsigned i = 0; i < CLIENTS_MAX; i++)
		if (m->cl[i].st != CL_FREE)
			client_close(m, &m->cl[i], 0);
	close(m->fd);
	free(m);
	c->metrics = NULL;
}
