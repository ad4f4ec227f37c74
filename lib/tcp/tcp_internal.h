/* Shared between the files of lib/tcp; not part of its interface. */
#ifndef TERN_TCP_INTERNAL_H
#define TERN_TCP_INTERNAL_H

#include <rte_tcp.h>

#include "tcb.h"
#include "tcp_rack.h"
#include "tcp_worker.h"

#define TCP_F_FIN RTE_TCP_FIN_FLAG
#define TCP_F_SYN RTE_TCP_SYN_FLAG
#define TCP_F_RST RTE_TCP_RST_FLAG
#define TCP_F_PSH RTE_TCP_PSH_FLAG
#define TCP_F_ACK RTE_TCP_ACK_FLAG
#define TCP_F_URG RTE_TCP_URG_FLAG
#define TCP_F_ECE RTE_TCP_ECE_FLAG
#define TCP_F_CWR RTE_TCP_CWR_FLAG

/* A segment parsed once at the edge (smoltcp's repr idea). */
struct tcp_seg {
	struct rte_mbuf *m;        /* the payload only, or NULL; owned by the segment */
	tcp_seq_t seq, ack;
	uint32_t len;              /* payload bytes */
	uint16_t wnd;              /* as received, unscaled */
	uint8_t flags;
	uint8_t ecn;               /* the IP ECN field (RFC 3168 §5): 3 is CE */
	uint16_t port;
	rte_be32_t saddr, daddr;
	rte_be16_t sport, dport;
	struct tcp_opts opts;
};

/* Software GRO merges a burst's segments up to this many payload bytes. */
#define TCP_GRO_MAX 65535u

/* The end of a TCB's out-of-order list (tcb.ooo_head) and of the store's links. */
#define OOO_NIL UINT32_MAX

/* SEG.LEN of RFC 9293 §3.4: SYN and FIN occupy a sequence number each. */
static inline uint32_t
seg_seqlen(const struct tcp_seg *s)
{
	return s->len + !!(s->flags & TCP_F_SYN) + !!(s->flags & TCP_F_FIN);
}

static inline void
seg_free_payload(struct tcp_seg *s)
{
	rte_pktmbuf_free(s->m);
	s->m = NULL;
}

/* loss recovery */
uint32_t tcp_sack_input(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s);
void tcp_recovery_ack(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s,
		      const struct tcp_ack_info *ai);
void tcp_recovery_on_rto(struct tcp_worker *tw, struct tcb *c);
void tcp_recovery_reo_timeout(struct tcp_worker *tw, struct tcb *c);

/*
 * RACK (tcp_rack.c, RFC 8985 §6), SACK connections only. tcp_rack_sack
 * takes an ACK's SACK blocks (D-SACK removed) before the scoreboard does;
 * tcp_rack_cum_ack a cumulative ACK that moved SND.UNA from old_una while
 * data above it was SACKed (fack: rack_end before the ACK; first and last:
 * how the first and last bytes it acknowledged were sent); tcp_rack_detect
 * then marks what is lost and sets reo_tick for what may yet be.
 */
void tcp_rack_sack(struct tcp_worker *tw, struct tcb *c, tcp_seq_t ack,
		   const struct tcp_sack_block *blocks, unsigned n);
void tcp_rack_cum_ack(struct tcp_worker *tw, struct tcb *c, tcp_seq_t old_una, tcp_seq_t fack,
		      struct rack_xmit first, struct rack_xmit last);
void tcp_rack_detect(struct tcp_worker *tw, struct tcb *c);
void tcp_rack_dsack(struct tcb *c);
void tcp_rack_recovery_done(struct tcb *c);
/* Reordering seen (also when D-SACK shows a recovery spurious): the DupThresh rules stop. */
void tcp_rack_reordering_seen(struct tcp_worker *tw, struct tcb *c);
unsigned tcp_recovery_send(struct tcp_worker *tw, struct tcb *c, uint32_t unsent);
uint32_t tcp_tlp_timeout(const struct tcp_worker *tw, const struct tcb *c, uint32_t rto_us);
void tcp_tlp_fire(struct tcp_worker *tw, struct tcb *c);

/* RFC 7661's question: was the window in use? Slow start counts half of it as use. */
static inline int
tcp_cwnd_limited(const struct tcb *c, uint32_t flight)
{
	if (c->cwnd < c->ssthresh)
		return flight >= c->cwnd / 2;
	return flight + c->mss >= c->cwnd;
}

/* ECN (tcp_ecn.c, RFC 3168): the IP ECN field's codepoints (§5) */
#define TCP_ECN_NOT_ECT 0
#define TCP_ECN_ECT1 1
#define TCP_ECN_ECT0 2
#define TCP_ECN_CE 3
int tcp_ecn_syn_ok(const struct tcp_worker *tw, const struct tcp_seg *s);
void tcp_ecn_synack_in(struct tcb *c, const struct tcp_seg *s);
uint8_t tcp_ecn_syn_flags(const struct tcp_worker *tw, struct tcb *c, uint8_t flags);
uint8_t tcp_ecn_out_ecn(struct tcb *c, tcp_seq_t seq, uint32_t len, uint8_t *flags);
void tcp_ecn_rcv_ecn(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s);
void tcp_ecn_reduced_ecn(struct tcb *c);

/* Connections without ECN, the common case, pay one test per segment on the hot path. */
static inline uint8_t
tcp_ecn_out(struct tcb *c, tcp_seq_t seq, uint32_t len, uint8_t *flags)
{
	return (c->flags & TF_ECN) ? tcp_ecn_out_ecn(c, seq, len, flags) : TCP_ECN_NOT_ECT;
}

static inline void
tcp_ecn_rcv(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s)
{
	if (c->flags & TF_ECN)
		tcp_ecn_rcv_ecn(tw, c, s);
}

static inline void
tcp_ecn_reduced(struct tcb *c)
{
	if (c->flags & TF_ECN)
		tcp_ecn_reduced_ecn(c);
}

/*
 * Within the window of data of a reduction (Linux's CWR state, held until
 * something above what was sent then is acknowledged): an ECE or a loss
 * found now belongs to the same congestion episode and must not reduce
 * again (RFC 3168 §6.1.2: once per window for drops and CE).
 */
static inline int
tcp_ecn_in_cwr(const struct tcb *c)
{
	return (c->flags & TF_ECN) && seq_leq(c->snd_una, c->ecn_recover);
}

/*
 * After an ECN-Echo reduction, until the data sent before it is
 * acknowledged (Linux's CWR state; a loss or an RTO holds the window by its
 * own state until then): the window does not grow (Linux's
 * tcp_may_raise_cwnd allows it only in the Open state).
 */
static inline int
tcp_ecn_cwr_state(const struct tcb *c)
{
	return (c->flags & TF_ECN) && !(c->flags & (TF_IN_RECOVERY | TF_AFTER_RTO)) &&
	       seq_lt(c->snd_una, c->ecn_recover);
}

/* A reduction was undone as spurious: its CWR is not sent and ECE counts again (Linux's tcp_ecn_withdraw_cwr). */
static inline void
tcp_ecn_withdraw(struct tcb *c)
{
	c->flags &= ~TF_ECN_CWR;
	c->ecn_recover = c->snd_una;
}
void tcp_ecn_ece(struct tcp_worker *tw, struct tcb *c, const struct tcp_ack_info *ai);

/* buffer autotuning (tcp_autotune.c) */
#define TCP_INIT_RCV_SPACE_SEGS 10
void tcp_autotune_start(struct tcp_worker *tw, struct tcb *c);
void tcp_autotune_rcv_measure(struct tcp_worker *tw, struct tcb *c);
void tcp_autotune_snd_grow(struct tcp_worker *tw, struct tcb *c);
void tcp_autotune_lock(struct tcp_worker *tw, struct tcb *c);
void tcp_autotune_release(struct tcp_worker *tw, struct tcb *c);

/* After the application consumed: one measurement per RTT, a compare on a line input touches anyway. */
static inline void
tcp_autotune_rcv(struct tcp_worker *tw, struct tcb *c)
{
	if ((int32_t)((uint32_t)tw->tick - c->rcv_space_due) >= 0)
		tcp_autotune_rcv_measure(tw, c);
}

/* After an ACK: the send buffer keeps twice the congestion window, up to sndbuf_max. */
static inline void
tcp_autotune_snd(struct tcp_worker *tw, struct tcb *c)
{
	if (c->sndbuf < 2ull * c->cwnd && c->sndbuf < tw->cfg->sndbuf_max)
		tcp_autotune_snd_grow(tw, c);
}

/* input */
void tcp_input_listen(struct tcp_worker *tw, struct tcp_listener *l, struct tcp_seg *s);
struct tcb *tcp_embryo_new(struct tcp_worker *tw, struct tcp_listener *l, const struct tcp_seg *s,
			   tcp_seq_t irs);
void tcp_input_syn_sent(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
void tcp_input_sync(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
int tcp_ack_unacceptable(struct tcp_worker *tw, struct tcb *c, const struct tcp_seg *s);
/* The fifth step for an acceptable ACK (tcp_ack_unacceptable checked, or acceptable by construction). */
void tcp_process_ack(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
void tcp_process_data(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
/* Data at RCV.NXT the connection may take: delivered, held data pulled after it, ACK policy. */
void tcp_rcv_in_order(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
/* The connections of n (<= TCP_INPUT_BURST) segments, looked up at once; NULL for a miss. */
void tcp_flow_lookup_segs(struct tcp_worker *tw, struct tcp_seg *s, unsigned n,
			  struct tcb **out);
/* Header prediction: 1 when the segment was handled in full (tcp_fast.c). */
int tcp_fast_input(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
void tcp_process_fin(struct tcp_worker *tw, struct tcb *c);
void tcp_options_negotiate(struct tcp_worker *tw, struct tcb *c, const struct tcp_opts *o);
void tcp_update_window(struct tcb *c, const struct tcp_seg *s);

/* output: what to send (tcp_output.c), one segment at a time (tcp_send.c) */
void tcp_output(struct tcp_worker *tw, struct tcb *c);
void tcp_send_ack(struct tcp_worker *tw, struct tcb *c);
void tcp_send_challenge_ack(struct tcp_worker *tw, struct tcb *c);
void tcp_send_syn(struct tcp_worker *tw, struct tcb *c);
void tcp_send_rst(struct tcp_worker *tw, struct tcb *c);
void tcp_send_rst_reply(struct tcp_worker *tw, const struct tcp_seg *s);
int tcp_send_segment(struct tcp_worker *tw, struct tcb *c, tcp_seq_t seq, uint32_t len,
		     uint8_t flags);
uint32_t tcp_retransmit_first(struct tcp_worker *tw, struct tcb *c);
uint32_t tcp_rcv_window(const struct tcp_worker *tw, const struct tcb *c);
uint32_t tcp_rcv_space(const struct tcb *c);
uint32_t tcp_cur_mss(const struct tcp_worker *tw, const struct tcb *c);
uint32_t tcp_flight(const struct tcb *c);

/* receive queues */
void tcp_ooo_insert(struct tcp_worker *tw, struct tcb *c, struct tcp_seg *s);
void tcp_ooo_pull(struct tcp_worker *tw, struct tcb *c);
void tcp_ooo_purge(struct tcp_worker *tw, struct tcb *c);
void tcp_sack_note(struct tcb *c, tcp_seq_t start, tcp_seq_t end);
/* Quick-ACK mode after duplicate data: the next ACKs of new data go at once (tcp_recv.c). */
void tcp_quickack_enter(const struct tcp_worker *tw, struct tcb *c);
void tcp_deliver_to_app(struct tcb *c, struct rte_mbuf *m, uint32_t len);

/* send queue */
void tcp_sndq_ack(struct tcb *c, uint32_t bytes, struct rack_xmit *last);
uint32_t tcp_sndq_tso_len(struct tcb *c, tcp_seq_t seq, uint32_t len, uint32_t mss,
			  unsigned max_segs, unsigned mtu_segs);
struct rte_mbuf *tcp_sndq_payload(struct tcp_worker *tw, struct tcb *c, tcp_seq_t seq,
				  uint32_t len);
void tcp_sndq_purge(struct tcb *c);

/* timers */
void tcp_timer_expired(struct timer_wheel *wheel, struct wheel_timer *t, void *ctx);
/* kind fires in ms milliseconds, replacing what its slot held (RTX slot: tcp_rtx_arm). */
void tcp_timer_arm(struct tcp_worker *tw, struct tcb *c, enum tcb_timer kind, uint64_t ms);
/* Whatever kind the slot holds is off. */
void tcp_timer_cancel(struct tcp_worker *tw, struct tcb *c, enum tcb_timer_slot slot);
/* (Re)arms the RTX slot with the kind due there now: reordering window, TLP, persist or RTO. */
void tcp_rtx_arm(struct tcp_worker *tw, struct tcb *c);
/* RFC 8985 §7.2: new data re-arms the slot when a probe is due now (an RTO may be filed there). */
void tcp_rtx_arm_probe(struct tcp_worker *tw, struct tcb *c);
void tcp_keep_restart(struct tcp_worker *tw, struct tcb *c);
void tcp_enter_time_wait(struct tcp_worker *tw, struct tcb *c);

/* A free source port whose replies come to this worker (tcp_ports.c). 0 or -errno (counted). */
int tcp_pick_source_port(struct tcp_worker *tw, const struct tern_port *p, rte_be32_t src,
			 rte_be32_t dst, rte_be16_t dport, uint16_t lo, uint16_t hi, rte_be16_t *out);

/* lifecycle */
void tcp_set_state(struct tcp_worker *tw, struct tcb *c, enum tcp_state st);
void tcp_drop(struct tcp_worker *tw, struct tcb *c, enum tern_close_reason why, int send_rst);
void tcp_established(struct tcp_worker *tw, struct tcb *c);

static inline void
tcb_enter(struct tcb *c)
{
	TERN_ASSERT_OWNER(c->tw->w);
	c->busy++;
}

/* Leaves an entry point: at the outermost one, pending events, then output; may free c. */
void tcb_leave(struct tcp_worker *tw, struct tcb *c);
/*
 * Leaves an API call (send, shutdown, consumed). During a burst of input,
 * a connection outside its own callbacks is held until the burst ends:
 * what a proxy forwards from several segments (and the FIN after them)
 * leaves in one output, not one per segment.
 */
void tcb_leave_api(struct tcp_worker *tw, struct tcb *c);
/* The burst is over: every held connection's events, then its output. */
void tcp_batch_flush(struct tcp_worker *tw);

static inline void
tcb_event(struct tcb *c, uint8_t ev)
{
	c->events |= ev;
}

/* RFC 9293 §3.10.7.4 fifth step: the segment may update the send window (SND.WL1/WL2 rule). */
static inline int
tcp_window_update_ok(const struct tcb *c, const struct tcp_seg *s)
{
	return seq_lt(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack));
}

/* RFC 7323 §4.3: TS.Recent from a segment that covers Last.ACK.sent. */
static inline void
tcp_ts_recent_update(struct tcb *c, const struct tcp_seg *s, uint64_t tick)
{
	if ((c->flags & TF_TS) && (s->opts.flags & TCP_OPTF_TS) &&
	    seq_leq(s->seq, c->last_ack_sent)) {
		c->ts_recent = s->opts.ts_val;
		c->ts_recent_tick = (uint32_t)tick;
	}
}

static inline int
tcb_slot_armed(const struct tcb *c, enum tcb_timer_slot slot)
{
	return wheel_armed(&c->timers[slot]);
}

/* kind itself, not just a timer of its slot, is armed. */
static inline int
tcb_timer_armed(const struct tcb *c, enum tcb_timer kind)
{
	const struct wheel_timer *t = &c->timers[tcb_timer_slot(kind)];

	return wheel_armed(t) && t->tag == kind;
}

static inline struct tcp_worker *
tcp_worker_of(const struct tcb *c)
{
	return c->tw;
}

unsigned tcp_sack_blocks(const struct tcp_worker *tw, const struct tcb *c,
			 struct tcp_sack_block *out, unsigned max);
void tcp_sack_note_dsack(struct tcb *c, tcp_seq_t start, tcp_seq_t end);
void tcp_conn_init(struct tcp_worker *tw, struct tcb *c);
void tcp_conn_set_iss(struct tcb *c, tcp_seq_t iss);
int tcp_time_wait_reusable(struct tcp_worker *tw, const struct tcb *c, const struct tcp_seg *s);

/* Our timestamp clock: milliseconds plus the connection's offset (RFC 7323 §5.4). */
static inline uint32_t
tcp_ts_now(const struct tcp_worker *tw, const struct tcb *c)
{
	return (uint32_t)tw->tick + c->ts_offset;
}

#endif
