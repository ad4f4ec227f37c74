/*
 * tern-linux-conn: the Linux baseline for the connection benchmarks. The
 * same HTTP/1.1 exchange as tern's http service (GET /bytes/N answers N
 * bytes, byte i = i % 251), served and loaded by plain Linux sockets:
 * one process, one thread, epoll, non-blocking sockets.
 *
 *   tern-linux-conn server --addr A --port P [--cpu N]
 *   tern-linux-conn client --addr A --port P --mode cps|rps --concurrency K
 *                          --seconds S [--bytes N] [--cpu N] [--json]
 *                          [--label TEXT] [--rst-close]
 *
 * The client measures completed requests, connections, errors, latency
 * percentiles (log-linear histogram, no per-request storage) and the CPU
 * time of its own process over the measured interval, so that "requests
 * per CPU second" compares with tern's worker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PROG "tern-linux-conn"
#define MAX_BODY (1u << 20)    /* largest N of GET /bytes/N */
#define PATTERN_PERIOD 251u    /* byte i of a body is i % 251 */
#define LISTEN_BACKLOG 4096
#define SRV_INBUF 4096         /* a request (headers included) must fit */
#define CL_HDRBUF 1024         /* an answer's status line and headers must fit */
#define CL_RBUF (64u * 1024)   /* one recv() */
#define MAX_EVENTS 512
#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull
#define WARMUP_NS (200 * NS_PER_MS)
#define BACKOFF_NS NS_PER_MS   /* a failed slot waits this long before it reopens */
#define STALL_NS (5 * NS_PER_S) /* a slot without progress this long is an error */
#define SCAN_NS (100 * NS_PER_MS)

enum mode { MODE_CPS, MODE_RPS };

struct opts {
	bool server;
	struct sockaddr_in sa;
	bool have_addr, have_port, have_mode, have_conc, have_seconds;
	int cpu;               /* -1: not pinned */
	enum mode mode;
	unsigned conc;
	double seconds;
	unsigned bytes;
	bool json;
	const char *label;     /* NULL: none */
	bool rst_close;
	uint64_t rate;         /* rps: requests per second on schedule (open loop); 0: closed loop */
	unsigned client_only;  /* client options seen, for the server's error message */
};

/* ---------------------------------------------------------------- common */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Bodies are sent from (server) and compared against (client) a slice of
 * this buffer starting at offset % 251, so it holds one period more than
 * the longest slice. */
static char *
make_pattern(void)
{
	size_t len = MAX_BODY + PATTERN_PERIOD;
	char *p = malloc(len);

	if (p == NULL) {
		perror(PROG ": malloc");
		exit(1);
	}
	for (size_t i = 0; i < len; i++)
		p[i] = (char)(i % PATTERN_PERIOD);
	return p;
}

static void
set_nodelay(int fd)
{
	int one = 1;

	/* Answers and requests are written whole; Nagle would only hold back
	 * the tail of an answer that needed two writes. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The value of header NAME (case-insensitive) in HDRS, the lines after
 * the start line, trimmed; NULL when absent. */
static const char *
header_value(const char *hdrs, size_t len, const char *name, size_t *vlen)
{
	const char *p = hdrs, *end = hdrs + len;
	size_t nlen = strlen(name);

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		const char *colon;

		if (eol == NULL)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL && (size_t)(colon - p) == nlen && strncasecmp(p, name, nlen) == 0) {
			const char *v = colon + 1, *ve = eol;

			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			*vlen = (size_t)(ve - v);
			return v;
		}
		p = eol + 2;
	}
	return NULL;
}

/* Whether the comma separated list V holds TOK (case-insensitive), as in
 * "Connection: keep-alive, close". */
static bool
has_token(const char *v, size_t len, const char *tok)
{
	size_t tlen = strlen(tok);
	const char *end = v + len;

	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *te = comma ? comma : end;

		while (v < te && (*v == ' ' || *v == '\t'))
			v++;
		while (te > v && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		if ((size_t)(te - v) == tlen && strncasecmp(v, tok, tlen) == 0)
			return true;
		v = comma ? comma + 1 : end;
	}
	return false;
}

/* A decimal number of at most MAXDIG digits, nothing else. */
static int
parse_digits(const char *s, size_t len, size_t maxdig, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > maxdig)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------------- histogram */

/*
 * Log-linear: values below 128 ns have a bucket each; above, every power
 * of two is cut in 128 equal buckets (resolution 1/128 < 0.8 %). Values
 * of 2^34 ns (17 s) and more share the last bucket.
 */
#define H_SUB_BITS 7
#define H_SUB (1u << H_SUB_BITS)
#define H_MAX_EXP 34
#define H_BUCKETS (H_SUB + (H_MAX_EXP - H_SUB_BITS) * H_SUB)

struct hist {
	uint64_t count;
	uint64_t b[H_BUCKETS];
};

static unsigned
hist_index(uint64_t v)
{
	unsigned e;

	if (v < H_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* v in [2^e, 2^(e+1)) */
	if (e >= H_MAX_EXP)
		return H_BUCKETS - 1;
	return H_SUB + (e - H_SUB_BITS) * H_SUB + (unsigned)((v >> (e - H_SUB_BITS)) - H_SUB);
}

/* The middle of bucket I. */
static double
hist_value(unsigned i)
{
	unsigned e, m;

	if (i < H_SUB)
		return i;
	e = H_SUB_BITS + (i - H_SUB) / H_SUB;
	m = H_SUB + (i - H_SUB) % H_SUB;
	return ((double)m + 0.5) * (double)(1ull << (e - H_SUB_BITS));
}

static void
hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
}

/* The value at quantile Q (0..1) in ns; 0 when empty. */
static double
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank = (uint64_t)(q * (double)h->count + 0.999999), seen = 0;

	if (h->count == 0)
		return 0;
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < H_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			return hist_value(i);
	}
	return hist_value(H_BUCKETS - 1);
}

/* ---------------------------------------------------------------- server */

struct srv_conn {
	struct srv_conn *prev, *next; /* all connections, freed at exit */
	int fd;
	bool close_after;  /* close once the pending answer is out */
	bool want_out;     /* waiting for EPOLLOUT: an answer is blocked */
	size_t in_len;
	size_t hdr_off, hdr_len;
	size_t body_off, body_len;
	char hdr[96];
	char in[SRV_INBUF];
};

struct server {
	int ep, lfd, sfd;
	char *pattern;
	struct srv_conn *conns;
	bool accept_paused; /* out of fds: the listener waits for a close */
	bool accept_warned; /* the pause is reported once, not per close */
	uint64_t requests, connections;
};

static int
srv_listen(const struct opts *o)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0) {
		perror(PROG ": socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&o->sa, sizeof(o->sa)) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &o->sa.sin_addr, a, sizeof(a));
		fprintf(stderr, PROG ": listen on %s:%u: %s\n", a, ntohs(o->sa.sin_port),
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* SIGINT/SIGTERM arrive as a readable fd in the same epoll set: no
 * handler, no flag, no race with epoll_wait. */
static int
srv_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int
srv_arm(struct server *s, struct srv_conn *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c };

	c->want_out = out;
	return epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Takes (IN) or leaves (0) the listener's readable events. */
static void
srv_listen_arm(struct server *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &s->lfd };

	epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev);
	s->accept_paused = events == 0;
}

static void
srv_close(struct server *s, struct srv_conn *c)
{
	close(c->fd); /* also leaves the epoll set */
	if (s->accept_paused)
		srv_listen_arm(s, EPOLLIN); /* an fd is free again */
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
}

/* A new connection: on the list, in the epoll set, reading. */
static void
srv_add(struct server *s, int fd)
{
	struct srv_conn *c = malloc(sizeof(*c));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->close_after = c->want_out = false;
	c->in_len = c->hdr_off = c->hdr_len = c->body_off = c->body_len = 0;
	c->prev = NULL;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	set_nodelay(fd);
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		srv_close(s, c);
		return;
	}
	s->connections++;
}

static void
srv_accept(struct server *s)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			srv_add(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* Out of fds (or memory): a level-triggered listener would spin,
		 * so it sleeps until one of our connections closes. */
		if (!s->accept_warned)
			fprintf(stderr, PROG ": accept: %s (accepts wait for a close; "
				"reported once)\n", strerror(errno));
		s->accept_warned = true;
		if (s->conns != NULL)
			srv_listen_arm(s, 0);
		return;
	}
}

/* Parses one request of LEN bytes (through its blank line): 0 and the body
 * size and keep-alive flag when it is a valid GET /bytes/N, -1 otherwise. */
static int
srv_parse(const char *p, size_t len, uint64_t *bytes, bool *keep)
{
	static const char pre[] = "GET /bytes/";
	const size_t plen = sizeof(pre) - 1;
	const char *eol = memmem(p, len, "\r\n", 2), *sp, *v;
	size_t vlen;

	if (eol == NULL || (size_t)(eol - p) < plen || memcmp(p, pre, plen) != 0)
		return -1;
	sp = memchr(p + plen, ' ', (size_t)(eol - p - plen));
	if (sp == NULL || parse_digits(p + plen, (size_t)(sp - p - plen), 7, bytes) != 0 ||
	    *bytes > MAX_BODY)
		return -1;
	if (eol - sp == 9 && memcmp(sp, " HTTP/1.1", 9) == 0)
		*keep = true;
	else if (eol - sp == 9 && memcmp(sp, " HTTP/1.0", 9) == 0)
		*keep = false; /* HTTP/1.0 closes unless asked otherwise */
	else
		return -1;
	v = header_value(eol + 2, (size_t)(p + len - eol - 2), "connection", &vlen);
	if (v != NULL && has_token(v, vlen, "close"))
		*keep = false;
	else if (v != NULL && has_token(v, vlen, "keep-alive"))
		*keep = true;
	return 0;
}

/* Sets up the answer to one request; it goes out with srv_flush. */
static void
srv_answer(struct server *s, struct srv_conn *c, const char *req, size_t len)
{
	uint64_t n;
	bool keep;
	int h;

	if (srv_parse(req, len, &n, &keep) != 0) {
		h = snprintf(c->hdr, sizeof(c->hdr),
			     "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n");
		n = 0;
		keep = false;
	} else {
		h = snprintf(c->hdr, sizeof(c->hdr), "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n%s\r\n",
			     (unsigned long long)n, keep ? "" : "Connection: close\r\n");
		s->requests++;
	}
	c->hdr_off = 0;
	c->hdr_len = (size_t)h;
	c->body_off = 0;
	c->body_len = n;
	c->close_after = !keep;
}

/* Writes the pending answer: 1 when it is all out, 0 when the socket is
 * full, -1 on an error. */
static int
srv_flush(const struct server *s, struct srv_conn *c)
{
	while (c->hdr_off < c->hdr_len || c->body_off < c->body_len) {
		struct iovec iov[2];
		int n = 0;
		ssize_t w;
		size_t hw;

		if (c->hdr_off < c->hdr_len)
			iov[n++] = (struct iovec){ c->hdr + c->hdr_off, c->hdr_len - c->hdr_off };
		if (c->body_off < c->body_len)
			iov[n++] = (struct iovec){ s->pattern + c->body_off % PATTERN_PERIOD,
						   c->body_len - c->body_off };
		w = writev(c->fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		hw = c->hdr_len - c->hdr_off < (size_t)w ? c->hdr_len - c->hdr_off : (size_t)w;
		c->hdr_off += hw;
		c->body_off += (size_t)w - hw;
	}
	return 1;
}

/* Answers the complete requests in the input buffer, in order, as long as
 * the socket takes the answers: 0 to keep the connection, -1 to close it. */
static int
srv_process(struct server *s, struct srv_conn *c)
{
	for (;;) {
		const char *end;
		size_t len;
		int r;

		r = srv_flush(s, c);
		if (r < 0)
			return -1;
		if (r == 0) /* resume on EPOLLOUT; stop reading meanwhile */
			return c->want_out ? 0 : srv_arm(s, c, true);
		if (c->close_after)
			return -1;
		if (c->want_out && srv_arm(s, c, false) != 0)
			return -1;
		end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		if (end == NULL) {
			if (c->in_len < sizeof(c->in))
				return 0;
			/* a full buffer without a blank line: not ours */
			srv_answer(s, c, "", 0);
			continue;
		}
		len = (size_t)(end + 4 - c->in);
		srv_answer(s, c, c->in, len);
		c->in_len -= len;
		memmove(c->in, c->in + len, c->in_len);
	}
}

static void
srv_event(struct server *s, struct srv_conn *c, uint32_t events)
{
	if (!c->want_out && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		/* Level-triggered: one read per wakeup, the rest comes with
		 * the next epoll_wait. */
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			srv_close(s, c);
			return;
		}
		if (n > 0)
			c->in_len += (size_t)n;
	} else if (c->want_out && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLOUT)) {
		srv_close(s, c);
		return;
	}
	if (srv_process(s, c) != 0)
		srv_close(s, c);
}

static int
server_run(const struct opts *o)
{
	struct server s = { .ep = -1, .lfd = -1, .sfd = -1 };
	struct epoll_event evs[MAX_EVENTS], ev = { .events = EPOLLIN };
	bool stop = false;

	s.pattern = make_pattern();
	s.sfd = srv_signalfd();
	if (s.sfd < 0) {
		perror(PROG ": signalfd");
		return 1;
	}
	s.lfd = srv_listen(o);
	if (s.lfd < 0)
		return 1;
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0) {
		perror(PROG ": epoll_create1");
		return 1;
	}
	ev.data.ptr = &s.lfd;
	epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, &ev);
	ev.data.ptr = &s.sfd;
	epoll_ctl(s.ep, EPOLL_CTL_ADD, s.sfd, &ev);
	while (!stop) {
		int n = epoll_wait(s.ep, evs, MAX_EVENTS, -1);

		if (n < 0 && errno != EINTR) {
			perror(PROG ": epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &s.lfd)
				srv_accept(&s);
			else if (evs[i].data.ptr == &s.sfd)
				stop = true;
			else
				srv_event(&s, evs[i].data.ptr, evs[i].events);
		}
	}
	printf("served %llu requests on %llu connections\n", (unsigned long long)s.requests,
	       (unsigned long long)s.connections);
	while (s.conns != NULL)
		srv_close(&s, s.conns);
	close(s.ep);
	close(s.lfd);
	close(s.sfd);
	free(s.pattern);
	return 0;
}

/* ---------------------------------------------------------------- client */

enum slot_state {
	SL_BACKOFF,     /* failed; reopens at retry_at */
	SL_CONNECTING,  /* connect() in progress */
	SL_SENDING,     /* request partly written */
	SL_READING,     /* waiting for (the rest of) the answer */
	SL_DRAINING,    /* cps: answer complete, waiting for the server's FIN */
	SL_IDLE,        /* --rate: connected or answered, waiting for a due request */
};

enum err_kind { ERR_CONNECT, ERR_RESET, ERR_SHORT, ERR_ANSWER, ERR_STALL, ERR_KINDS };

static const char *const err_names[ERR_KINDS] = { "connect", "reset", "short", "bad-answer",
						  "stall" };

struct slot {
	int fd;
	enum slot_state st;
	bool server_closes;  /* the answer said Connection: close */
	bool hdr_done;
	size_t sent, hdr_len;
	uint64_t clen, body_got;
	uint64_t t_start;    /* latency origin, ns */
	uint64_t t_progress; /* last send/recv/open, for the stall check */
	uint64_t retry_at;
	bool answered;       /* the connection completed an answer */
	char hdr[CL_HDRBUF];
};

struct stats {
	uint64_t requests, connections, errors, err[ERR_KINDS];
	struct hist lat;
};

struct client {
	const struct opts *o;
	int ep;
	char req[128];
	size_t req_len;
	char *pattern;
	char *rbuf;
	struct slot *slots;
	unsigned backoff;    /* slots in SL_BACKOFF */
	uint64_t now;        /* time of the last epoll_wait return */
	uint64_t sched_start, sched_k; /* --rate: due times are start + k * 1e9 / rate */
	uint64_t next_due;   /* --rate: when the next request is due */
	uint64_t unsent;     /* --rate: due before the deadline, never sent */
	bool no_pwait2;      /* the kernel lacks epoll_pwait2: millisecond waits */
	struct slot **idle;  /* --rate: slots in SL_IDLE */
	unsigned nidle;
	struct stats st;
};

static void
cl_idle_remove(struct client *c, struct slot *sl)
{
	for (unsigned i = 0; i < c->nidle; i++)
		if (c->idle[i] == sl) {
			c->idle[i] = c->idle[--c->nidle];
			return;
		}
}

static void
cl_fail(struct client *c, struct slot *sl, enum err_kind k)
{
	if (sl->st == SL_IDLE)
		cl_idle_remove(c, sl);
	c->st.errors++;
	c->st.err[k]++;
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
	sl->st = SL_BACKOFF;
	sl->retry_at = c->now + BACKOFF_NS;
	c->backoff++;
}

static void
cl_reset_answer(struct slot *sl)
{
	sl->sent = sl->hdr_len = 0;
	sl->clen = sl->body_got = 0;
	sl->hdr_done = sl->server_closes = false;
}

/* Writes (the rest of) the request; the latency of an rps request starts
 * at its first send(). */
static void
cl_send(struct client *c, struct slot *sl)
{
	ssize_t n;

	if (sl->sent == 0 && c->o->mode == MODE_RPS && c->o->rate == 0)
		sl->t_start = now_ns(); /* paced: the scheduled time, set by cl_dispatch */
	n = send(sl->fd, c->req + sl->sent, c->req_len - sl->sent, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		cl_fail(c, sl, sl->st == SL_CONNECTING ? ERR_CONNECT : ERR_RESET);
		return;
	}
	if (sl->st == SL_CONNECTING)
		c->st.connections++; /* the first send() succeeds once connected */
	sl->t_progress = c->now;
	sl->sent += (size_t)n;
	sl->st = sl->sent == c->req_len ? SL_READING : SL_SENDING;
}

static void cl_connected(struct client *c, struct slot *sl, uint32_t events);
static void cl_idle_lost(struct client *c, struct slot *sl);

/* A new connection for SL. Edge-triggered for both directions: the state
 * says what the slot waits for, so no epoll_ctl per request. */
static void
cl_open(struct client *c, struct slot *sl)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				  .data.ptr = sl };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	cl_reset_answer(sl);
	sl->fd = fd;
	sl->answered = false;
	sl->t_start = now_ns(); /* cps latency starts at connect() */
	sl->t_progress = c->now;
	if (fd < 0) {
		cl_fail(c, sl, ERR_CONNECT);
		return;
	}
	set_nodelay(fd);
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		cl_fail(c, sl, ERR_CONNECT);
		return;
	}
	sl->st = SL_CONNECTING;
	if (connect(fd, (const struct sockaddr *)&c->o->sa, sizeof(c->o->sa)) == 0)
		c->o->rate != 0 ? cl_connected(c, sl, EPOLLOUT) : cl_send(c, sl);
	else if (errno != EINPROGRESS)
		cl_fail(c, sl, ERR_CONNECT); /* EADDRNOTAVAIL: out of ephemeral ports */
}

/* Closes SL's connection after a complete exchange and opens the next. */
static void
cl_reopen(struct client *c, struct slot *sl)
{
	if (c->o->rst_close) {
		/* RST instead of FIN: no TIME-WAIT on either side */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(sl->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(sl->fd);
	sl->fd = -1;
	cl_open(c, sl);
}

/* Status line and headers of an answer (through the blank line): 0 when
 * it is a 200 with a Content-Length, -1 otherwise. */
static int
cl_parse_header(struct slot *sl, size_t len)
{
	const char *h = sl->hdr, *eol = memmem(h, len, "\r\n", 2), *v;
	size_t vlen;
	bool http10;

	if (eol == NULL || eol - h < 12 || memcmp(h, "HTTP/1.", 7) != 0 ||
	    memcmp(h + 8, " 200", 4) != 0 || (eol - h > 12 && h[12] != ' '))
		return -1;
	http10 = h[7] == '0';
	v = header_value(eol + 2, (size_t)(h + len - eol - 2), "content-length", &vlen);
	if (v == NULL || parse_digits(v, vlen, 15, &sl->clen) != 0)
		return -1;
	v = header_value(eol + 2, (size_t)(h + len - eol - 2), "connection", &vlen);
	sl->server_closes = v != NULL ? has_token(v, vlen, "close") ||
					(http10 && !has_token(v, vlen, "keep-alive"))
				      : http10;
	return 0;
}

/* Body bytes: -1 if they are more than announced or not the pattern. */
static int
cl_body(const struct client *c, struct slot *sl, const char *p, size_t n)
{
	if (n > sl->clen - sl->body_got)
		return -1;
	if (memcmp(p, c->pattern + sl->body_got % PATTERN_PERIOD, n) != 0)
		return -1;
	sl->body_got += n;
	return 0;
}

/* Received bytes: 1 when the answer is complete, 0 when more is to come,
 * -1 when the answer is bad. The header is collected in sl->hdr; what
 * follows the blank line (in sl->hdr, then in P) is body. */
static int
cl_feed(struct client *c, struct slot *sl, const char *p, size_t n)
{
	if (!sl->hdr_done) {
		size_t room = sizeof(sl->hdr) - sl->hdr_len, k = n < room ? n : room;
		size_t from = sl->hdr_len > 3 ? sl->hdr_len - 3 : 0;
		const char *end;

		memcpy(sl->hdr + sl->hdr_len, p, k);
		sl->hdr_len += k;
		end = memmem(sl->hdr + from, sl->hdr_len - from, "\r\n\r\n", 4);
		if (end == NULL)
			return k < room ? 0 : -1;
		end += 4;
		if (cl_parse_header(sl, (size_t)(end - sl->hdr)) != 0 || sl->clen != c->o->bytes)
			return -1;
		sl->hdr_done = true;
		if (cl_body(c, sl, end, (size_t)(sl->hdr + sl->hdr_len - end)) != 0)
			return -1;
		p += k;
		n -= k;
	}
	if (cl_body(c, sl, p, n) != 0)
		return -1;
	return sl->body_got == sl->clen;
}

/* One complete answer: record it, then the next request on this
 * connection (rps) or a new connection (cps, or when the server closes). */
static void
cl_complete(struct client *c, struct slot *sl)
{
	hist_add(&c->st.lat, now_ns() - sl->t_start);
	c->st.requests++;
	sl->answered = true;
	if (c->o->rate != 0 && !sl->server_closes) {
		sl->st = SL_IDLE;
		c->idle[c->nidle++] = sl;
	} else if (c->o->mode == MODE_RPS && !sl->server_closes) {
		cl_reset_answer(sl);
		sl->st = SL_SENDING;
		cl_send(c, sl);
	} else if (sl->server_closes && !c->o->rst_close) {
		sl->st = SL_DRAINING; /* let the server close first: TIME-WAIT is its */
	} else {
		cl_reopen(c, sl);
	}
}

/* Reads what the socket has. Edge-triggered: a short read means the queue
 * was empty, and anything arriving later raises a new event; an EOF already
 * reported in EVENTS is read to the end so that it is not missed. */
static void
cl_read(struct client *c, struct slot *sl, uint32_t events)
{
	bool eof = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);

	while (sl->st == SL_READING || sl->st == SL_DRAINING) {
		ssize_t n = recv(sl->fd, c->rbuf, CL_RBUF, 0);
		int r;

		if (n == 0) {
			if (sl->st == SL_DRAINING)
				cl_reopen(c, sl);
			else
				cl_fail(c, sl, ERR_SHORT); /* EOF before the whole answer */
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				cl_fail(c, sl, ERR_RESET);
			return;
		}
		sl->t_progress = c->now;
		r = sl->st == SL_DRAINING ? -1 : cl_feed(c, sl, c->rbuf, (size_t)n);
		if (r < 0) {
			cl_fail(c, sl, ERR_ANSWER);
			return;
		}
		if (r == 1)
			cl_complete(c, sl);
		if (sl->st == SL_IDLE) { /* --rate: bytes or an EOF behind the answer end the connection */
			if (eof || (size_t)n == CL_RBUF)
				cl_idle_lost(c, sl);
			return;
		}
		if ((size_t)n < CL_RBUF && !eof && sl->st != SL_DRAINING)
			return;
	}
}

/*
 * --rate: an idle connection the server closed or wrote on. After an
 * answer that is its right (keep-alive ends) and the slot reconnects;
 * before any, or with bytes nobody asked for, it is an error.
 */
static void
cl_idle_lost(struct client *c, struct slot *sl)
{
	char b;
	ssize_t n = recv(sl->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	cl_idle_remove(c, sl);
	sl->st = SL_READING; /* off the idle list: cl_fail must not look for it there */
	if (n > 0 || !sl->answered) {
		cl_fail(c, sl, n > 0 ? ERR_ANSWER : ERR_RESET);
		return;
	}
	cl_reopen(c, sl);
}

/* --rate: a connection is up (writable, no error): it waits for a due request. */
static void
cl_connected(struct client *c, struct slot *sl, uint32_t events)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if ((events & (EPOLLERR | EPOLLHUP)) ||
	    getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
		cl_fail(c, sl, ERR_CONNECT);
		return;
	}
	if (!(events & EPOLLOUT))
		return;
	c->st.connections++;
	sl->st = SL_IDLE;
	c->idle[c->nidle++] = sl;
}

/* --rate: what is due goes out on idle connections, timed from when it was due. */
static void
cl_dispatch(struct client *c)
{
	while (c->nidle > 0 && c->now >= c->next_due) {
		struct slot *sl = c->idle[--c->nidle];

		cl_reset_answer(sl);
		sl->st = SL_SENDING;
		sl->t_start = c->next_due;
		c->sched_k++;
		c->next_due = c->sched_start +
			      (uint64_t)((unsigned __int128)c->sched_k * NS_PER_S / c->o->rate);
		cl_send(c, sl);
	}
}

static void
cl_event(struct client *c, struct slot *sl, uint32_t events)
{
	if (sl->st == SL_CONNECTING && c->o->rate != 0) {
		cl_connected(c, sl, events);
		return;
	}
	if (sl->st == SL_IDLE) {
		/* Nothing is asked: bytes are a server's error, a close is its right once it answered. */
		if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			cl_idle_lost(c, sl);
		return;
	}
	if (sl->st == SL_CONNECTING || sl->st == SL_SENDING)
		cl_send(c, sl);
	if (sl->st == SL_READING || sl->st == SL_DRAINING)
		cl_read(c, sl, events);
}

/* Slots whose backoff is over reopen; slots stuck for STALL_NS fail. */
static void
cl_timers(struct client *c, bool scan_stalls)
{
	unsigned waiting = c->backoff;

	for (unsigned i = 0; i < c->o->conc && (waiting > 0 || scan_stalls); i++) {
		struct slot *sl = &c->slots[i];

		if (sl->st == SL_BACKOFF) {
			waiting--;
			if (c->now >= sl->retry_at) {
				c->backoff--;
				cl_open(c, sl);
			}
		} else if (scan_stalls && sl->st != SL_IDLE && c->now - sl->t_progress > STALL_NS) {
			cl_fail(c, sl, ERR_STALL);
		}
	}
}

/* How long epoll may wait, ns: the deadline, the stall scan, a backoff, the next due request. */
static uint64_t
cl_timeout_ns(const struct client *c, uint64_t deadline)
{
	uint64_t ns = deadline > c->now ? deadline - c->now : 0;

	if (ns > SCAN_NS)
		ns = SCAN_NS;
	if (c->backoff > 0 && ns > BACKOFF_NS)
		ns = BACKOFF_NS;
	if (c->o->rate != 0 && c->nidle > 0)
		ns = c->next_due > c->now ? (c->next_due - c->now < ns ? c->next_due - c->now : ns) : 0;
	return ns;
}

/*
 * epoll with a timeout in ns: a paced request must not wait for the next
 * millisecond (epoll_pwait2, Linux 5.11); closed loop, or an older kernel,
 * in whole milliseconds (rounded up).
 */
static int
cl_wait(struct client *c, struct epoll_event *evs, uint64_t wait)
{
	if (c->o->rate != 0 && !c->no_pwait2) {
		struct timespec ts = { .tv_sec = (time_t)(wait / NS_PER_S),
				       .tv_nsec = (long)(wait % NS_PER_S) };
		int n = epoll_pwait2(c->ep, evs, MAX_EVENTS, &ts, NULL);

		if (n >= 0 || errno != ENOSYS)
			return n;
		c->no_pwait2 = true;
	}
	return epoll_wait(c->ep, evs, MAX_EVENTS, (int)((wait + NS_PER_MS - 1) / NS_PER_MS));
}

/* Runs the event loop until DEADLINE. */
static int
cl_loop(struct client *c, uint64_t deadline)
{
	struct epoll_event evs[MAX_EVENTS];
	uint64_t last_scan = c->now;

	while ((c->now = now_ns()) < deadline) {
		int n = cl_wait(c, evs, cl_timeout_ns(c, deadline));
		bool scan;

		if (n < 0 && errno != EINTR) {
			perror(PROG ": epoll_wait");
			return -1;
		}
		c->now = now_ns();
		for (int i = 0; i < n; i++)
			cl_event(c, evs[i].data.ptr, evs[i].events);
		if (c->o->rate != 0)
			cl_dispatch(c);
		scan = c->now - last_scan >= SCAN_NS;
		if (scan)
			last_scan = c->now;
		if (c->backoff > 0 || scan)
			cl_timers(c, scan);
	}
	return 0;
}

static void
json_string(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
cl_report(const struct client *c, double secs, double cpu)
{
	const struct opts *o = c->o;
	const struct stats *st = &c->st;
	const char *mode = o->mode == MODE_CPS ? "cps" : "rps";
	double rate = secs > 0 ? (double)st->requests / secs : 0;
	double per_cpu = cpu > 0 ? (double)st->requests / cpu : 0;
	double p50 = hist_quantile(&st->lat, 0.5) / 1e3, p99 = hist_quantile(&st->lat, 0.99) / 1e3;
	double p999 = hist_quantile(&st->lat, 0.999) / 1e3;

	fprintf(stderr,
		"linux-conn %s%s%s K=%u N=%u: %.0f req/s; %llu requests, %llu connections, "
		"%llu errors, %llu due but unsent in %.3f s; cpu %.3f s (%.0f req/cpu-s); latency us "
		"p50 %.1f p99 %.1f p999 %.1f\n",
		mode, o->label ? " " : "", o->label ? o->label : "", o->conc, o->bytes, rate,
		(unsigned long long)st->requests, (unsigned long long)st->connections,
		(unsigned long long)st->errors, (unsigned long long)c->unsent, secs, cpu, per_cpu, p50,
		p99, p999);
	for (int k = 0; k < ERR_KINDS && st->errors; k++)
		if (st->err[k])
			fprintf(stderr, "  errors %s: %llu\n", err_names[k],
				(unsigned long long)st->err[k]);
	if (!o->json)
		return;
	printf("{\"bench\":\"linux-conn\",\"mode\":\"%s\",\"label\":", mode);
	json_string(stdout, o->label);
	printf(",\"concurrency\":%u,\"bytes\":%u,\"seconds\":%.6f,\"requests\":%llu,"
	       "\"connections\":%llu,\"errors\":%llu,\"rate\":%.1f,\"cpu_seconds\":%.6f,"
	       "\"rate_per_cpu_second\":%.1f,\"offered\":%llu,\"unsent\":%llu,\"p50_us\":%.1f,"
	       "\"p99_us\":%.1f,\"p999_us\":%.1f}\n",
	       o->conc, o->bytes, secs, (unsigned long long)st->requests,
	       (unsigned long long)st->connections, (unsigned long long)st->errors, rate, cpu,
	       per_cpu, (unsigned long long)o->rate, (unsigned long long)c->unsent, p50, p99, p999);
	fflush(stdout);
}

static void
cl_destroy(struct client *c)
{
	if (c->slots != NULL)
		for (unsigned i = 0; i < c->o->conc; i++)
			if (c->slots[i].fd >= 0)
				close(c->slots[i].fd);
	if (c->ep >= 0)
		close(c->ep);
	free(c->slots);
	free(c->idle);
	free(c->rbuf);
	free(c->pattern);
	free(c);
}

static struct client *
cl_create(const struct opts *o)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->o = o;
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->rbuf = malloc(CL_RBUF);
	c->slots = calloc(o->conc, sizeof(*c->slots));
	c->idle = calloc(o->conc, sizeof(*c->idle));
	c->pattern = make_pattern();
	if (c->ep < 0 || c->rbuf == NULL || c->slots == NULL || c->idle == NULL) {
		perror(PROG ": client setup");
		cl_destroy(c);
		return NULL;
	}
	for (unsigned i = 0; i < o->conc; i++)
		c->slots[i].fd = -1;
	c->req_len = (size_t)snprintf(c->req, sizeof(c->req),
				      "GET /bytes/%u HTTP/1.1\r\nHost: b\r\n%s\r\n", o->bytes,
				      o->mode == MODE_CPS ? "Connection: close\r\n" : "");
	return c;
}

static int
client_run(const struct opts *o)
{
	struct client *c = cl_create(o);
	uint64_t t0, t1;
	double cpu0;
	int rc = 1;

	if (c == NULL)
		return 1;
	c->now = now_ns();
	for (unsigned i = 0; i < o->conc; i++)
		cl_open(c, &c->slots[i]);
	c->sched_start = c->next_due = c->now;
	if (cl_loop(c, c->now + WARMUP_NS) == 0) {
		memset(&c->st, 0, sizeof(c->st)); /* the warm-up does not count */
		cpu0 = cpu_seconds();
		t0 = now_ns();
		/* The schedule of the measured interval (a backlog of the warm-up is dropped). */
		c->sched_start = c->next_due = t0;
		c->sched_k = 0;
		if (cl_loop(c, t0 + (uint64_t)(o->seconds * 1e9)) == 0) {
			t1 = now_ns();
			if (o->rate != 0) { /* due times t0 + k * 1e9 / rate before t1, k from 0 */
				uint64_t due = (uint64_t)((unsigned __int128)(t1 - t0) * o->rate / NS_PER_S) + 1;

				c->unsent = due > c->sched_k ? due - c->sched_k : 0;
			}
			cl_report(c, (double)(t1 - t0) / 1e9, cpu_seconds() - cpu0);
			rc = c->st.requests > 0 ? 0 : 1;
		}
	}
	cl_destroy(c);
	return rc;
}

/* ------------------------------------------------------------ arguments */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " server --addr A --port P [--cpu N]\n"
		"       " PROG " client --addr A --port P --mode cps|rps --concurrency K --seconds S\n"
		"                       [--bytes N] [--cpu N] [--json] [--label TEXT] [--rst-close]\n"
		"  server         HTTP/1.1: GET /bytes/N answers N bytes (byte i = i %% 251,\n"
		"                 N <= %u), keep-alive unless Connection: close; SIGINT/SIGTERM\n"
		"                 stops it with a count of requests and connections\n"
		"  client         load for S seconds after a 0.2 s warm-up, K connections:\n"
		"    --mode cps   one request per connection (Connection: close; the server\n"
		"                 closes first); latency from connect() to the last byte\n"
		"    --mode rps   K keep-alive connections opened up front, one request in\n"
		"                 flight on each; latency from send() to the last byte\n"
		"    --bytes N    body size (default 64)\n"
		"    --json       one JSON line on stdout (the human line goes to stderr)\n"
		"    --label TEXT copied into the JSON\n"
		"    --rst-close  close with SO_LINGER {1,0} (RST) right after the answer\n"
		"    --rate R     rps: R requests a second on schedule on whichever connection is\n"
		"                 idle (open loop, as wrk2); latency from the scheduled time\n"
		"  --addr A       IPv4 address (server: to listen on; client: to connect to)\n"
		"  --port P       TCP port\n"
		"  --cpu N        pin the process to CPU N\n"
		"  \"connections\" counts connections established in the measured interval\n"
		"  (rps: only reopenings). Errors (connect failures, resets, short or bad\n"
		"  answers, slots stalled %llu s) are counted, the slot reopens after 1 ms.\n"
		"  Exit: 0, 1 when no request completed or on a system error, 2 on bad usage.\n",
		MAX_BODY, STALL_NS / NS_PER_S);
}

static void
bad_arg(const char *opt, const char *expected, const char *got)
{
	fprintf(stderr, PROG ": %s: expected %s, got '%s'\n", opt, expected, got);
	exit(2);
}

static long
arg_long(const char *opt, const char *s, long lo, long hi, const char *expected)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
		bad_arg(opt, expected, s);
	return v;
}

static double
arg_seconds(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 86400)
		bad_arg(opt, "a number of seconds > 0 and <= 86400", s);
	return v;
}

enum { O_ADDR = 1, O_PORT, O_CPU, O_MODE, O_CONC, O_SECONDS, O_BYTES, O_JSON, O_LABEL, O_RST,
       O_RATE, O_HELP };

static void
parse_one(struct opts *o, int opt, const char *arg)
{
	if (opt >= O_MODE && opt <= O_RATE)
		o->client_only |= 1u << opt;
	switch (opt) {
	case O_ADDR:
		if (inet_pton(AF_INET, arg, &o->sa.sin_addr) != 1)
			bad_arg("--addr", "an IPv4 address like 127.0.0.1", arg);
		o->have_addr = true;
		break;
	case O_PORT:
		o->sa.sin_port = htons((uint16_t)arg_long("--port", arg, 1, 65535,
							   "a port number from 1 to 65535"));
		o->have_port = true;
		break;
	case O_CPU:
		o->cpu = (int)arg_long("--cpu", arg, 0, CPU_SETSIZE - 1, "a CPU number");
		break;
	case O_MODE:
		if (strcmp(arg, "cps") != 0 && strcmp(arg, "rps") != 0)
			bad_arg("--mode", "cps or rps", arg);
		o->mode = strcmp(arg, "cps") == 0 ? MODE_CPS : MODE_RPS;
		o->have_mode = true;
		break;
	case O_CONC:
		o->conc = (unsigned)arg_long("--concurrency", arg, 1, 1000000,
					     "a number of connections from 1 to 1000000");
		o->have_conc = true;
		break;
	case O_SECONDS:
		o->seconds = arg_seconds("--seconds", arg);
		o->have_seconds = true;
		break;
	case O_BYTES:
		o->bytes = (unsigned)arg_long("--bytes", arg, 0, MAX_BODY,
					      "a body size from 0 to 1048576 bytes");
		break;
	case O_JSON:
		o->json = true;
		break;
	case O_LABEL:
		o->label = arg;
		break;
	case O_RST:
		o->rst_close = true;
		break;
	case O_RATE:
		o->rate = (uint64_t)arg_long("--rate", arg, 1, 100000000,
					     "requests per second from 1 to 100000000");
		break;
	}
}

static void
require(bool have, const char *what)
{
	if (!have) {
		fprintf(stderr, PROG ": missing %s (see " PROG " --help)\n", what);
		exit(2);
	}
}

static void
check_opts(const struct opts *o)
{
	require(o->have_addr, "--addr A (an IPv4 address)");
	require(o->have_port, "--port P");
	if (o->server) {
		if (o->client_only != 0) {
			fprintf(stderr, PROG " server: only --addr, --port and --cpu apply "
					"(--mode, --concurrency, --seconds, --bytes, --json, "
					"--label, --rst-close, --rate are client options)\n");
			exit(2);
		}
		return;
	}
	require(o->have_mode, "--mode cps|rps");
	if (o->rate != 0 && o->mode != MODE_RPS) {
		fprintf(stderr, PROG ": --rate is for --mode rps\n");
		exit(2);
	}
	require(o->have_conc, "--concurrency K");
	require(o->have_seconds, "--seconds S");
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, O_ADDR },
		{ "port", required_argument, NULL, O_PORT },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "mode", required_argument, NULL, O_MODE },
		{ "concurrency", required_argument, NULL, O_CONC },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "bytes", required_argument, NULL, O_BYTES },
		{ "json", no_argument, NULL, O_JSON },
		{ "label", required_argument, NULL, O_LABEL },
		{ "rst-close", no_argument, NULL, O_RST },
		{ "rate", required_argument, NULL, O_RATE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		exit(0);
	}
	if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
		fprintf(stderr, PROG ": expected 'server' or 'client' as the first argument%s%s\n",
			argc >= 2 ? ", got " : "", argc >= 2 ? argv[1] : "");
		usage(stderr);
		exit(2);
	}
	o->server = strcmp(argv[1], "server") == 0;
	o->sa.sin_family = AF_INET;
	o->cpu = -1;
	o->bytes = 64;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == O_HELP) {
			usage(stdout);
			exit(0);
		}
		if (opt == '?')
			exit(2); /* getopt named the option already */
		parse_one(o, opt, optarg);
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
	check_opts(o);
}

/* ------------------------------------------------------------------ main */

static void
pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, PROG ": --cpu %d: cannot run there: %s\n", cpu, strerror(errno));
		exit(2);
	}
}

/* Every connection is an fd: take the hard limit, and refuse a
 * concurrency the limit cannot hold rather than fail slots one by one. */
static void
raise_nofile(const struct opts *o)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (!o->server && (rlim_t)o->conc + 16 > rl.rlim_cur) {
		fprintf(stderr, PROG ": --concurrency %u needs %u file descriptors, "
			"RLIMIT_NOFILE allows %llu\n", o->conc, o->conc + 16,
			(unsigned long long)rl.rlim_cur);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };

	parse_args(argc, argv, &o);
	/* A peer that closes while an answer is being written must not kill the server (EPIPE instead). */
	signal(SIGPIPE, SIG_IGN);
	pin_cpu(o.cpu);
	raise_nofile(&o);
	return o.server ? server_run(&o) : client_run(&o);
}
