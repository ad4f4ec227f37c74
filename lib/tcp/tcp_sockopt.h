/*
 * Socket-option style settings of one connection, for callers that expose
 * tern through a socket-like interface (tests/pkt's socket shim): buffer
 * sizes, Nagle, MSS clamp, keepalive, and closing a listener. Each is a TCB
 * entry point, so output that the change allows goes out before it returns.
 */
#ifndef TERN_TCP_SOCKOPT_H
#define TERN_TCP_SOCKOPT_H

#include <stdint.h>

#include "tcp.h"

struct tcp_worker;

/* SO_RCVBUF / SO_SNDBUF: new buffer sizes in bytes (0 leaves one unchanged). */
void tern_sockopt_bufs(struct tcb *c, uint32_t rcvbuf, uint32_t sndbuf);

/* TCP_NODELAY: like tern_set_nodelay, and what Nagle held back goes now. */
void tern_sockopt_nodelay(struct tcb *c, int on);

/* TCP_MAXSEG: payload bytes per segment sent are at most mss. */
void tern_sockopt_maxseg(struct tcb *c, uint16_t mss);

/*
 * SO_KEEPALIVE on an established connection: (re)starts its keepalive
 * timer. Keepalive probing itself follows the worker's [tcp] keepalive
 * setting, which the caller turns on.
 */
void tern_sockopt_keepalive(struct tcb *c);

/*
 * The window scale a receive buffer of rcvbuf bytes needs: the smallest
 * shift that lets the advertised window cover all of it (RFC 7323 §2.3).
 */
uint8_t tern_wscale_for(uint32_t rcvbuf);

#endif
