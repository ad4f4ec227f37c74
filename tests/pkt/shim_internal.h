/* Shared by shim.c, shim_io.c and shim_opt.c. */
#ifndef PKT_SHIM_INTERNAL_H
#define PKT_SHIM_INTERNAL_H

#include "shim.h"

struct pkt_sock *sock_alloc(struct shim *s);
void sock_free(struct pkt_sock *k);
/* Frees the received chains the app has not read. */
void rx_drop_all(struct pkt_sock *k);
/* Options set before listen()/connect() become the stack's settings. */
void apply_profile(struct shim *s, const struct pkt_sock *k);

#endif
