/* TCP input: parse once, find the connection, dispatch by state (RFC 9293 §3.10.7). */
#include <rte_ip.h>
#include <rte_tcp.h>

#include "core/mbuf.h"
#include "core/steer.h"
#include "tcp_internal.h"
#include "tcp_limits.h"
#include "tcp_syncookie.h"
#include "tcp_validate.h"

/* Parses headers and options; returns -1 (counted) for malformed options. */
static int
seg_parse(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m, struct tcp_seg *s)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								m->l2_len);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
								m->l2_len + m->l3_len);
	uint32_t hdrs = m->l2_len + m->l3_len + m->l4_len;

	s->seq = rte_be_to_cpu_32(th->sent_seq);
	s->ack = rte_be_to_cpu_32(th->recv_ack);
	s->wnd = rte_be_to_cpu_16(th->rx_win);
	s->flags = th->tcp_flags;
	s->ecn = ip->type_of_service & 3;
	s->port = port;
	s->saddr = ip->src_addr;
	s->daddr = ip->dst_addr;
	s->sport = th->src_port;
	s->dport = th->dst_port;
	s->len = rte_pktmbuf_pkt_len(m) - hdrs;
	if (tcp_opts_parse((const uint8_t *)(th + 1), m->l4_len - sizeof(*th), &s->opts) != 0) {
		CNT_INC(tcp_cnt(tw), TcpInBadOptions);
		CNT_INC(tcp_cnt(tw), TcpInErrs);
		return -1;
	}
	return 0;
}

/* Keeps only the payload in the mbuf (or frees it when there is none). */
static void
seg_take_payload(struct tcp_seg *s, struct rte_mbuf *m)
{
	if (s->len == 0) {
		rte_pktmbuf_free(m);
		s->m = NULL;
		return;
	}
	rte_pktmbuf_adj(m, rte_pktmbuf_pkt_len(m) - s->len);
	tern_mbuf_set_flags(m, 0);
	s->m = m;
}

/*
 * Software GRO: next continues prev in sequence on the same flow and says
 * nothing prev did not (flags ACK, PSH allowed on the later; the same ACK,
 * window, ECN field and timestamps; no SACK blocks or other options), as
 * Linux's tcp_gro_receive demands. A CE mark is never merged: each is an
 * event for RFC 3168 §6.1.3.
 */
static int
gro_mergeable(const struct tcp_seg *prev, const struct tcp_seg *next)
{
	return prev->len > 0 && next->len > 0 && prev->flags == TCP_F_ACK &&
	       (next->flags & ~TCP_F_PSH) == TCP_F_ACK && prev->seq + prev->len == next->seq &&
	       prev->len + next->len <= TCP_GRO_MAX && prev->ack == next->ack &&
	       prev->wnd == next->wnd && prev->ecn == next->ecn && prev->ecn != 3 &&
	       prev->saddr == next->saddr && prev->sport == next->sport &&
	       prev->daddr == next->daddr && prev->dport == next->dport && prev->port == next->port &&
	       prev->opts.flags == next->opts.flags && (prev->opts.flags & ~TCP_OPTF_TS) == 0 &&
	       prev->opts.ts_val == next->opts.ts_val && prev->opts.ts_ecr == next->opts.ts_ecr;
}

/* Appends next's payload to prev; 0 when the chain cannot take it (next stays apart). */
static int
gro_merge(struct tcp_worker *tw, struct tcp_seg *prev, struct tcp_seg *next)
{
	if (rte_pktmbuf_chain(prev->m, next->m) != 0)
		return 0;
	prev->len += next->len;
	prev->flags = next->flags;
	next->m = NULL;
	CNT_INC(tcp_cnt(tw), TcpExtTCPGroMerged);
	return 1;
}

/* §3.10.7.1: no connection. */
static void
input_closed(struct tcp_worker *tw, struct tcp_seg *s)
{
	CNT_INC(tcp_cnt(tw), TcpInClosedPort);
	if (!(s->flags & TCP_F_RST))
		tcp_send_rst_reply(tw, s);
	seg_free_payload(s);
}

/* A parsed segment whose connection was looked up (c: NULL when none). */
static void
input_one(struct tcp_worker *tw, struct tcp_seg *s, struct tcb *c)
{
	struct tcp_listener *l;

	if (c != NULL && c->state == TCPS_TIME_WAIT && (s->flags & TCP_F_SYN) &&
	    !(s->flags & (TCP_F_ACK | TCP_F_RST)) && tcp_time_wait_reusable(tw, c, s)) {
		/* RFC 6191 §2: a new incarnation may take over the TIME-WAIT connection. */
		tcp_drop(tw, c, TERN_CLOSE_NORMAL, 0);
		c = NULL;
	}
	if (c != NULL) {
		tcb_enter(c);
		if (c->state == TCPS_SYN_SENT)
			tcp_input_syn_sent(tw, c, s);
		else if (!tcp_fast_input(tw, c, s))
			tcp_input_sync(tw, c, s);
		seg_free_payload(s);
		tcb_leave(tw, c);
		return;
	}
	l = tcp_listener_find(tw, s->daddr, rte_be_to_cpu_16(s->dport));
	if (l != NULL)
		tcp_input_listen(tw, l, s);
	else
		input_closed(tw, s);
}

/*
 * A segment another worker steered here that is older than what its flow
 * already delivered here directly, and brings nothing: no data, SYN, FIN
 * or RST, a sequence number left of RCV.NXT, no new ACK, a TSval older
 * than TS.Recent. Software steering (a port without an RSS table: net_tap
 * when the kernel has no multiq) reorders a flow whose first packets
 * reached the wrong queue: Linux's tun learns a flow's queue from tern's
 * first reply only after handing that reply up, so the handshake's last
 * ACK often takes the steering ring while the request behind it comes
 * straight. The peer did nothing wrong: neither PAWS (RFC 7323 §5.3) nor
 * the acceptability test's ACK (RFC 9293 §3.10.7.4) should answer it.
 */
static int
steered_obsolete(const struct tcb *c, const struct tcp_seg *s)
{
	return tcb_synchronized(c) && s->len == 0 &&
	       !(s->flags & (TCP_F_SYN | TCP_F_FIN | TCP_F_RST)) && seq_lt(s->seq, c->rcv_nxt) &&
	       seq_leq(s->ack, c->snd_una) && (c->flags & TF_TS) &&
	       (s->opts.flags & TCP_OPTF_TS) && seq_lt(s->opts.ts_val, c->ts_recent);
}

void
tcp_input_steered(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m)
{
	struct tcp_seg s;
	struct tcb *c;

	tcp_worker_clock(tw);
	if (seg_parse(tw, port, m, &s) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	seg_take_payload(&s, m);
	c = tcp_flow_lookup(tw, s.saddr, s.sport, s.daddr, s.dport);
	if (c != NULL && steered_obsolete(c, &s)) {
		CNT_INC(tcp_cnt(tw), TcpExtSteerObsolete);
		seg_free_payload(&s);
		return;
	}
	input_one(tw, &s, c);
}

void
tcp_input(struct tcp_worker *tw, uint16_t port, struct rte_mbuf *m)
{
	struct tcp_seg s; /* seg_parse and seg_take_payload set every field */

	tcp_worker_clock(tw);
	if (seg_parse(tw, port, m, &s) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	seg_take_payload(&s, m);
	input_one(tw, &s, tcp_flow_lookup(tw, s.saddr, s.sport, s.daddr, s.dport));
}

/* The lines of the TCB the fast path reads (tcb.h orders the fields for it). */
static inline void
tcb_prefetch(const struct tcb *c)
{
	for (unsigned i = 0; i < 4; i++)
		rte_prefetch0((const char *)c + i * RTE_CACHE_LINE_SIZE);
}

/*
 * What an ACK and the application's answer to it read besides the TCB: the
 * send queue's head (acknowledged: its length, RACK's transmit mark, then
 * its free) and tail (appended to), and the next segment to send. At many
 * flows each is a miss of its own; prefetched one segment ahead, while the
 * one before is processed, they overlap with it.
 */
static inline void
tcb_prefetch_sndq(const struct tcb *c)
{
	const struct rte_mbuf *head = c->sndq.head;

	if (head == NULL)
		return;
	rte_prefetch0(head);
	rte_prefetch0((const char *)head + RTE_CACHE_LINE_SIZE); /* next, pool */
	if (c->sndq.tail != head)
		rte_prefetch0(c->sndq.tail);
	if (c->snd_cur != NULL && c->snd_cur != head)
		rte_prefetch0(c->snd_cur);
}

/*
 * Lookups first, for the whole burst, so that the flow table's and the
 * TCBs' cache misses overlap instead of stalling one segment at a time.
 * A segment can add or remove a flow (SYN, RST, close): from then on the
 * burst's results may be stale and each lookup is done again.
 */
void
tcp_input_burst(struct tcp_worker *tw, uint16_t port, struct rte_mbuf **m, unsigned n)
{
	struct tcp_seg s[TCP_INPUT_BURST];
	struct tcb *c[TCP_INPUT_BURST];
	unsigned k = 0;
	uint64_t gen;

	tcp_worker_clock(tw);
	for (unsigned i = 0; i < n; i++) {
		if (seg_parse(tw, port, m[i], &s[k]) != 0) {
			rte_pktmbuf_free(m[i]);
			continue;
		}
		seg_take_payload(&s[k], m[i]);
		if (k > 0 && tw->cfg->gro && gro_mergeable(&s[k - 1], &s[k]) &&
		    gro_merge(tw, &s[k - 1], &s[k]))
			continue;
		k++;
	}
	tcp_flow_lookup_segs(tw, s, k, c);
	for (unsigned i = 0; i < k; i++)
		if (c[i] != NULL)
			tcb_prefetch(c[i]);
	gen = tw->flow_gen;
	tw->batching = 1;
	for (unsigned i = 0; i < k; i++) {
		/* Only a hint: a TCB gone stale by then (flow_gen) is looked up again below. */
		if (i + 1 < k && c[i + 1] != NULL)
			tcb_prefetch_sndq(c[i + 1]);
		if (tw->flow_gen != gen)
			c[i] = tcp_flow_lookup(tw, s[i].saddr, s[i].sport, s[i].daddr, s[i].dport);
		input_one(tw, &s[i], c[i]);
	}
	tcp_batch_flush(tw);
}

/*
 * A TCB for the connection s opens on l, in SYN-RECEIVED's backlog and the
 * flow table, its peer's ISN irs; NULL (counted) when none is free.
 */
struct tcb *
tcp_embryo_new(struct tcp_worker *tw, struct tcp_listener *l, const struct tcp_seg *s,
	       tcp_seq_t irs)
{
	struct tcb *c = tcb_alloc(tw);

	if (c == NULL) {
		CNT_INC(tcp_cnt(tw), TcpExtTcbExhausted);
		return NULL;
	}
	c->port = s->port;
	c->laddr = s->daddr;
	c->lport = s->dport;
	c->raddr = s->saddr;
	c->rport = s->sport;
	c->flags |= TF_PASSIVE;
	c->listener = l;
	if (tcp_flow_add(tw, c) < 0) {
		tcb_free(tw, c);
		CNT_INC(tcp_cnt(tw), TcpExtTcbExhausted);
		return NULL;
	}
	l->syn_recv++;
	tcp_limits_charge(tw, l, c);
	tcp_conn_init(tw, c);
	if (l->cc != NULL)
		c->cc = l->cc;
	c->irs = irs;
	c->rcv_nxt = irs + 1;
	c->rcv_adv = c->rcv_nxt;
	return c;
}

/* RFC 4987 §3.6: a cookie instead of a TCB, always or once the backlog is full. */
static inline int
syn_wants_cookie(const struct tcp_worker *tw, const struct tcp_listener *l)
{
	uint32_t mode = tw->cfg->syncookies;

	return mode == TCP_SYNCOOKIES_ALWAYS ||
	       (mode == TCP_SYNCOOKIES_AUTO && l->syn_recv >= tw->cfg->backlog);
}

/* §3.10.7.2 LISTEN. */
void
tcp_input_listen(struct tcp_worker *tw, struct tcp_listener *l, struct tcp_seg *s)
{
	struct tcb *c;

	if (s->flags & TCP_F_RST) {
		CNT_INC(tcp_cnt(tw), TcpInListenRst);
		goto drop;
	}
	if (s->flags & TCP_F_ACK) {
		/* The ACK of a cookie's SYN,ACK finds no TCB (RFC 4987 §3.6). */
		if (!(s->flags & TCP_F_SYN) && tcp_syncookie_ack(tw, l, s))
			return;
		CNT_INC(tcp_cnt(tw), TcpInListenAck);
		tcp_send_rst_reply(tw, s); /* <SEQ=SEG.ACK><CTL=RST> */
		goto drop;
	}
	if (!(s->flags & TCP_F_SYN)) {
		CNT_INC(tcp_cnt(tw), TcpInListenNoSyn);
		goto drop;
	}
	if (s->flags & TCP_F_FIN) {
		CNT_INC(tcp_cnt(tw), TcpInSynFin);
		goto drop;
	}
	/* A cap refuses the cookie's connection as it would the embryo: no cookie for it. */
	if (tcp_limits_admit(tw, l, s) != 0)
		goto drop;
	if (syn_wants_cookie(tw, l)) {
		tcp_syncookie_send(tw, l, s);
		goto drop;
	}
	if (l->syn_recv >= tw->cfg->backlog) {
		CNT_INC(tcp_cnt(tw), TcpExtListenOverflows);
		goto drop;
	}
	if ((c = tcp_embryo_new(tw, l, s, s->seq)) == NULL)
		goto drop;
	tcb_enter(c);
	tcp_options_negotiate(tw, c, &s->opts);
	if (tcp_ecn_syn_ok(tw, s))
		c->flags |= TF_ECN;
	tcp_update_window(c, s);
	tcp_set_state(tw, c, TCPS_SYN_RECEIVED);
	CNT_INC(tcp_cnt(tw), TcpPassiveOpens);
	/* Data on a SYN is not kept (no TCP Fast Open): the peer sends it again. */
	tcp_send_syn(tw, c);
	tcb_leave(tw, c);
drop:
	seg_free_payload(s);
}

/* §3.10.7.3 SYN-SENT. */
void
tcp_input_syn_sent(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s)
{
	int ack_ok = 0;

	if (s->flags & TCP_F_ACK) {
		/* first: an ACK outside (ISS, SND.NXT] gets a RST, unless it is one */
		if (seq_leq(s->ack, c->iss) || seq_gt(s->ack, c->snd_max)) {
			if (!(s->flags & TCP_F_RST))
				tcp_send_rst_reply(tw, s);
			return;
		}
		ack_ok = 1;
	}
	if (s->flags & TCP_F_RST) {
		/* RFC 5961 §3.2 via §3.10.7.3: only a RST acknowledging our SYN counts. */
		if (ack_ok)
			tcp_drop(tw, c, TERN_CLOSE_REFUSED, 0);
		return;
	}
	if (!(s->flags & TCP_F_SYN))
		return;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_options_negotiate(tw, c, &s->opts);
	if (ack_ok)
		tcp_ecn_synack_in(c, s);
	else if (!tcp_ecn_syn_ok(tw, s))
		c->flags &= ~TF_ECN; /* simultaneous open: ECN when both SYNs asked (Linux's tcp_ecn_rcv_syn) */
	if (ack_ok) {
		tcp_process_ack(tw, c, s); /* our SYN is acknowledged */
		tcp_update_window(c, s);
		tcp_established(tw, c);
		c->flags |= TF_ACK_NOW;
		if (s->len > 0) {
			s->seq++;          /* data follows the SYN */
			tcp_process_data(tw, c, s);
		}
		return;
	}
	/* Simultaneous open (§3.5 figure 8): SYN-RECEIVED, send SYN,ACK. */
	tcp_update_window(c, s);
	tcp_set_state(tw, c, TCPS_SYN_RECEIVED);
	c->snd_nxt = c->iss;
	tcp_send_syn(tw, c);
}
