/*
 * Echo (RFC 862): what arrives goes back. Received mbufs are sent as they
 * are (no copy); bytes are consumed only once the send queue took them,
 * so a slow reader closes the window on a fast writer.
 */
#include "services.h"

/* ctx holds data that did not fit yet. */
static void
echo_flush(struct tcb *c, struct rte_mbuf *pending)
{
	uint32_t len = rte_pktmbuf_pkt_len(pending);

	if (tern_send(c, pending) == len) {
		tern_set_ctx(c, NULL);
		tern_consumed(c, len);
	} else
		tern_set_ctx(c, pending);
}

static void
echo_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct rte_mbuf *pending = ctx;

	if (pending != NULL && rte_pktmbuf_chain(pending, m) == 0) {
		tern_set_ctx(c, pending); /* waits for on_writable */
		return;
	}
	if (pending != NULL) /* chain too long: the older data first */
		echo_flush(c, pending);
	echo_flush(c, m);
}

static void
echo_writable(struct tcb *c, void *ctx)
{
	if (ctx != NULL)
		echo_flush(c, ctx);
}

static void
echo_peer_fin(struct tcb *c, void *ctx)
{
	/* Half-close: the echo of what came before still goes, then our FIN. */
	(void)ctx;
	tern_shutdown(c);
}

static void
echo_closed(struct tcb *c, void *ctx, enum tern_close_reason reason)
{
	(void)c;
	(void)reason;
	rte_pktmbuf_free(ctx);
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
