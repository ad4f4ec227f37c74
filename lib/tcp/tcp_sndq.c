/*
 * The send queue: the application's mbuf segments, kept until
 * acknowledged. Transmissions reference them through indirect mbufs
 * (attach), so a retransmission never copies payload.
 */
#include "core/mbuf.h"
#include "tcp_internal.h"

void
tcp_sndq_purge(struct tcb *c)
{
	rte_pktmbuf_free(c->sndq.head); /* the queue is one chain */
	c->sndq = (struct mbuf_q){ 0 };
	c->snd_cur = NULL;
}

/* Frees acknowledged bytes from the front; *last: how the last of them was sent. */
void
tcp_sndq_ack(struct tcb *c, uint32_t bytes, struct rack_xmit *last)
{
	struct mbuf_q *q = &c->sndq;

	bytes = RTE_MIN(bytes, q->bytes);
	q->bytes -= bytes;
	while (bytes > 0) {
		struct rte_mbuf *m = q->head;

		*last = rack_mbuf_xmit(m);
		if (bytes < m->data_len) {
			m->data_off += bytes;
			m->data_len -= bytes;
			break;
		}
		bytes -= m->data_len;
		q->head = m->next;
		if (c->snd_cur == m)
			c->snd_cur = NULL;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
	if (q->head == NULL)
		q->tail = NULL;
}

/* The queued segment holding seq, and the sequence number of its first byte. */
static struct rte_mbuf *
sndq_find(struct tcb *c, tcp_seq_t seq, tcp_seq_t *start)
{
	struct rte_mbuf *m = c->sndq.head;
	tcp_seq_t at = c->snd_una;

	if (c->snd_una == c->iss)
		at++; /* the SYN is not in the queue */
	if (c->snd_cur != NULL && seq_geq(seq, c->snd_cur_seq) && seq_geq(c->snd_cur_seq, at)) {
		m = c->snd_cur;
		at = c->snd_cur_seq;
	}
	while (m != NULL && seq_geq(seq, at + m->data_len)) {
		at += m->data_len;
		m = m->next;
	}
	*start = at;
	return m;
}

/* Indirect mbufs covering [seq, seq + len) of the queue, chained; NULL when out of mbufs. */
struct rte_mbuf *
tcp_sndq_payload(struct tcp_worker *tw, struct tcb *c, tcp_seq_t seq, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	tcp_seq_t at;
	struct rte_mbuf *m = sndq_find(c, seq, &at);
	uint32_t off = (uint32_t)(seq - at);
	int rxt = seq_lt(seq, c->snd_max); /* RACK keeps the first transmission's time of original data */

	while (len > 0 && m != NULL) {
		struct rte_mbuf *mi = rte_pktmbuf_alloc(tw->w->pool);
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		if (mi == NULL) {
			CNT_INC(&tw->w->cnt, MbufAllocFailed);
			rte_pktmbuf_free(head);
			return NULL;
		}
		rack_mbuf_sent(m, (uint32_t)tw->tick, rxt);
		rte_pktmbuf_attach(mi, m);
		mi->data_off += off;
		mi->data_len = n;
		mi->pkt_len = n;
		if (head == NULL)
			head = mi;
		else {
			tail->next = mi;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = mi;
		len -= n;
		c->snd_cur = m;
		c->snd_cur_seq = at;
		off = 0;
		at += m->data_len;
		m = m->next;
	}
	return head;
}

/*
 * How much of [seq, seq + len) one TSO frame may carry (len is whole
 * segments of mss): the NIC reads at most max_segs mbufs per frame, and
 * sends each segment with the header, so the header's mbuf and a
 * segment's payload mbufs together may be at most mtu_segs (Intel's 710
 * series: 8, datasheet §8.4.1; Linux's i40e keeps TSO payload to 7). The
 * frame ends before the segment that would break either; one at least.
 */
uint32_t
tcp_sndq_tso_len(struct tcb *c, tcp_seq_t seq, uint32_t len, uint32_t mss, unsigned max_segs,
		 unsigned mtu_segs)
{
	tcp_seq_t at;
	struct rte_mbuf *m = sndq_find(c, seq, &at);
	uint32_t start = 0, off = (uint32_t)(seq - at), win = 0, in_win = 1, pieces = 1;

	if (max_segs == 0 && mtu_segs == 0)
		return len;
	for (; m != NULL && start < len; m = m->next, off = 0) {
		uint32_t end = RTE_MIN(len, start + (uint32_t)m->data_len - off);

		if (max_segs != 0 && ++pieces > max_segs)
			return RTE_MAX(start / mss * mss, mss);
		for (uint32_t w = start / mss; w <= (end - 1) / mss; w++) {
			in_win = w == win ? in_win + 1 : 2; /* the header's mbuf, then this one */
			win = w;
			if (mtu_segs != 0 && in_win > mtu_segs)
				return RTE_MAX(w * mss, mss);
		}
		start = end;
	}
	return len;
}

/* Appends the segments of chain m (already counted against the send space). */
static void
sndq_append(struct tcb *c, struct rte_mbuf *m)
{
	struct mbuf_q *q = &c->sndq;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
		tern_mbuf_set_flags(s, 0);
		rack_mbuf_reset(s);
	}
	if (q->tail == NULL)
		q->head = m;
	else
		q->tail->next = m;
	q->tail = rte_pktmbuf_lastseg(m);
	q->bytes += len;
}

uint32_t
tern_send_space(const struct tcb *c)
{
	uint32_t sndbuf = c->sndbuf;

	if (c->flags & (TF_FIN_QUEUED | TF_APP_CLOSED))
		return 0;
	if (c->state != TCPS_ESTABLISHED && c->state != TCPS_CLOSE_WAIT &&
	    c->state != TCPS_SYN_SENT && c->state != TCPS_SYN_RECEIVED)
		return 0;
	return c->sndq.bytes < sndbuf ? sndbuf - c->sndq.bytes : 0;
}

void
tern_notify_writable(struct tcb *c)
{
	c->flags |= TF_WANT_WRITABLE;
}

uint32_t
tern_send(struct tcb *c, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m), space = tern_send_space(c);

	/* All or nothing; a chain larger than the whole buffer goes when the queue is empty. */
	if (len == 0 || space == 0 || (len > space && c->sndq.bytes > 0)) {
		if (len > 0)
			c->flags |= TF_WANT_WRITABLE;
		return 0;
	}
	sndq_append(c, m);
	tcb_enter(c);
	tcb_leave_api(tcp_worker_of(c), c); /* outside a callback: now, or after the input burst */
	return len;
}

uint32_t
tern_send_bytes(struct tcb *c, const void *data, uint32_t len)
{
	struct tcp_worker *tw = tcp_worker_of(c);
	uint32_t space = tern_send_space(c), done = 0;
	const uint8_t *p = data;

	if (len > space)
		c->flags |= TF_WANT_WRITABLE;
	len = RTE_MIN(len, space);
	while (done < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(tw->w->pool);
		uint32_t n = m ? RTE_MIN(len - done, (uint32_t)rte_pktmbuf_tailroom(m)) : 0;

		if (m == NULL) {
			CNT_INC(&tw->w->cnt, MbufAllocFailed);
			c->flags |= TF_WANT_WRITABLE;
			break;
		}
		rte_memcpy(rte_pktmbuf_append(m, n), p + done, n);
		sndq_append(c, m);
		done += n;
	}
	tcb_enter(c);
	tcb_leave_api(tw, c);
	return done;
}
