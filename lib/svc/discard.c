/* Discard (RFC 863): everything received is thrown away and the window reopens at once. */
#include "svc.h"

static void
discard_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);

	(void)ctx;
	rte_pktmbuf_free(m);
	tern_consumed(c, len);
}

static void
discard_peer_fin(struct tcb *c, void *ctx)
{
	(void)ctx;
	tern_close(c);
}

static const struct tern_conn_ops discard_ops = {
	.on_data = discard_data,
	.on_peer_fin = discard_peer_fin,
};

int
discard_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	(void)c;
	(void)listen_ctx;
	*ops = &discard_ops;
	*ctx = NULL;
	return 0;
}
