#include <errno.h>
#include <stdio.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "tcp_internal.h"
#include "tcp_limits.h"

#define TW_NIL UINT32_MAX

/* Several stacks in one process (tern-bench conn) need distinct hash names. */
static unsigned src_serial;

int
tcp_limits_init(struct tcp_worker *tw, int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name, .entries = RTE_MAX(tw->ntcbs, 64u), .key_len = sizeof(rte_be32_t),
		.hash_func = rte_hash_crc, .socket_id = socket,
	};

	tw->tw_head = tw->tw_tail = TW_NIL;
	if (tw->cfg->source_max_connections == 0)
		return 0;
	snprintf(name, sizeof(name), "tern_src_%u_%u", tw->w->index,
		 __atomic_fetch_add(&src_serial, 1, __ATOMIC_RELAXED));
	tw->src_conns = rte_hash_create(&hp);
	tw->src_count = rte_zmalloc_socket("tern_src_count", hp.entries * sizeof(uint32_t), 0,
					   socket);
	return tw->src_conns != NULL && tw->src_count != NULL ? 0 : -ENOMEM;
}

void
tcp_limits_fini(struct tcp_worker *tw)
{
	rte_hash_free(tw->src_conns);
	rte_free(tw->src_count);
	tw->src_conns = NULL;
	tw->src_count = NULL;
}

void
tcp_tw_link(struct tcp_worker *tw, struct tcb *c)
{
	c->tw_next = TW_NIL;
	c->tw_prev = tw->tw_tail;
	if (tw->tw_tail != TW_NIL)
		tw->tcbs[tw->tw_tail].tw_next = c->idx;
	else
		tw->tw_head = c->idx;
	tw->tw_tail = c->idx;
}

void
tcp_tw_unlink(struct tcp_worker *tw, struct tcb *c)
{
	if (c->tw_prev != TW_NIL)
		tw->tcbs[c->tw_prev].tw_next = c->tw_next;
	else
		tw->tw_head = c->tw_next;
	if (c->tw_next != TW_NIL)
		tw->tcbs[c->tw_next].tw_prev = c->tw_prev;
	else
		tw->tw_tail = c->tw_prev;
}

/*
 * RFC 9293 §3.6 keeps TIME-WAIT for 2 MSL so that old duplicates die;
 * a table too full to accept anyone is the worse failure, and Linux too
 * lets TIME-WAIT give way at its limit (tcp_max_tw_buckets). The oldest
 * has waited longest, so its duplicates are the likeliest gone.
 */
int
tcp_tw_reclaim(struct tcp_worker *tw)
{
	struct tcb *c;

	if (tw->tw_head == TW_NIL)
		return -1;
	c = &tw->tcbs[tw->tw_head];
	if (c->busy != 0) /* inside one of its own calls: it cannot go now */
		return -1;
	CNT_INC(tcp_cnt(tw), TcpExtTWReclaimed);
	tcp_drop(tw, c, TERN_CLOSE_NORMAL, 0); /* unlinks it, frees it */
	return 0;
}

static uint32_t *
src_slot(struct tcp_worker *tw, rte_be32_t saddr, int add)
{
	int32_t pos = add ? rte_hash_add_key(tw->src_conns, &saddr)
			  : rte_hash_lookup(tw->src_conns, &saddr);

	return pos >= 0 ? &tw->src_count[pos] : NULL;
}

int
tcp_limits_admit(struct tcp_worker *tw, const struct tcp_listener *l, const struct tcp_seg *s)
{
	uint32_t lmax = tw->cfg->listener_max_connections, smax = tw->cfg->source_max_connections;
	uint32_t *n;

	if (lmax != 0 && l->nconns >= lmax) {
		CNT_INC(tcp_cnt(tw), TcpExtListenerCapDrops);
		return -1;
	}
	if (smax != 0 && (n = src_slot(tw, s->saddr, 0)) != NULL && *n >= smax) {
		CNT_INC(tcp_cnt(tw), TcpExtSourceCapDrops);
		return -1;
	}
	return 0;
}

void
tcp_limits_charge(struct tcp_worker *tw, struct tcp_listener *l, struct tcb *c)
{
	uint32_t *n;

	c->lslot = (uint8_t)(l - tw->listeners + 1);
	l->nconns++;
	/* The table holds as many sources as TCBs: adding cannot fail while c holds one. */
	if (tw->src_conns != NULL && (n = src_slot(tw, c->raddr, 1)) != NULL) {
		++*n;
		c->flags |= TF_SRC_COUNTED;
	}
}

void
tcp_limits_release(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t *n;

	if (c->lslot != 0)
		tw->listeners[c->lslot - 1].nconns--;
	c->lslot = 0;
	if (!(c->flags & TF_SRC_COUNTED))
		return;
	c->flags &= ~TF_SRC_COUNTED;
	if ((n = src_slot(tw, c->raddr, 0)) != NULL && --*n == 0)
		rte_hash_del_key(tw->src_conns, &c->raddr);
}

void
tcp_limits_forget_listener(struct tcp_worker *tw, const struct tcp_listener *l)
{
	uint8_t slot = (uint8_t)(l - tw->listeners + 1);

	for (uint32_t i = 0; i < tw->ntcbs; i++)
		if (tw->tcbs[i].lslot == slot)
			tw->tcbs[i].lslot = 0;
}
