/* Cutting payload chains: the receive path trims overlaps without copying. */
#ifndef TERN_TCP_MBUF_H
#define TERN_TCP_MBUF_H

#include <rte_mbuf.h>

/* Drops n bytes from the front of chain m; returns the new head (NULL when nothing is left). */
struct rte_mbuf *mbuf_cut_front(struct rte_mbuf *m, uint32_t n);
/* Keeps the first keep bytes of chain m (keep > 0), freeing the rest. */
void mbuf_keep_front(struct rte_mbuf *m, uint32_t keep);

#endif
