/*
 * read/recv and write/send on shim sockets. read() hands bytes from the
 * buffered mbufs and only then tells tern they are consumed; write() sends
 * the outbound stream pattern (stream.h) through tern_send_bytes().
 */
#include <errno.h>
#include <string.h>

#include "shim_internal.h"
#include "stream.h"
#include "tcp/tcp.h"

#define WRITE_CHUNK 65536

/* Copies n buffered bytes (n <= rx_bytes) into buf without consuming them. */
static void
rx_copy(const struct pkt_sock *k, uint8_t *buf, uint64_t n)
{
	uint32_t off = k->rx_off;
	int i = k->rx_head;

	while (n > 0) {
		const struct rte_mbuf *m = k->rx[i];
		uint32_t take = (uint32_t)RTE_MIN((uint64_t)(rte_pktmbuf_pkt_len(m) - off), n);
		const void *p = rte_pktmbuf_read(m, off, take, buf);

		if (p != buf)
			memcpy(buf, p, take);
		buf += take;
		n -= take;
		off = 0;
		i = (i + 1) % 256;
	}
}

static void
rx_consume(struct pkt_sock *k, uint64_t n)
{
	k->rx_bytes -= n;
	k->read_off += n;
	while (n > 0) {
		struct rte_mbuf *m = k->rx[k->rx_head];
		uint32_t left = rte_pktmbuf_pkt_len(m) - k->rx_off;

		if (n < left) {
			k->rx_off += (uint32_t)n;
			return;
		}
		n -= left;
		rte_pktmbuf_free(m);
		k->rx_off = 0;
		k->rx_head = (k->rx_head + 1) % 256;
		k->rx_n--;
	}
}

int64_t
shim_read(struct shim *s, int fd, uint8_t *buf, uint64_t len, int peek)
{
	struct pkt_sock *k = shim_sock(s, fd);
	uint64_t n;
	int e;

	if (k == NULL)
		return -EBADF;
	if (k->kind != SK_CONN)
		return -ENOTCONN;
	if (len == 0)
		return 0;
	if (k->rx_bytes > 0) {
		n = RTE_MIN(len, k->rx_bytes);
		if (buf != NULL)
			rx_copy(k, buf, n);
		if (!peek) {
			rx_consume(k, n);
			if (k->c != NULL)
				tern_consumed(k->c, (uint32_t)n); /* the window reopens now */
			harness_flush(s->h);
		}
		return (int64_t)n;
	}
	if ((e = k->err) != 0) {
		k->err = 0;
		return -e;
	}
	if (k->peer_fin || k->shut_rd || (k->c == NULL && !k->connecting))
		return 0;
	return k->nonblock ? -EAGAIN : SHIM_BLOCK;
}

/* One chunk of the pattern into the send queue; returns the bytes taken. */
static uint32_t
write_chunk(struct pkt_sock *k, uint32_t n)
{
	static uint8_t tmp[WRITE_CHUNK];
	uint32_t taken;

	for (uint32_t i = 0; i < n; i++)
		tmp[i] = stream_out_byte(k->write_off + i);
	taken = tern_send_bytes(k->c, tmp, n);
	k->write_off += taken;
	return taken;
}

static int64_t
write_ready(struct pkt_sock *k)
{
	int e = k->err;

	if (k->kind != SK_CONN)
		return -EPIPE;
	if (e != 0) {
		k->err = 0;
		return -e;
	}
	if (k->shut_wr || k->c == NULL)
		return -EPIPE;
	if (k->connecting)
		return k->nonblock ? -EAGAIN : SHIM_BLOCK;
	return 0;
}

int64_t
shim_write(struct shim *s, int fd, uint64_t len, uint64_t *done)
{
	struct pkt_sock *k = shim_sock(s, fd);
	int64_t rc;

	if (k == NULL)
		return -EBADF;
	if ((rc = write_ready(k)) != 0)
		return rc;
	while (*done < len) {
		uint32_t space = tern_send_space(k->c);
		uint32_t n = (uint32_t)RTE_MIN(RTE_MIN(len - *done, (uint64_t)space),
					       (uint64_t)WRITE_CHUNK);
		uint32_t taken = n ? write_chunk(k, n) : 0;

		*done += taken;
		harness_flush(s->h);
		if (taken == 0 || taken < n)
			break;
	}
	if (*done == len)
		return (int64_t)len;
	if (k->nonblock)
		return *done > 0 ? (int64_t)*done : -EAGAIN;
	return SHIM_BLOCK;
}

int
shim_fionread(struct shim *s, int fd, int64_t *value)
{
	struct pkt_sock *k = shim_sock(s, fd);

	if (k == NULL)
		return -EBADF;
	if (k->kind == SK_LISTEN)
		return -EINVAL;
	*value = (int64_t)k->rx_bytes;
	return 0;
}
