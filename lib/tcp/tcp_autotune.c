/*
 * Buffer autotuning. The receive buffer follows what the application
 * consumes per round trip (Linux's dynamic right-sizing,
 * tcp_rcv_space_adjust): the window then stays ahead of a sender that
 * doubles its rate each RTT, and a slow reader never earns a large one.
 * The send buffer follows cwnd (Linux's tcp_sndbuf_expand), so a sender
 * is never held back by its own buffer. Both stop at [tcp] rcvbuf_max and
 * sndbuf_max, and all growth on a worker shares one budget: many fast
 * connections cannot promise peers more than the mbuf pool holds.
 * A connection whose application sized its buffers keeps those sizes.
 */
#include "tcp_internal.h"

/* Growth from cur towards want within the budget; returns the new size. */
static uint32_t
grow(struct tcp_worker *tw, uint32_t cur, uint32_t want)
{
	uint64_t used = tcp_cnt(tw)->TcpExtTCPAutotuneBytes;
	uint64_t left = tw->autotune_budget > used ? tw->autotune_budget - used : 0;
	uint32_t add = want - cur;

	if (add > left) {
		CNT_INC(tcp_cnt(tw), TcpExtTCPAutotuneClamped);
		add = (uint32_t)left;
	}
	CNT_ADD(tcp_cnt(tw), TcpExtTCPAutotuneBytes, add);
	return cur + add;
}

/* Bytes of c's buffers beyond where they started: what it holds of the budget. */
static uint64_t
grown(const struct tcp_worker *tw, const struct tcb *c)
{
	uint64_t r = c->rcvbuf > tw->cfg->rcvbuf ? c->rcvbuf - tw->cfg->rcvbuf : 0;

	return r + (c->sndbuf > tw->cfg->sndbuf ? c->sndbuf - tw->cfg->sndbuf : 0);
}

/* The TCB goes back to the pool: what it still held of the budget returns, and it starts unlocked. */
void
tcp_autotune_release(struct tcp_worker *tw, struct tcb *c)
{
	uint64_t g = c->bufs_locked ? 0 : grown(tw, c), *used = &tcp_cnt(tw)->TcpExtTCPAutotuneBytes;

	*used -= RTE_MIN(g, *used);
	c->bufs_locked = 0;
}

/*
 * The buffers stop growing and leave the budget: the application sized
 * them itself (SO_RCVBUF, SO_SNDBUF), or the connection entered TIME-WAIT,
 * where it holds no data for the 2 MSL it may last.
 */
void
tcp_autotune_lock(struct tcp_worker *tw, struct tcb *c)
{
	if (!c->bufs_locked)
		tcp_autotune_release(tw, c);
	c->bufs_locked = 1;
}

static uint32_t
rtt_ticks(const struct tcb *c)
{
	return RTE_MAX(c->rtt.srtt_us / TCP_TICK_US, 1u);
}

/* The first measurement starts with the connection: ten segments' worth, as Linux. */
void
tcp_autotune_start(struct tcp_worker *tw, struct tcb *c)
{
	c->rcv_space = TCP_INIT_RCV_SPACE_SEGS * c->mss;
	c->rcv_space_seq = c->rcv_nxt - c->rcv_unconsumed;
	c->rcv_space_due = (uint32_t)tw->tick + rtt_ticks(c);
}

/*
 * Once per RTT (the sender's estimate, the handshake's sample for a pure
 * receiver): if the application consumed more than in the previous RTT,
 * the buffer becomes twice that plus 16 segments, plus twice the growth
 * again while the rate is still rising (the sender in slow start doubles
 * per RTT), as tcp_rcv_space_adjust.
 */
void
tcp_autotune_rcv_measure(struct tcp_worker *tw, struct tcb *c)
{
	uint32_t now = (uint32_t)tw->tick, copied;
	tcp_seq_t consumed = c->rcv_nxt - c->rcv_unconsumed;
	uint64_t want;

	if (c->bufs_locked || !tcb_synchronized(c)) {
		c->rcv_space_due = now + 1000; /* nothing to measure: ask again in a second */
		return;
	}
	if (!c->rtt.have_sample) {
		/* No RTT yet (no handshake sample): measure from when there is one. */
		c->rcv_space_seq = consumed;
		c->rcv_space_due = now + 1;
		return;
	}
	copied = (uint32_t)(consumed - c->rcv_space_seq);
	if (copied > c->rcv_space) {
		want = 2ull * copied + 16ull * c->mss;
		if (c->rcv_space > 0)
			want += 2 * (want * (copied - c->rcv_space) / c->rcv_space);
		want = RTE_MIN(want, (uint64_t)tw->cfg->rcvbuf_max);
		if (want > c->rcvbuf)
			c->rcvbuf = grow(tw, c->rcvbuf, (uint32_t)want);
		c->rcv_space = copied;
	}
	c->rcv_space_seq = consumed;
	c->rcv_space_due = now + rtt_ticks(c);
}

void
tcp_autotune_snd_grow(struct tcp_worker *tw, struct tcb *c)
{
	uint64_t want = RTE_MIN(2ull * c->cwnd, (uint64_t)tw->cfg->sndbuf_max);

	if (c->bufs_locked || want <= c->sndbuf)
		return;
	c->sndbuf = grow(tw, c->sndbuf, (uint32_t)want);
	if ((c->flags & TF_WANT_WRITABLE) && tern_send_space(c) > 0) {
		c->flags &= ~TF_WANT_WRITABLE;
		tcb_event(c, TCB_EV_WRITABLE);
	}
}
