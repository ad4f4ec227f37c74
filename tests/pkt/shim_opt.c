/*
 * fcntl and socket options. Options set before listen()/connect() become
 * the stack's settings for the connections that follow (apply_profile);
 * on a connection they go through lib/tcp/tcp_sockopt.h. SO_RCVBUF and
 * SO_SNDBUF set the size given (Linux doubles it; tern does not).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "shim_internal.h"
#include "tcp/tcb.h"
#include "tcp/tcp_sockopt.h"

int
shim_getfl(struct shim *s, int fd)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	return O_RDWR | (k->nonblock ? O_NONBLOCK : 0);
}

int
shim_setfl(struct shim *s, int fd, int flags)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	k->nonblock = !!(flags & O_NONBLOCK);
	return 0;
}

static void
set_bufs(struct pkt_sock *k, int name, uint32_t v)
{
	if (name == SO_RCVBUF)
		k->rcvbuf = v;
	else
		k->sndbuf = v;
	if (k->c != NULL)
		tern_sockopt_bufs(k->c, name == SO_RCVBUF ? v : 0, name == SO_SNDBUF ? v : 0);
}

static int
set_socket_level(struct shim *s, struct pkt_sock *k, int name, int64_t v, int64_t v2)
{
	switch (name) {
	case SO_REUSEADDR:
		k->reuseaddr = !!v;
		return 0;
	case SO_RCVBUF:
	case SO_SNDBUF:
		if (v < 1024 || v > INT32_MAX)
			return -EINVAL;
		set_bufs(k, name, (uint32_t)v);
		return 0;
	case SO_KEEPALIVE:
		k->keepalive = !!v;
		if (v)
			tcp_config(&s->h->cfg)->keepalive = 1; /* tern's keepalive is per worker */
		if (v && k->c != NULL)
			tern_sockopt_keepalive(k->c);
		return 0;
	case SO_LINGER:
		k->linger_on = !!v;
		k->linger_secs = (int)v2;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int
set_tcp_level(struct shim *s, struct pkt_sock *k, int name, int64_t v)
{
	struct tcp_cfg *cfg = tcp_config(&s->h->cfg);

	if (v < 0)
		return -EINVAL;
	switch (name) {
	case TCP_NODELAY:
		k->nodelay = !!v;
		if (k->c != NULL)
			tern_sockopt_nodelay(k->c, !!v);
		harness_flush(s->h);
		return 0;
	case TCP_MAXSEG:
		if (v < 64 || v > 65535)
			return -EINVAL;
		k->maxseg = (uint16_t)v;
		if (k->c != NULL)
			tern_sockopt_maxseg(k->c, (uint16_t)v);
		return 0;
	case TCP_KEEPIDLE:
		cfg->keepalive_idle_ms = (uint32_t)v * 1000;
		return 0;
	case TCP_KEEPINTVL:
		cfg->keepalive_interval_ms = (uint32_t)v * 1000;
		return 0;
	case TCP_KEEPCNT:
		cfg->keepalive_probes = (uint32_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int
shim_setsockopt(struct shim *s, int fd, int level, int name, int64_t value, int64_t value2)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	if (level == SOL_SOCKET)
		return set_socket_level(s, k, name, value, value2);
	if (level == IPPROTO_TCP)
		return set_tcp_level(s, k, name, value);
	return -ENOPROTOOPT;
}

static int
get_socket_level(struct shim *s, struct pkt_sock *k, int name, int64_t *v)
{
	switch (name) {
	case SO_ERROR:
		*v = k->err;
		k->err = 0;
		return 0;
	case SO_REUSEADDR:
		*v = k->reuseaddr;
		return 0;
	case SO_KEEPALIVE:
		*v = k->keepalive;
		return 0;
	case SO_TYPE:
		*v = SOCK_STREAM;
		return 0;
	case SO_RCVBUF:
		*v = k->c ? k->c->rcvbuf : k->rcvbuf ? k->rcvbuf : tcp_config(&s->h->cfg)->rcvbuf;
		return 0;
	case SO_SNDBUF:
		*v = k->c ? k->c->sndbuf : k->sndbuf ? k->sndbuf : tcp_config(&s->h->cfg)->sndbuf;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int
get_tcp_level(struct shim *s, struct pkt_sock *k, int name, int64_t *v)
{
	switch (name) {
	case TCP_NODELAY:
		*v = k->nodelay;
		return 0;
	case TCP_MAXSEG:
		*v = k->c ? k->c->mss : k->maxseg ? k->maxseg : s->h->port.mtu - 40;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int
shim_getsockopt(struct shim *s, int fd, int level, int name, int64_t *value)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	if (level == SOL_SOCKET)
		return get_socket_level(s, k, name, value);
	if (level == IPPROTO_TCP)
		return get_tcp_level(s, k, name, value);
	return -ENOPROTOOPT;
}
