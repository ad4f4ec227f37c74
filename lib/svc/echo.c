/*
 * Echo (RFC 862): what arrives goes back. Received mbufs are sent as they
 * are (no copy); bytes are consumed only once the send queue took them,
 * so a slow reader closes the window on a fast writer. The peer's FIN is
 * answered with ours only after every byte before it went back.
 */
#include <stdint.h>

#include "svc.h"

/*
 * The connection's ctx: data that did not fit in the send queue yet, with
 * the low bit set once the peer's FIN arrived (mbufs are cache aligned).
 */
#define PEER_FIN ((uintptr_t)1)

static struct rte_mbuf *
pending_of(void *ctx)
{
	return (struct rte_mbuf *)((uintptr_t)ctx & ~PEER_FIN);
}

static int
fin_seen(void *ctx)
{
	return ((uintptr_t)ctx & PEER_FIN) != 0;
}

static void
set_state(struct tcb *c, struct rte_mbuf *pending, int fin)
{
	tern_set_ctx(c, (void *)((uintptr_t)pending | (fin ? PEER_FIN : 0)));
}

/* Queues what waits; after the peer's FIN and nothing left, sends ours. */
static void
echo_flush(struct tcb *c, struct rte_mbuf *pending, int fin)
{
	if (pending != NULL) {
		uint32_t len = rte_pktmbuf_pkt_len(pending);

		if (tern_send(c, pending) != len) {
			set_state(c, pending, fin); /* on_writable comes back */
			return;
		}
		tern_consumed(c, len);
	}
	set_state(c, NULL, fin);
	if (fin)
		tern_shutdown(c);
}

static void
echo_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct rte_mbuf *pending = pending_of(ctx);

	if (pending == NULL) {
		echo_flush(c, m, fin_seen(ctx));
		return;
	}
	if (rte_pktmbuf_chain(pending, m) != 0) {
		/* 65535 tiny segments held for a peer that does not read: abuse, not traffic. */
		rte_pktmbuf_free(m);
		tern_abort(c);
		return;
	}
	set_state(c, pending, fin_seen(ctx)); /* waits for on_writable */
}

static void
echo_writable(struct tcb *c, void *ctx)
{
	echo_flush(c, pending_of(ctx), fin_seen(ctx));
}

static void
echo_peer_fin(struct tcb *c, void *ctx)
{
	/* Half-close: what came before still goes back, then our FIN. */
	if (pending_of(ctx) == NULL)
		echo_flush(c, NULL, 1);
	else
		set_state(c, pending_of(ctx), 1);
}

static void
echo_closed(struct tcb *c, void *ctx, enum tern_close_reason reason)
{
	(void)c;
	(void)reason;
	rte_pktmbuf_free(pending_of(ctx));
}

static const struct tern_conn_ops echo_ops = {
	.on_data = echo_data,
	.on_writable = echo_writable,
	.on_peer_fin = echo_peer_fin,
	.on_closed = echo_closed,
};

int
echo_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	(void)c;
	(void)listen_ctx;
	*ops = &echo_ops;
	*ctx = NULL;
	return 0;
}
