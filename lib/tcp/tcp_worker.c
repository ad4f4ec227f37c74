#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "core/clock.h"
#include "core/log.h"
#include "siphash.h"
#include "tcp_internal.h"
#include "tcp_limits.h"
#include "tcp_sockopt.h"
#include "tcp_worker.h"

_Static_assert(sizeof(struct flowtab_tuple) == 12, "the ISN hash reads the tuple without padding");

static const char *const state_names[TCPS_NSTATES] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

const char *
tcp_state_name(enum tcp_state s)
{
	return s < TCPS_NSTATES ? state_names[s] : "?";
}

static int
create_tables(struct tcp_worker *tw, int socket)
{
	uint32_t nooo = tw->cfg->ooo_mbufs;
	int flows = flowtab_init(&tw->flows, tw->ntcbs, socket);

	tw->tcbs = rte_zmalloc_socket("tern_tcbs", (size_t)tw->ntcbs * sizeof(struct tcb),
				      RTE_CACHE_LINE_SIZE, socket);
	tw->ooo = rte_zmalloc_socket("tern_ooo", (size_t)RTE_MAX(nooo, 1u) * sizeof(*tw->ooo),
				     0, socket);
	if (flows != 0 || tw->tcbs == NULL || tw->ooo == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < tw->ntcbs; i++) {
		tw->tcbs[i].idx = i;
		tw->tcbs[i].next_free = i + 1 < tw->ntcbs ? i + 1 : UINT32_MAX;
		tw->tcbs[i].flags = TF_FREED;
	}
	for (uint32_t i = 0; i < nooo; i++)
		tw->ooo[i].next = i + 1 < nooo ? i + 1 : UINT32_MAX;
	tw->ooo_free = nooo ? 0 : UINT32_MAX;
	return 0;
}

int
tcp_worker_init(struct tcp_worker *tw, struct net_worker *net, const struct tcp_cfg *cfg)
{
	memset(tw, 0, sizeof(*tw));
	tw->net = net;
	tw->w = net->w;
	tw->cfg = cfg;
	tw->cc = tcp_cc_find(cfg->cc);
	if (tw->cc == NULL)
		return -EINVAL;
	tw->rtt_lim = (struct tcp_rtt_limits){
		.initial_us = cfg->initial_rto_ms * 1000, .min_us = cfg->min_rto_ms * 1000,
		.max_us = cfg->max_rto_ms * 1000, .granularity_us = TCP_TICK_US,
	};
	tw->tsc_per_tick = tern_us_to_tsc(TCP_TICK_US);
	if (tw->tsc_per_tick == 0)
		tw->tsc_per_tick = 1;
	tw->tick = tw->w->now / tw->tsc_per_tick;
	/* The scale is fixed by the SYN: it must fit what autotuning may grow to (RFC 7323 §2.2). */
	tw->rcv_wscale = cfg->window_scaling ? tern_wscale_for(RTE_MAX(cfg->rcvbuf, cfg->rcvbuf_max)) : 0;
	tw->autotune_budget = cfg->autotune_budget_mib != 0 ? (uint64_t)cfg->autotune_budget_mib << 20 :
			      (uint64_t)tw->w->pool->size * rte_pktmbuf_data_room_size(tw->w->pool) / 2;
	tw->ntcbs = cfg->max_connections;
	tw->ephemeral_next = tw->w->index * 997u; /* workers start their searches apart */
	if (getrandom(tw->isn_key, sizeof(tw->isn_key), 0) != sizeof(tw->isn_key))
		tw->isn_key[0] = rte_rand(), tw->isn_key[1] = rte_rand();
	if (getrandom(tw->cookie_key, sizeof(tw->cookie_key), 0) != sizeof(tw->cookie_key))
		tw->cookie_key[0] = rte_rand(), tw->cookie_key[1] = rte_rand();
	wheel_init(&tw->wheel, tw->tick, tcp_timer_expired, tw);
	tw->challenge_window_tick = tw->tick; /* the first second's budget: the limit itself */
	tw->challenge_acks = cfg->challenge_ack_limit;
	if (tw->w->index == 0)
		TLOG(NOTICE, "tcp: %u connections per worker, TCB %zu bytes (%zu cache lines)",
		     tw->ntcbs, sizeof(struct tcb), sizeof(struct tcb) / RTE_CACHE_LINE_SIZE);
	if (tcp_limits_init(tw, tw->w->socket) != 0)
		return -ENOMEM;
	return create_tables(tw, tw->w->socket);
}

void
tcp_worker_fini(struct tcp_worker *tw)
{
	for (uint32_t i = 0; tw->tcbs != NULL && i < tw->ntcbs; i++)
		if (!(tw->tcbs[i].flags & TF_FREED))
			tcp_drop(tw, &tw->tcbs[i], TERN_CLOSE_ABORTED, 0);
	flowtab_fini(&tw->flows);
	tcp_limits_fini(tw);
	rte_free(tw->ooo);
	rte_free(tw->tcbs);
	tw->ooo = NULL;
	tw->tcbs = NULL;
}

void
tcp_worker_clock(struct tcp_worker *tw)
{
	tw->tick = tw->w->now / tw->tsc_per_tick;
}

void
tcp_worker_tick(struct tcp_worker *tw)
{
	tcp_worker_clock(tw);
	/* A cap keeps one loop short after a stall; the rest fire next loop. */
	wheel_advance(&tw->wheel, tw->tick, 4096);
}

struct tcb *
tcb_alloc(struct tcp_worker *tw)
{
	struct tcb *c;
	uint32_t idx = tw->free_head, gen;

	if (tw->used == tw->ntcbs && (tcp_tw_reclaim(tw) != 0 || tw->used == tw->ntcbs))
		return NULL;
	idx = tw->free_head;
	c = &tw->tcbs[idx];
	tw->free_head = c->next_free;
	gen = c->gen + 1;
	memset(c, 0, sizeof(*c));
	c->idx = idx;
	c->tw = tw;
	c->gen = gen != 0 ? gen : 1; /* 0 names no connection (struct tern_conn_ref) */
	tw->used++;
	return c;
}

void
tcb_free(struct tcp_worker *tw, struct tcb *c)
{
	tcp_limits_release(tw, c);
	tcp_autotune_release(tw, c);
	c->flags = TF_FREED;
	c->state = TCPS_CLOSED;
	c->next_free = tw->free_head;
	tw->free_head = c->idx;
	tw->used--;
}

_Static_assert(TCP_MAX_LISTENERS <= 64, "listeners_by_port holds slot masks of 64 bits");

struct tcp_listener *
tcp_listener_find(struct tcp_worker *tw, rte_be32_t addr, uint16_t port)
{
	struct tcp_listener *any = NULL;

	for (uint64_t m = tw->listeners_by_port[port & 0xff]; m != 0; m &= m - 1) {
		struct tcp_listener *l = &tw->listeners[__builtin_ctzll(m)];

		if (l->port != port)
			continue;
		if (l->addr == addr)
			return l;
		if (l->addr == 0)
			any = l;
	}
	return any;
}

/*
 * RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M ticking every 4 us. The other half of the hash offsets our timestamps
 * so they reveal no uptime (as Linux does).
 */
uint64_t
tcp_isn_hash(const struct tcp_worker *tw, rte_be32_t raddr, rte_be16_t rport, rte_be32_t laddr,
	     rte_be16_t lport)
{
	/* No padding: the hash reads exactly the four fields. */
	const struct flowtab_tuple k = { .raddr = raddr, .laddr = laddr, .rport = rport,
					 .lport = lport };

	return siphash24(tw->isn_key, &k, sizeof(k));
}

void
tcp_isn_and_ts_offset(struct tcp_worker *tw, struct tcb *c)
{
	uint64_t m = tw->w->now / RTE_MAX(tern_tsc_hz / 250000, (uint64_t)1);
	uint64_t f = tcp_isn_hash(tw, c->raddr, c->rport, c->laddr, c->lport);

	c->iss = (tcp_seq_t)(m + (uint32_t)f);
	c->ts_offset = (uint32_t)(f >> 32);
}
