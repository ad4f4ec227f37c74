/* Small rules about mbufs that every layer must follow. */
#ifndef TERN_CORE_MBUF_H
#define TERN_CORE_MBUF_H

#include <rte_mbuf.h>

/* The flags that say whose buffer an mbuf holds: never cleared while it holds one. */
#define TERN_MBUF_OWNER_FLAGS (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)

/*
 * Clears m's offload flags (a received frame's checksum status, a sent
 * one's requests) and sets set. The ownership flags stay: an indirect or
 * external mbuf whose flag was cleared is freed as if its buffer were its
 * own, into the wrong pool, while the owner's reference is never dropped.
 */
static inline void
tern_mbuf_set_flags(struct rte_mbuf *m, uint64_t set)
{
	m->ol_flags = (m->ol_flags & TERN_MBUF_OWNER_FLAGS) | set;
}

#endif
