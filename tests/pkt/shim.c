/*
 * Socket lifecycle over the event API: socket, bind, listen, accept,
 * connect, close, shutdown, and the callbacks that keep each socket's state.
 * Errors are those Linux returns for the same calls.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "shim_internal.h"
#include "tcp/tcp_sockopt.h"

/* ---- callbacks ---- */

static void
on_open(struct tcb *c, void *ctx)
{
	struct pkt_sock *k = ctx;

	(void)c;
	k->connecting = 0;
	k->established = 1;
}

static void
on_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct pkt_sock *k = ctx;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	int tail = (k->rx_head + k->rx_n - 1) % 256;

	(void)c;
	k->rx_bytes += len;
	if (k->rx_n == 256 && rte_pktmbuf_chain(k->rx[tail], m) == 0)
		return;
	if (k->rx_n == 256) {           /* cannot happen with 16-bit segment counts in a test */
		k->rx_bytes -= len;
		rte_pktmbuf_free(m);
		return;
	}
	k->rx[(k->rx_head + k->rx_n++) % 256] = m;
}

static void
on_peer_fin(struct tcb *c, void *ctx)
{
	(void)c;
	((struct pkt_sock *)ctx)->peer_fin = 1;
}

/* What the next call reports, as Linux's sk_err would. */
static int
close_errno(const struct pkt_sock *k, enum tern_close_reason why)
{
	switch (why) {
	case TERN_CLOSE_RESET:
		return k->established ? ECONNRESET : ECONNREFUSED;
	case TERN_CLOSE_REFUSED:
		return ECONNREFUSED;
	case TERN_CLOSE_TIMEOUT:
		return ETIMEDOUT;
	default:
		return 0;
	}
}

static void
on_closed(struct tcb *c, void *ctx, enum tern_close_reason why)
{
	struct pkt_sock *k = ctx;

	(void)c;
	k->c = NULL;
	k->connecting = 0;
	k->err = close_errno(k, why);
	k->reset = why == TERN_CLOSE_RESET || why == TERN_CLOSE_REFUSED;
	if (k->orphan)
		sock_free(k);
}

static const struct tern_conn_ops shim_ops = {
	.on_open = on_open, .on_data = on_data, .on_peer_fin = on_peer_fin, .on_closed = on_closed,
};

/* A listener's connection is established: it waits in the accept queue. */
static int
on_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	struct pkt_sock *l = listen_ctx, *k;

	if (l->naccq == SHIM_ACCEPT_QUEUE || (k = sock_alloc(l->sh)) == NULL)
		return -1;
	k->kind = SK_CONN;
	k->c = c;
	k->established = 1;
	k->nodelay = l->nodelay;    /* Linux children inherit the listener's options */
	k->keepalive = l->keepalive;
	k->rcvbuf = l->rcvbuf;
	k->sndbuf = l->sndbuf;
	k->maxseg = l->maxseg;
	if (k->nodelay)
		tern_set_nodelay(c, 1);
	l->accq[l->naccq++] = k;
	*ops = &shim_ops;
	*ctx = k;
	return 0;
}

/* ---- sockets and descriptors ---- */

void
shim_init(struct shim *s, struct harness *h)
{
	memset(s, 0, sizeof(*s));
	s->h = h;
}

void
shim_fini(struct shim *s)
{
	for (int i = 0; i < SHIM_MAX_FD; i++)
		if (s->socks[i].kind != SK_FREE)
			sock_free(&s->socks[i]);
	memset(s->fds, 0, sizeof(s->fds));
}

struct pkt_sock *
sock_alloc(struct shim *s)
{
	for (int i = 0; i < SHIM_MAX_FD; i++) {
		struct pkt_sock *k = &s->socks[i];

		if (k->kind == SK_FREE) {
			memset(k, 0, sizeof(*k));
			k->sh = s;
			k->kind = SK_NEW;
			k->fd = -1;
			return k;
		}
	}
	return NULL;
}

void
rx_drop_all(struct pkt_sock *k)
{
	for (; k->rx_n > 0; k->rx_n--, k->rx_head = (k->rx_head + 1) % 256)
		rte_pktmbuf_free(k->rx[k->rx_head]);
	k->rx_bytes = 0;
	k->rx_off = 0;
}

void
sock_free(struct pkt_sock *k)
{
	rx_drop_all(k);
	if (k->fd >= 0 && k->sh->fds[k->fd] == k)
		k->sh->fds[k->fd] = NULL;
	k->kind = SK_FREE;
}

/* The lowest free descriptor, as POSIX requires; 0-2 are stdio. */
static int
fd_alloc(struct shim *s, struct pkt_sock *k)
{
	for (int fd = 3; fd < SHIM_MAX_FD; fd++)
		if (s->fds[fd] == NULL) {
			s->fds[fd] = k;
			k->fd = fd;
			return fd;
		}
	return -EMFILE;
}

struct pkt_sock *
shim_sock(struct shim *s, int fd)
{
	return fd >= 0 && fd < SHIM_MAX_FD ? s->fds[fd] : NULL;
}

int
shim_socket(struct shim *s)
{
	struct pkt_sock *k = sock_alloc(s);
	int fd;

	if (k == NULL)
		return -ENFILE;
	if ((fd = fd_alloc(s, k)) < 0)
		k->kind = SK_FREE;
	return fd;
}

int
shim_bind(struct shim *s, int fd, uint16_t port)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	if (k->kind != SK_NEW || k->port != 0)
		return -EINVAL;
	k->port = port;
	return 0;
}

void
apply_profile(struct shim *s, const struct pkt_sock *k)
{
	struct harness *h = s->h;
	struct tcp_cfg *tcp = tcp_config(&h->cfg);

	if (k->rcvbuf != 0) {
		tcp->rcvbuf = k->rcvbuf;
		harness_tcp(h)->rcv_wscale = tcp->window_scaling ? tern_wscale_for(k->rcvbuf) : 0;
	}
	if (k->sndbuf != 0)
		tcp->sndbuf = k->sndbuf;
	if (k->maxseg != 0)
		h->port.mtu = (uint16_t)(k->maxseg + 40);
	if (k->keepalive)
		tcp->keepalive = 1;
}

int
shim_listen(struct shim *s, int fd, uint16_t default_port)
{
	struct pkt_sock *k = shim_sock(s, fd);
	uint16_t port;
	int rc;

	if (k == NULL)
		return -EBADF;
	if (k->kind == SK_LISTEN)
		return 0;
	if (k->kind != SK_NEW)
		return -EINVAL;
	port = k->port ? k->port : default_port;
	apply_profile(s, k);
	if ((rc = tern_listen(harness_tcp(s->h), port, on_accept, k)) != 0)
		return rc;
	k->kind = SK_LISTEN;
	k->port = port;
	s->listen_port = port;
	s->connect_port = 0;
	s->opens++;
	return 0;
}

int
shim_accept(struct shim *s, int fd)
{
	struct pkt_sock *k = shim_sock(s, fd), *n;
	int nfd;

	if (k == NULL)
		return -EBADF;
	if (k->kind != SK_LISTEN)
		return -EINVAL;
	if (k->naccq == 0)
		return k->nonblock ? -EAGAIN : SHIM_BLOCK;
	n = k->accq[0];
	if ((nfd = fd_alloc(s, n)) < 0)
		return nfd;
	memmove(k->accq, k->accq + 1, (size_t)--k->naccq * sizeof(k->accq[0]));
	return nfd;
}

/* A connection already under way: Linux's answers to a second connect(). */
static int
connect_again(struct pkt_sock *k)
{
	int e = k->err;

	if (e != 0) {
		k->err = 0;
		return -e;
	}
	if (k->connecting)
		return -EALREADY;
	return -EISCONN;
}

int
shim_connect(struct shim *s, int fd, uint16_t port)
{
	struct pkt_sock *k = shim_sock(s, fd);
	struct tcb *c;

	if (k == NULL)
		return -EBADF;
	if (k->kind == SK_CONN)
		return connect_again(k);
	if (k->kind != SK_NEW)
		return -EINVAL;
	apply_profile(s, k);
	s->listen_port = 0;
	s->connect_port = port;
	s->opens++;
	c = tern_connect(harness_tcp(s->h), rte_cpu_to_be_32(PEER_IP), port, &shim_ops, k);
	if (c == NULL)
		return -rte_errno;
	k->kind = SK_CONN;
	k->c = c;
	k->connecting = 1;
	if (k->nodelay)
		tern_set_nodelay(c, 1);
	harness_flush(s->h);
	return k->nonblock ? -EINPROGRESS : SHIM_BLOCK;
}

int
shim_connect_poll(struct shim *s, int fd)
{
	struct pkt_sock *k = shim_sock(s, fd);
	int e;

	if (k == NULL)
		return -EBADF;
	if (k->established && k->err == 0)
		return 0;
	if ((e = k->err) != 0) {
		k->err = 0;
		return -e;
	}
	return k->c != NULL ? SHIM_BLOCK : -ECONNABORTED;
}

/* Closing a listener resets the connections nobody accepted (as Linux does). */
static void
close_listener(struct shim *s, struct pkt_sock *k)
{
	tern_unlisten(harness_tcp(s->h), k->port);
	for (int i = 0; i < k->naccq; i++) {
		struct pkt_sock *n = k->accq[i];

		n->orphan = 1;
		if (n->c != NULL)
			tern_abort(n->c);   /* on_closed frees it */
		else
			sock_free(n);
	}
	k->naccq = 0;
	sock_free(k);
}

static void
close_conn(struct pkt_sock *k)
{
	struct tcb *c = k->c;

	rx_drop_all(k);
	if (c == NULL) {
		sock_free(k);
		return;
	}
	k->orphan = 1;
	if (k->linger_on && k->linger_secs == 0)
		tern_abort(c);      /* SO_LINGER 0: RST now */
	else
		tern_close(c);      /* RST itself when data was left unread */
}

int
shim_close(struct shim *s, int fd)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	s->fds[fd] = NULL;
	k->fd = -1;
	if (k->kind == SK_LISTEN)
		close_listener(s, k);
	else if (k->kind == SK_CONN)
		close_conn(k);
	else
		sock_free(k);
	harness_flush(s->h);
	return 0;
}

int
shim_shutdown(struct shim *s, int fd, int how)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	if (how < 0 || how > 2)
		return -EINVAL;
	if (k->kind != SK_CONN || k->c == NULL)
		return -ENOTCONN;
	if (how != 0 && !k->shut_wr) {     /* SHUT_WR, SHUT_RDWR */
		k->shut_wr = 1;
		tern_shutdown(k->c);
	}
	if (how != 1)                      /* SHUT_RD, SHUT_RDWR */
		k->shut_rd = 1;
	harness_flush(s->h);
	return 0;
}
