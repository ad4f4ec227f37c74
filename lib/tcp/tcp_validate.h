/*
 * TCP header validation, on the worker that owns the flow: lib/stack steers
 * a segment by its ports first and validates it there, just before
 * tcp_input parses it (an invalid one is counted by its owner).
 */
#ifndef TERN_TCP_VALIDATE_H
#define TERN_TCP_VALIDATE_H

#include <rte_mbuf.h>

struct tcp_worker;

/*
 * Checks length, data offset and checksum of the TCP segment in m (as
 * delivered by net_rx_burst: l2_len/l3_len set). Returns 1 when valid;
 * otherwise counts, frees m and returns 0.
 */
int tcp_segment_valid(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m);

#endif
