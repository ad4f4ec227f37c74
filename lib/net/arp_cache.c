#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "arp_cache.h"

#define NIL UINT32_MAX

enum entry_state { E_FREE, E_INCOMPLETE, E_REACHABLE, E_PROBE };

struct arp_entry {
	rte_be32_t ip;
	uint16_t port;
	uint8_t state;
	uint8_t tries;          /* requests sent in this resolution or probe */
	struct rte_ether_addr mac;
	uint16_t nqueued;
	uint64_t deadline;      /* REACHABLE: trusted until; INCOMPLETE/PROBE: next retry */
	uint32_t next;          /* hash chain, or free list */
	uint32_t inc_prev, inc_next; /* list of INCOMPLETE entries */
};

struct arp_cache {
	uint32_t nentries, nbuckets, used;
	uint32_t free_head, inc_head;
	uint32_t qcap;          /* packets per entry */
	uint32_t max_tries;
	uint64_t timeout, retry;
	struct net_counters *cnt;
	uint32_t *buckets;
	struct arp_entry *entries;
	struct rte_mbuf **queue; /* qcap slots per entry */
};

static uint32_t
bucket_of(const struct arp_cache *c, uint16_t port, rte_be32_t ip)
{
	/* Fibonacci hashing, its high bits scaled to the table (one multiply each, on every frame sent). */
	uint32_t h = (ip ^ ((uint32_t)port * 0x85ebca6bu)) * 0x9e3779b1u;

	return (uint32_t)(((uint64_t)h * c->nbuckets) >> 32);
}

struct arp_cache *
arp_cache_create(const struct arp_cfg *cfg, uint64_t tsc_hz, int socket,
		 struct net_counters *cnt)
{
	struct arp_cache *c = rte_zmalloc_socket("arp_cache", sizeof(*c), 0, socket);

	if (c == NULL)
		return NULL;
	c->nentries = cfg->entries;
	c->nbuckets = rte_align32pow2(cfg->entries);
	c->qcap = cfg->queue;
	c->max_tries = cfg->retries;
	c->timeout = cfg->timeout_ms * tsc_hz / 1000;
	c->retry = cfg->retry_ms * tsc_hz / 1000;
	c->cnt = cnt;
	c->buckets = rte_malloc_socket("arp_buckets", c->nbuckets * sizeof(uint32_t), 0, socket);
	c->entries = rte_zmalloc_socket("arp_entries", c->nentries * sizeof(*c->entries), 0, socket);
	c->queue = rte_zmalloc_socket("arp_queue", (size_t)c->nentries * c->qcap * sizeof(void *),
				      0, socket);
	if (c->buckets == NULL || c->entries == NULL || c->queue == NULL) {
		arp_cache_free(c);
		return NULL;
	}
	for (uint32_t b = 0; b < c->nbuckets; b++)
		c->buckets[b] = NIL;
	for (uint32_t i = 0; i < c->nentries; i++)
		c->entries[i].next = i + 1 < c->nentries ? i + 1 : NIL;
	c->free_head = 0;
	c->inc_head = NIL;
	return c;
}

static void
drop_queued(struct arp_cache *c, uint32_t idx)
{
	struct arp_entry *e = &c->entries[idx];

	rte_pktmbuf_free_bulk(&c->queue[(size_t)idx * c->qcap], e->nqueued);
	CNT_ADD(c->cnt, ArpQueueDrops, e->nqueued);
	e->nqueued = 0;
}

void
arp_cache_free(struct arp_cache *c)
{
	if (c == NULL)
		return;
	for (uint32_t i = 0; c->entries != NULL && c->queue != NULL && i < c->nentries; i++)
		if (c->entries[i].state != E_FREE)
			rte_pktmbuf_free_bulk(&c->queue[(size_t)i * c->qcap], c->entries[i].nqueued);
	rte_free(c->queue);
	rte_free(c->entries);
	rte_free(c->buckets);
	rte_free(c);
}

static uint32_t
find(const struct arp_cache *c, uint16_t port, rte_be32_t ip)
{
	for (uint32_t i = c->buckets[bucket_of(c, port, ip)]; i != NIL; i = c->entries[i].next)
		if (c->entries[i].ip == ip && c->entries[i].port == port)
			return i;
	return NIL;
}

static void
inc_link(struct arp_cache *c, uint32_t idx)
{
	struct arp_entry *e = &c->entries[idx];

	e->inc_prev = NIL;
	e->inc_next = c->inc_head;
	if (c->inc_head != NIL)
		c->entries[c->inc_head].inc_prev = idx;
	c->inc_head = idx;
}

static void
inc_unlink(struct arp_cache *c, uint32_t idx)
{
	struct arp_entry *e = &c->entries[idx];

	if (e->inc_prev != NIL)
		c->entries[e->inc_prev].inc_next = e->inc_next;
	else
		c->inc_head = e->inc_next;
	if (e->inc_next != NIL)
		c->entries[e->inc_next].inc_prev = e->inc_prev;
}

static uint32_t
insert(struct arp_cache *c, uint16_t port, rte_be32_t ip)
{
	uint32_t idx = c->free_head, b = bucket_of(c, port, ip);
	struct arp_entry *e;

	if (idx == NIL)
		return NIL;
	e = &c->entries[idx];
	c->free_head = e->next;
	memset(e, 0, sizeof(*e));
	e->ip = ip;
	e->port = port;
	e->next = c->buckets[b];
	c->buckets[b] = idx;
	c->used++;
	return idx;
}

static void
remove_entry(struct arp_cache *c, uint32_t idx)
{
	struct arp_entry *e = &c->entries[idx];
	uint32_t *link = &c->buckets[bucket_of(c, e->port, e->ip)];

	while (*link != idx)
		link = &c->entries[*link].next;
	*link = e->next;
	if (e->state == E_INCOMPLETE)
		inc_unlink(c, idx);
	drop_queued(c, idx);
	e->state = E_FREE;
	e->next = c->free_head;
	c->free_head = idx;
	c->used--;
}

enum arp_lookup
arp_cache_lookup(struct arp_cache *c, uint16_t port, rte_be32_t ip, uint64_t now,
		 struct rte_ether_addr *mac)
{
	uint32_t idx = find(c, port, ip);
	struct arp_entry *e;

	if (idx == NIL)
		return ARP_MISS;
	e = &c->entries[idx];
	if (e->state == E_INCOMPLETE)
		return ARP_PENDING;
	if (now < e->deadline) {
		*mac = e->mac;
		return ARP_HIT;
	}
	/* Past its time: keep using the address while confirming it (lazy, no scan). */
	if (e->state == E_REACHABLE) {
		e->state = E_PROBE;
		e->tries = 0;
	}
	if (e->tries >= c->max_tries) {
		remove_entry(c, idx);
		return ARP_MISS;
	}
	e->tries++;
	e->deadline = now + c->retry;
	*mac = e->mac;
	return ARP_HIT_REFRESH;
}

int
arp_cache_learn(struct arp_cache *c, uint16_t port, rte_be32_t ip,
		const struct rte_ether_addr *mac, uint64_t now, int create,
		struct rte_mbuf **out, unsigned cap)
{
	uint32_t idx = find(c, port, ip);
	struct arp_entry *e;
	unsigned n = 0;

	if (idx == NIL) {
		if (!create)
			return -1;
		if ((idx = insert(c, port, ip)) == NIL) {
			CNT_INC(c->cnt, ArpTableFull);
			return 0;
		}
	}
	e = &c->entries[idx];
	if (e->state == E_INCOMPLETE)
		inc_unlink(c, idx);
	e->state = E_REACHABLE;
	e->mac = *mac;
	e->tries = 0;
	e->deadline = now + c->timeout;
	for (; n < e->nqueued && n < cap; n++)
		out[n] = c->queue[(size_t)idx * c->qcap + n];
	if (n < e->nqueued) { /* caller gave less room than the queue holds */
		rte_pktmbuf_free_bulk(&c->queue[(size_t)idx * c->qcap + n], e->nqueued - n);
		CNT_ADD(c->cnt, ArpQueueDrops, e->nqueued - n);
	}
	e->nqueued = 0;
	return n;
}

enum arp_enqueue
arp_cache_enqueue(struct arp_cache *c, uint16_t port, rte_be32_t ip, struct rte_mbuf *m,
		  uint64_t now)
{
	uint32_t idx = find(c, port, ip);
	enum arp_enqueue rc = ARP_QUEUED;
	struct arp_entry *e;

	if (idx == NIL) {
		if ((idx = insert(c, port, ip)) == NIL) {
			CNT_INC(c->cnt, ArpTableFull);
			rte_pktmbuf_free(m);
			return ARP_DROPPED;
		}
		e = &c->entries[idx];
		e->state = E_INCOMPLETE;
		e->tries = 1;
		e->deadline = now + c->retry;
		inc_link(c, idx);
		rc = ARP_QUEUED_NEW;
	}
	e = &c->entries[idx];
	if (m == NULL)
		return rc;
	if (e->state != E_INCOMPLETE || e->nqueued >= c->qcap) {
		CNT_INC(c->cnt, ArpQueueDrops);
		rte_pktmbuf_free(m);
		return ARP_DROPPED;
	}
	c->queue[(size_t)idx * c->qcap + e->nqueued++] = m;
	return rc;
}

unsigned
arp_cache_tick(struct arp_cache *c, uint64_t now, struct arp_request *req, unsigned cap)
{
	unsigned n = 0;
	uint32_t idx = c->inc_head;

	while (idx != NIL) {
		struct arp_entry *e = &c->entries[idx];
		uint32_t next = e->inc_next;

		if (now >= e->deadline) {
			if (e->tries >= c->max_tries) {
				CNT_INC(c->cnt, ArpResolveFailed);
				remove_entry(c, idx);
			} else if (n < cap) {
				e->tries++;
				e->deadline = now + c->retry;
				req[n++] = (struct arp_request){ .port = e->port, .ip = e->ip };
			}
		}
		idx = next;
	}
	return n;
}

int
arp_cache_known(const struct arp_cache *c, uint16_t port, rte_be32_t ip)
{
	uint32_t idx = find(c, port, ip);

	return idx != NIL && c->entries[idx].state != E_INCOMPLETE;
}

uint32_t
arp_cache_count(const struct arp_cache *c)
{
	return c->used;
}
