/*
 * SYN cookies (RFC 4987 §3.6): the encoding (see tcp_syncookie.h), the
 * SYN,ACK sent without a TCB, and the connection rebuilt from the ACK.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "core/log.h"
#include "siphash.h"
#include "tcp_internal.h"
#include "tcp_limits.h"
#include "tcp_syncookie.h"

#define COOKIE_BITS 24
#define COOKIE_MASK ((1u << COOKIE_BITS) - 1)
#define TS_WSCALE_NONE 0xfu
#define TS_SACK (1u << 4)
#define TS_ECN (1u << 5)

static const uint16_t msstab[SYNCOOKIE_NMSS] = { 536, 1300, 1440, 1460 };

uint16_t
syncookie_mss(unsigned idx)
{
	return msstab[idx < SYNCOOKIE_NMSS ? idx : 0];
}

unsigned
syncookie_mss_index(uint16_t mss)
{
	unsigned i = SYNCOOKIE_NMSS - 1;

	while (i > 0 && mss < msstab[i])
		i--;
	return i;
}

static uint32_t
cookie_hash(const uint64_t key[2], const struct syncookie_tuple *t)
{
	return (uint32_t)siphash24(key, t, sizeof(*t));
}

uint32_t
syncookie_make(const uint64_t key[2], const struct syncookie_tuple *t, uint32_t f,
	       uint32_t peer_isn, unsigned mss_idx)
{
	return f + peer_isn + (t->count << COOKIE_BITS) +
	       ((cookie_hash(key, t) + mss_idx) & COOKIE_MASK);
}

int
syncookie_check(const uint64_t key[2], const struct syncookie_tuple *t, uint32_t f,
		uint32_t peer_isn, uint32_t cookie)
{
	struct syncookie_tuple then = *t;
	uint32_t c = cookie - f - peer_isn, diff, idx;

	/* What is left: (count << 24) + ((H + index) mod 2^24). */
	diff = (t->count - (c >> COOKIE_BITS)) & (UINT32_MAX >> COOKIE_BITS);
	if (diff >= SYNCOOKIE_MAX_AGE)
		return -1;
	then.count = t->count - diff;
	idx = (c - cookie_hash(key, &then)) & COOKIE_MASK;
	return idx < SYNCOOKIE_NMSS ? (int)idx : -1;
}

uint32_t
syncookie_ts(uint32_t ts_now, const struct syncookie_opts *o)
{
	uint32_t bits = o->wscale_ok ? o->wscale : TS_WSCALE_NONE;
	uint32_t ts = (ts_now & ~((1u << SYNCOOKIE_TS_BITS) - 1)) | bits | (o->sack_ok ? TS_SACK : 0) |
		      (o->ecn_ok ? TS_ECN : 0);

	/* Never ahead of the clock: the peer's later echoes must not look like the future. */
	if (seq_gt(ts, ts_now))
		ts -= 1u << SYNCOOKIE_TS_BITS;
	return ts;
}

int
syncookie_ts_decode(uint32_t ts_ecr, struct syncookie_opts *o)
{
	uint32_t ws = ts_ecr & TS_WSCALE_NONE;

	o->ecn_ok = !!(ts_ecr & TS_ECN);
	o->sack_ok = !!(ts_ecr & TS_SACK);
	o->wscale_ok = ws != TS_WSCALE_NONE;
	o->wscale = o->wscale_ok ? (uint8_t)ws : 0;
	return 0;
}

/* ---- the stack's side -------------------------------------------------------- */

static uint32_t
cookie_count(const struct tcp_worker *tw)
{
	return (uint32_t)(tw->tick * TCP_TICK_US / 1000 / SYNCOOKIE_PERIOD_MS);
}

static void
tuple_of(const struct tcp_worker *tw, const struct tcp_seg *s, struct syncookie_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->saddr = s->saddr;
	t->daddr = s->daddr;
	t->sport = s->sport;
	t->dport = s->dport;
	t->count = cookie_count(tw);
}

/*
 * What the SYN,ACK offers: our MSS always; window scale, SACK and ECN only
 * with timestamps, whose TSval remembers them (RFC 7323 §2.2, RFC 2018 §2,
 * RFC 3168 §6.1.1: each only when the SYN offered it).
 */
static void
cookie_options(const struct tcp_worker *tw, const struct tcp_seg *s, uint32_t ts_offset,
	       struct tcp_opts *o)
{
	const struct tcp_cfg *cfg = tw->cfg;
	struct syncookie_opts co = { 0 };

	memset(o, 0, sizeof(*o));
	o->flags = TCP_OPTF_MSS;
	o->mss = tw->w->ports[s->port].mtu - 40;
	if (!cfg->timestamps || !(s->opts.flags & TCP_OPTF_TS))
		return;
	if (cfg->window_scaling && (s->opts.flags & TCP_OPTF_WSCALE)) {
		o->flags |= TCP_OPTF_WSCALE;
		o->wscale = tw->rcv_wscale;
		co.wscale_ok = 1;
		co.wscale = s->opts.wscale;
	}
	if (cfg->sack && (s->opts.flags & TCP_OPTF_SACK_PERM)) {
		o->flags |= TCP_OPTF_SACK_PERM;
		co.sack_ok = 1;
	}
	co.ecn_ok = (uint8_t)tcp_ecn_syn_ok(tw, s);
	o->flags |= TCP_OPTF_TS;
	o->ts_val = syncookie_ts((uint32_t)tw->tick + ts_offset, &co);
	o->ts_ecr = s->opts.ts_val;
}

/* The SYN,ACK agrees to ECN when its TSval says so (cookie_options). */
static int
syncookie_ts_ecn(const struct tcp_opts *o)
{
	return (o->flags & TCP_OPTF_TS) && (o->ts_val & TS_ECN);
}

/* The SYN,ACK, built from the SYN alone (as tcp_send_rst_reply builds a RST). */
static void
send_synack(struct tcp_worker *tw, const struct tcp_seg *s, tcp_seq_t iss, const struct tcp_opts *o)
{
	uint8_t opts[TCP_OPT_MAX_LEN];
	unsigned olen = tcp_opts_build(o, opts);
	struct rte_mbuf *m = rte_pktmbuf_alloc(tw->w->pool);
	struct rte_tcp_hdr *th;

	if (m == NULL || (th = (void *)rte_pktmbuf_append(m, sizeof(*th) + olen)) == NULL) {
		CNT_INC(&tw->w->cnt, MbufAllocFailed);
		rte_pktmbuf_free(m);
		return;
	}
	th->src_port = s->dport;
	th->dst_port = s->sport;
	th->sent_seq = rte_cpu_to_be_32(iss);
	th->recv_ack = rte_cpu_to_be_32(s->seq + 1);
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->tcp_flags = TCP_F_SYN | TCP_F_ACK | (syncookie_ts_ecn(o) ? TCP_F_ECE : 0);
	/* RFC 7323 §2.2: never scaled; what a SYN-RECEIVED TCB would offer (tcp_rcv_space). */
	th->rx_win = rte_cpu_to_be_16((uint16_t)RTE_MIN(tw->cfg->rcvbuf, 65535u));
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	CNT_INC(tcp_cnt(tw), TcpOutSegs);
	net_ipv4_send(tw->net, s->port, m, s->daddr, s->saddr, IPPROTO_TCP);
}

void
tcp_syncookie_send(struct tcp_worker *tw, struct tcp_listener *l, const struct tcp_seg *s)
{
	uint64_t f = tcp_isn_hash(tw, s->saddr, s->sport, s->daddr, s->dport);
	uint16_t peer_mss = (s->opts.flags & TCP_OPTF_MSS) ? s->opts.mss : 536;
	struct syncookie_tuple t;
	struct tcp_opts o;
	tcp_seq_t iss;

	tuple_of(tw, s, &t);
	iss = syncookie_make(tw->cookie_key, &t, (uint32_t)f, s->seq, syncookie_mss_index(peer_mss));
	cookie_options(tw, s, (uint32_t)(f >> 32), &o);
	send_synack(tw, s, iss, &o);
	/* Once per listener and worker, as Linux's "Possible SYN flooding" (not when cookies are always on). */
	if (l->cookie_tick == 0 && tw->cfg->syncookies != TCP_SYNCOOKIES_ALWAYS)
		TLOG(WARNING, "tcp: possible SYN flooding on port %u (worker %u): sending cookies",
		     l->port, tw->w->index);
	l->cookie_tick = tw->tick + 1;
	CNT_INC(tcp_cnt(tw), TcpExtSyncookiesSent);
	/* Data on the SYN is not kept (no TCP Fast Open): the peer sends it again. */
}

/* What the echoed TSval says the SYN offered, under what [tcp] allows now (as Linux). */
static int
cookie_ts_options(const struct tcp_worker *tw, const struct tcp_seg *s, struct syncookie_opts *co)
{
	memset(co, 0, sizeof(*co));
	if (!(s->opts.flags & TCP_OPTF_TS))
		return 0; /* no timestamps: neither window scaling nor SACK */
	if (!tw->cfg->timestamps || syncookie_ts_decode(s->opts.ts_ecr, co) != 0)
		return -1;
	if ((co->sack_ok && !tw->cfg->sack) || (co->wscale_ok && !tw->cfg->window_scaling))
		return -1;
	return 0;
}

/*
 * The TCB the SYN would have made, as it stands once its SYN,ACK is sent:
 * SYN-RECEIVED with ISS = the cookie, the options recovered, the window
 * the SYN,ACK offered. The ACK itself then completes the handshake.
 */
static struct tcb *
cookie_conn(struct tcp_worker *tw, struct tcp_listener *l, struct tcp_seg *s, unsigned mss_idx,
	    const struct syncookie_opts *co)
{
	struct tcp_opts o = { .flags = TCP_OPTF_MSS, .mss = syncookie_mss(mss_idx) };
	struct tcb *c = tcp_embryo_new(tw, l, s, s->seq - 1);

	if (c == NULL)
		return NULL;
	tcp_conn_set_iss(c, s->ack - 1);
	c->snd_nxt = c->snd_max = s->ack;
	if (s->opts.flags & TCP_OPTF_TS) {
		o.flags |= TCP_OPTF_TS;
		o.ts_val = s->opts.ts_val; /* TS.Recent: the SYN's own is gone (as Linux) */
	}
	if (co->wscale_ok) {
		o.flags |= TCP_OPTF_WSCALE;
		o.wscale = co->wscale;
	}
	if (co->sack_ok)
		o.flags |= TCP_OPTF_SACK_PERM;
	tcp_options_negotiate(tw, c, &o);
	if (co->ecn_ok && tw->cfg->ecn != TCP_ECN_OFF) /* ECN turned off since: without it (as Linux) */
		c->flags |= TF_ECN;
	tcp_set_state(tw, c, TCPS_SYN_RECEIVED);
	c->rcv_adv = c->rcv_nxt + tcp_rcv_space(c);
	c->last_ack_sent = c->rcv_nxt;
	CNT_INC(tcp_cnt(tw), TcpPassiveOpens);
	return c;
}

int
tcp_syncookie_ack(struct tcp_worker *tw, struct tcp_listener *l, struct tcp_seg *s)
{
	uint64_t period = SYNCOOKIE_PERIOD_MS * 1000ull / TCP_TICK_US;
	struct syncookie_opts co;
	struct syncookie_tuple t;
	struct tcb *c;
	uint64_t f;
	int idx;

	/* Linux's tcp_synq_no_recent_overflow: no cookie out, no cookie to check. */
	if (l->cookie_tick == 0 || tw->tick + 1 - l->cookie_tick >= SYNCOOKIE_MAX_AGE * period)
		return 0;
	f = tcp_isn_hash(tw, s->saddr, s->sport, s->daddr, s->dport);
	tuple_of(tw, s, &t);
	idx = syncookie_check(tw->cookie_key, &t, (uint32_t)f, s->seq - 1, s->ack - 1);
	if (idx < 0 || cookie_ts_options(tw, s, &co) != 0) {
		CNT_INC(tcp_cnt(tw), TcpExtSyncookiesFailed);
		return 0;
	}
	CNT_INC(tcp_cnt(tw), TcpExtSyncookiesRecv);
	/* The caps hold for a cookie's connection as for an embryo (the SYN passed them, things change). */
	if (tcp_limits_admit(tw, l, s) != 0 || (c = cookie_conn(tw, l, s, (unsigned)idx, &co)) == NULL) {
		seg_free_payload(s);
		return 1;
	}
	/* The echo is of a TSval up to 63 ms old (its low bits are options): no RTT sample (as Linux). */
	s->opts.ts_ecr = 0;
	tcb_enter(c);
	tcp_input_sync(tw, c, s);
	seg_free_payload(s);
	tcb_leave(tw, c);
	return 1;
}
