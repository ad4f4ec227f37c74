/*
 * POSIX-looking sockets over tern's event API, for the script's system
 * calls. Received mbufs stay in the socket until read() takes bytes, and
 * only then does the shim call tern_consumed(), so the advertised window
 * behaves like a real socket's. Results are POSIX: a count, or -errno, or
 * SHIM_BLOCK when a blocking socket would have to wait.
 */
#ifndef PKT_SHIM_H
#define PKT_SHIM_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "harness.h"
#include "tcp/tcp.h"

#define SHIM_BLOCK (-100000)
#define SHIM_MAX_FD 64
#define SHIM_ACCEPT_QUEUE 16

enum sock_kind { SK_FREE = 0, SK_NEW, SK_LISTEN, SK_CONN };

struct shim;

struct pkt_sock {
	struct shim *sh;
	enum sock_kind kind;
	int fd;                     /* -1 while queued for accept() or once closed */
	int orphan;                 /* the app closed it; freed when tern is done */
	int nonblock;
	uint16_t port;              /* bound or listening port (host order) */
	/* options, applied when the connection exists */
	int reuseaddr, nodelay, keepalive, linger_on, linger_secs;
	uint32_t rcvbuf, sndbuf;    /* 0: the profile's */
	uint16_t maxseg;
	/* listener */
	struct pkt_sock *accq[SHIM_ACCEPT_QUEUE];
	int naccq;
	/* connection */
	struct tcb *c;              /* NULL once tern closed it */
	int connecting, established, peer_fin, shut_rd, shut_wr, reset;
	int err;                    /* pending error for SO_ERROR / the next call */
	struct rte_mbuf *rx[256];   /* received chains, oldest first */
	int rx_head, rx_n;
	uint32_t rx_off;            /* bytes of rx[rx_head] already read */
	uint64_t rx_bytes;
	uint64_t read_off, write_off; /* stream offsets, for the payload checks */
};

struct shim {
	struct harness *h;
	struct pkt_sock socks[SHIM_MAX_FD];
	struct pkt_sock *fds[SHIM_MAX_FD];
	uint16_t listen_port;         /* the last listen() or connect() port, host order: */
	uint16_t connect_port;        /* the runner's flow follows them */
	unsigned opens;               /* listen() and connect() calls so far */
};

void shim_init(struct shim *s, struct harness *h);
/* Frees what sockets hold (after the stack has been stopped). */
void shim_fini(struct shim *s);

struct pkt_sock *shim_sock(struct shim *s, int fd);

int shim_socket(struct shim *s);
int shim_bind(struct shim *s, int fd, uint16_t port);
int shim_listen(struct shim *s, int fd, uint16_t default_port);
int shim_accept(struct shim *s, int fd);
int shim_connect(struct shim *s, int fd, uint16_t port);
int shim_connect_poll(struct shim *s, int fd);
/* Copies up to len bytes to buf (may be NULL); peek leaves them queued. */
int64_t shim_read(struct shim *s, int fd, uint8_t *buf, uint64_t len, int peek);
/* Writes len bytes of the stream pattern; *done carries progress across a block. */
int64_t shim_write(struct shim *s, int fd, uint64_t len, uint64_t *done);
int shim_close(struct shim *s, int fd);
int shim_shutdown(struct shim *s, int fd, int how);
int shim_getfl(struct shim *s, int fd);
int shim_setfl(struct shim *s, int fd, int flags);
int shim_setsockopt(struct shim *s, int fd, int level, int name, int64_t value, int64_t value2);
int shim_getsockopt(struct shim *s, int fd, int level, int name, int64_t *value);
int shim_fionread(struct shim *s, int fd, int64_t *value);

#endif
