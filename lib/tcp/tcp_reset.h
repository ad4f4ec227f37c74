/*
 * TCP segments that reach no connection: validated, then answered with a
 * RST per RFC 9293 §3.10.7.1 (CLOSED state).
 */
#ifndef TERN_TCP_RESET_H
#define TERN_TCP_RESET_H

#include <rte_mbuf.h>

#include "net/net.h"

/*
 * Checks length, data offset and checksum of the TCP segment in m (as
 * delivered by net_rx_burst: l2_len/l3_len set). Returns 1 when valid;
 * otherwise counts, frees m and returns 0.
 */
int tcp_segment_valid(struct net_worker *nw, uint16_t port, struct rte_mbuf *m);

/* Answers a segment for which no connection exists (RFC 9293 §3.10.7.1). Frees m. */
void tcp_reply_closed(struct net_worker *nw, uint16_t port, struct rte_mbuf *m);

#endif
