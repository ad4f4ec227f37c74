/*
 * Moving bytes between the legs without copying them: the chain one leg
 * delivers waits in pending[leg] and goes to the other leg's send queue in
 * whole mbufs, as much as its send space takes. Only then is it consumed on
 * the leg it came from, so that leg's receive window stays closed while the
 * other side is slow: memory per pair is bounded by the two connections'
 * buffers, never by the traffic.
 */
#include <string.h>

#include "proxy_internal.h"
#include "proxy_proto.h"
#include "tcp/tcp_mbuf.h"

/* Detaches the leading whole mbufs of *head that total at most max bytes (NULL: none fits). */
static struct rte_mbuf *
chain_split(struct rte_mbuf **head, uint32_t max)
{
	struct rte_mbuf *first = *head, *last = NULL, *seg = first;
	uint32_t len = 0;
	uint16_t n = 0;

	while (seg != NULL && len + seg->data_len <= max) {
		len += seg->data_len;
		n++;
		last = seg;
		seg = seg->next;
	}
	if (last == NULL)
		return NULL;
	if (seg == NULL) {
		*head = NULL;
		return first;
	}
	seg->pkt_len = first->pkt_len - len;
	seg->nb_segs = (uint16_t)(first->nb_segs - n);
	last->next = NULL;
	first->pkt_len = len;
	first->nb_segs = n;
	*head = seg;
	return first;
}

/* Keeps m after what already waits from leg; 0, or -1 when the chain would be too long. */
static int
pending_add(struct proxy_sess *s, int leg, struct rte_mbuf *m)
{
	if (s->pending[leg] == NULL) {
		s->pending[leg] = m;
		return 0;
	}
	return rte_pktmbuf_chain(s->pending[leg], m) == 0 ? 0 : -1;
}

static void
count_bytes(struct proxy_worker *pw, struct proxy_sess *s, int from, uint32_t n)
{
	struct proxy_stats *fe = &pw->fe[s->fe].st, *be = &pw->be[s->be].st;
	struct proxy_stats *srv = s->srv >= 0 ? &pw->be[s->be].srv[s->srv].st : NULL;

	if (from == LEG_CLIENT) {
		fe->bin += n;
		be->bin += n;
		if (srv != NULL)
			srv->bin += n;
	} else {
		fe->bout += n;
		be->bout += n;
		if (srv != NULL)
			srv->bout += n;
	}
}

/* Whatever waits from leg `from` goes to the other leg as far as it has room; then its FIN. */
void
splice_forward(struct proxy_worker *pw, struct proxy_sess *s, int from)
{
	struct tcb *dst = sess_leg(pw, s, !from), *src = sess_leg(pw, s, from);

	if (s->state != SESS_OPEN || dst == NULL)
		return;
	while (s->pending[from] != NULL) {
		struct rte_mbuf *m = chain_split(&s->pending[from], tern_send_space(dst));
		uint32_t n = m != NULL ? rte_pktmbuf_pkt_len(m) : 0;

		if (m != NULL && n == 0) {
			/* Only emptied headers, nothing to send: tern_send takes no empty chain. */
			rte_pktmbuf_free(m);
			continue;
		}
		if (m == NULL || tern_send(dst, m) != n) {
			if (m != NULL) { /* it fit the space, so this cannot happen: keep it first */
				if (s->pending[from] != NULL)
					rte_pktmbuf_chain(m, s->pending[from]);
				s->pending[from] = m;
			}
			tern_notify_writable(dst);
			return;
		}
		count_bytes(pw, s, from, n);
		s->last[!from] = pw->tick;
		if (src != NULL)
			tern_consumed(src, n);
	}
	if (s->fin[from] && !s->shut[!from]) {
		s->shut[!from] = 1;
		tern_shutdown(dst); /* after the data queued before it */
	}
}

/* Data leg delivered: it waits for the other leg (or for the PROXY header to be complete). */
void
splice_take(struct proxy_worker *pw, struct proxy_sess *s, int leg, struct rte_mbuf *m)
{
	s->last[leg] = pw->tick;
	if (s->state == SESS_DONE || (!s->alive[!leg] && s->state == SESS_OPEN)) {
		/* Nobody will take it: consumed and dropped (the other leg closed). */
		struct tcb *c = sess_leg(pw, s, leg);

		if (c != NULL)
			tern_consumed(c, rte_pktmbuf_pkt_len(m));
		rte_pktmbuf_free(m);
		return;
	}
	if (pending_add(s, leg, m) != 0) {
		CNT_INC(pw->cnt, ProxyPendingOverflow);
		rte_pktmbuf_free(m);
		sess_abort(pw, s);
		return;
	}
	if (s->state == SESS_WAIT_HDR && leg == LEG_CLIENT) {
		if (splice_proxy_header(pw, s) > 0)
			sess_connect(pw, s);
		return;
	}
	splice_forward(pw, s, leg);
}

/*
 * accept_proxy: the PROXY header at the start of the client's bytes. 1 when
 * it was whole (taken off the data, its client address kept), 0 when more
 * is needed, -1 when malformed (the client is reset, counted).
 */
int
splice_proxy_header(struct proxy_worker *pw, struct proxy_sess *s)
{
	uint8_t buf[PROXY_HDR_MAX];
	struct rte_mbuf *m = s->pending[LEG_CLIENT];
	uint32_t have = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)sizeof(buf));
	const uint8_t *p = rte_pktmbuf_read(m, 0, have, buf);
	struct pp_header h;
	int n = pp_parse(p, have, PROXY_HDR_MAX, &h);
	struct tcb *c = sess_leg(pw, s, LEG_CLIENT);

	if (n == 0 && have < sizeof(buf))
		return 0;
	if (n <= 0 || c == NULL) {
		CNT_INC(pw->cnt, ProxyBadProxyHeader);
		pw->fe[s->fe].st.ereq++;
		sess_abort(pw, s);
		return -1;
	}
	if (h.command == PP_CMD_PROXY && h.family == PP_FAM_INET) {
		s->caddr = h.src.v4;
		s->cport = h.src_port;
	}
	s->pending[LEG_CLIENT] = mbuf_cut_front(m, (uint32_t)n);
	tern_consumed(c, (uint32_t)n);
	s->state = SESS_NEW;
	return 1;
}

/* send_proxy: the header goes first on the server leg (before any of the client's bytes). */
void
splice_send_header(struct proxy_worker *pw, struct proxy_sess *s)
{
	const struct proxy_backend_cfg *bc = pw->be[s->be].cfg;
	struct tcb *c = sess_leg(pw, s, LEG_SERVER);
	struct pp_header h = { .command = PP_CMD_PROXY, .family = PP_FAM_INET,
		.src_port = s->cport, .dst_port = s->vport, .src.v4 = s->caddr, .dst.v4 = s->vaddr };
	uint8_t buf[128];
	int n;

	if (bc->send_proxy == PROXY_PP_NONE || s->hdr_sent || c == NULL)
		return;
	n = bc->send_proxy == PROXY_PP_V1 ? pp_build_v1((char *)buf, sizeof(buf), &h)
					   : pp_build_v2(buf, sizeof(buf), &h);
	if (n > 0 && tern_send_bytes(c, buf, (uint32_t)n) == (uint32_t)n)
		s->hdr_sent = 1;
}
