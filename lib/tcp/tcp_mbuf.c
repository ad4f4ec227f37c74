#include "tcp_mbuf.h"

static void
recount(struct rte_mbuf *m, uint32_t pkt_len)
{
	uint16_t n = 0;

	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		n++;
	m->nb_segs = n;
	m->pkt_len = pkt_len;
}

struct rte_mbuf *
mbuf_cut_front(struct rte_mbuf *m, uint32_t n)
{
	uint32_t left = rte_pktmbuf_pkt_len(m) - n;

	while (m != NULL && n > 0 && n >= m->data_len) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	if (m == NULL)
		return NULL;
	m->data_off += n;
	m->data_len -= n;
	recount(m, left);
	return m;
}

void
mbuf_keep_front(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *s = m;
	uint32_t seen = 0;

	while (seen + s->data_len < keep) {
		seen += s->data_len;
		s = s->next;
	}
	s->data_len = keep - seen;
	rte_pktmbuf_free(s->next);
	s->next = NULL;
	recount(m, keep);
}
