/*
 * The TCP control block (RFC 9293 §3.3.1) and the states of §3.3.2.
 * Fields the established fast path touches for every segment come first.
 */
#ifndef TERN_TCP_TCB_H
#define TERN_TCP_TCB_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "tcp.h"
#include "tcp_options.h"
#include "tcp_prr.h"
#include "tcp_rtt.h"
#include "tcp_sack.h"
#include "tcp_seq.h"
#include "core/timer_wheel.h"

enum tcp_state {
	TCPS_CLOSED = 0,
	TCPS_LISTEN,
	TCPS_SYN_SENT,
	TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED,
	TCPS_FIN_WAIT_1,
	TCPS_FIN_WAIT_2,
	TCPS_CLOSE_WAIT,
	TCPS_CLOSING,
	TCPS_LAST_ACK,
	TCPS_TIME_WAIT,
	TCPS_NSTATES
};

const char *tcp_state_name(enum tcp_state s);

enum tcb_flags {
	TF_ACK_NOW = 1 << 0,      /* send an ACK at the end of this input */
	TF_DELACK = 1 << 1,       /* an ACK is owed, the delayed-ACK timer runs */
	TF_NODELAY = 1 << 2,      /* Nagle off */
	TF_TS = 1 << 3,           /* timestamps negotiated (RFC 7323 §3.2) */
	TF_SACK = 1 << 4,         /* SACK-permitted both ways (RFC 2018 §2) */
	TF_WSCALE = 1 << 5,       /* window scaling both ways (RFC 7323 §2.2) */
	TF_FIN_QUEUED = 1 << 6,   /* app shut down: FIN after the queued data */
	TF_FIN_SENT = 1 << 7,     /* our FIN has a sequence number (snd_fin) */
	TF_RCV_CLOSED = 1 << 8,   /* app closed: data arriving now gets RST */
	TF_PEER_FIN = 1 << 9,     /* the peer's FIN was received in order */
	TF_IN_RECOVERY = 1 << 10, /* fast recovery (RFC 6582) */
	TF_WANT_WRITABLE = 1 << 11, /* tern_send() was short: tell the app when space opens */
	TF_RTT_TIMING = 1 << 12,  /* rtt_seq is being timed (no timestamps) */
	TF_PASSIVE = 1 << 13,     /* opened by a listener */
	TF_BATCHED = 1 << 14,     /* held until the input burst ends (tcb_leave_api) */
	TF_ZERO_WINDOW = 1 << 15, /* persist mode: probing a zero window or waiting out SWS avoidance */
	TF_FREED = 1 << 16,       /* on the free list */
	TF_FIN_OOO = 1 << 17,     /* rcv_fin_seq holds a FIN that came ahead of data */
	TF_APP_CLOSED = 1 << 18,  /* on_closed delivered: no more callbacks */
	TF_RTO_CHECK = 1 << 19,   /* after an RTO: is it spurious? (RFC 3522 with timestamps) */
	TF_AFTER_RTO = 1 << 20,   /* resending after an RTO, until SND.UNA passes the old SND.MAX */
	TF_ECN = 1 << 21,         /* ECN negotiated (RFC 3168 §6.1.1); in SYN-SENT: asked for */
	TF_TLP_SENT = 1 << 22,    /* a probe is out; no other until SND.UNA moves */
	TF_FORCE_SMALL = 1 << 23, /* the SWS override timer went off: send what the window allows */
	TF_SYN_TIMEDOUT = 1 << 24, /* a SYN or SYN,ACK timed out (RFC 6298 §5.7) */
	TF_LINGER = 1 << 25,      /* closed lingering: later data is dropped quietly, not reset */
	TF_RCVD_DATA = 1 << 26,   /* in-order data has come: the first entered quick-ACK mode */
	TF_PINGPONG = 1 << 27,    /* interactive: replies carry the ACKs, no quick ACKs (Linux's pingpong) */
	TF_SRC_COUNTED = 1 << 28, /* counts against its source address's cap (tcp_limits.c) */
	TF_ECN_ECHO = 1 << 29,    /* CE was received: ACKs carry ECE until the peer's CWR (RFC 3168 §6.1.3) */
	TF_ECN_CWR = 1 << 30,     /* the window was reduced: the next new data carries CWR (§6.1.2) */
};

/* Linux's TCP_MAX_QUICKACKS: ACKs sent at once in quick-ACK mode, at most. */
#define TCP_MAX_QUICKACKS 16

/*
 * A connection's timers, each named by what it is for. Timers that are
 * never due at once share one of three wheel slots (tcb_timer_slot), so a
 * TCB carries three wheel timers, not eight; the slot's tag records the
 * kind armed there, and expiry dispatches on it.
 */
enum tcb_timer {
	TCB_T_RTO,          /* retransmission (RFC 6298 §5), SYN and SYN,ACK retries */
	TCB_T_PERSIST,      /* zero-window probe (RFC 9293 §3.8.6.1), SWS override (RFC 1122 §4.2.3.4) */
	TCB_T_TLP,          /* tail loss probe timeout, armed instead of the RTO (RFC 8985 §7.2) */
	TCB_T_REORDER,      /* the reordering window, when it ends before the RTO (RFC 8985 §6.3) */
	TCB_T_DELACK,       /* delayed ACK (RFC 1122 §4.2.3.2) */
	TCB_T_KEEPALIVE,    /* idle, then probes (RFC 1122 §4.2.3.6) */
	TCB_T_FIN_WAIT2,    /* an orphaned FIN-WAIT-2 stops waiting for the peer's FIN */
	TCB_T_TIME_WAIT,    /* 2 MSL (RFC 9293 §3.6) */
	TCB_T_NKINDS
};

/*
 * The slots: RTX holds whichever of RTO, persist, TLP and reordering
 * window is due next (tcp_rtx_arm picks); KEEP holds the one timer of the
 * state: keepalive in ESTABLISHED, then FIN-WAIT-2 or TIME-WAIT.
 */
enum tcb_timer_slot { TCB_SLOT_RTX = 0, TCB_SLOT_DELACK, TCB_SLOT_KEEP, TCB_NSLOTS };

static inline enum tcb_timer_slot
tcb_timer_slot(enum tcb_timer kind)
{
	if (kind <= TCB_T_REORDER)
		return TCB_SLOT_RTX;
	return kind == TCB_T_DELACK ? TCB_SLOT_DELACK : TCB_SLOT_KEEP;
}

/* Application events, delivered in this order once the state change is complete. */
enum tcb_event {
	TCB_EV_OPEN = 1 << 0,
	TCB_EV_DATA = 1 << 1,
	TCB_EV_WRITABLE = 1 << 2,
	TCB_EV_PEER_FIN = 1 << 3,
	TCB_EV_CLOSED = 1 << 4,
};

/* A queue of mbufs (packets or payload pieces) linked through m->next of each chain head. */
struct mbuf_q {
	struct rte_mbuf *head, *tail;
	uint32_t bytes;
};

struct tcp_listener;

#define TCP_CC_PRIV 64

struct tcb {
	/*
	 * Lines 0-3: what an in-order data segment touches on the fast path
	 * (tcp_fast.c); input prefetches these four. An ACK also reads line 4
	 * (RTX deadline, RTT) and the timers after it.
	 */
	uint32_t flags;
	uint8_t state;
	uint8_t snd_wscale, rcv_wscale;
	uint8_t dupacks;
	uint16_t port;                 /* index into the worker's port table */
	uint16_t mss;                  /* payload bytes per segment we send */
	tcp_seq_t snd_una, snd_nxt, snd_max;
	tcp_seq_t snd_wl1, snd_wl2;
	uint32_t snd_wnd;              /* peer's window, scaled */
	tcp_seq_t rcv_nxt;
	tcp_seq_t rcv_adv;             /* right edge we advertised */
	tcp_seq_t last_ack_sent;       /* Last.ACK.sent of RFC 7323 §4.3 */
	uint32_t rcv_unconsumed;       /* delivered bytes the app has not consumed */
	uint32_t cwnd, ssthresh;
	uint32_t ts_recent;            /* RFC 7323 §4.3 */
	uint32_t ts_recent_tick;       /* tick (low 32 bits) TS.Recent was taken */
	tcp_seq_t rcv_space_seq;       /* autotuning: consumed up to here when the measurement began */
	uint32_t last_rcv_tick;        /* tick (low 32 bits) of the peer's last segment: keepalive idle start */
	uint32_t last_data_tick;       /* tick (low 32 bits) data last moved either way ([tcp] idle_timeout_ms) */
	uint32_t last_snd_tick;        /* tick (low 32 bits) of the last segment sent: RFC 5681 §4.1 idle restart */
	uint32_t rcv_space_due;        /* autotuning: tick (low 32 bits) the next measurement may run */
	rte_be32_t laddr, raddr;
	rte_be16_t lport, rport;
	tcp_seq_t iss;
	uint32_t ooo_head;             /* out-of-order store list (sorted, disjoint), UINT32_MAX: empty */
	uint32_t max_sndwnd;
	uint32_t sndbuf, rcvbuf;
	uint8_t events;                /* TCB_EV_* waiting for delivery */
	uint8_t busy;                  /* nesting of entry points; events wait until 0 */
	uint8_t quickack;              /* ACKs of new data still to send at once (quick-ACK mode) */
	uint8_t rtx_count;             /* consecutive RTOs / SYN retransmissions / probes */
	uint32_t rcv_data_tick;        /* low 32 bits of the tick in-order data last came (Linux's lrcvtime) */
	struct rte_mbuf *rcv_deliver;  /* in-order data not yet given to on_data (a chain) */
	const struct tern_conn_ops *ops;
	void *ctx;
	const struct tcp_cc_ops *cc;
	struct mbuf_q sndq;            /* segments linked by m->next: bytes [snd_una, snd_una + sndq.bytes) */
	struct rte_mbuf *snd_cur;      /* a segment of sndq and the sequence number of its first byte, */
	/* --- line 3: the SACK scoreboard (its count decides the fast path), then timing --- */
	struct tcp_scoreboard sb;
	uint32_t ts_offset;            /* added to our clock in TS val (sending: line 4 is touched then anyway) */
	uint64_t rtx_deadline;         /* the RTX slot's real expiry (tcp_rtx_arm re-arms lazily) */
	tcp_seq_t snd_cur_seq;         /* so sending does not walk the queue from its head */
	uint32_t bytes_acked;          /* RFC 3465 ABC accumulator */
	struct tcp_rtt rtt;
	struct wheel_timer timers[TCB_NSLOTS]; /* by enum tcb_timer_slot; tag: the kind armed */
	tcp_seq_t snd_fin;             /* sequence number of our FIN when TF_FIN_SENT */
	tcp_seq_t recover;             /* RFC 6582 */
	tcp_seq_t rtt_seq;             /* segment being timed (Karn) */
	tcp_seq_t snd_sml;             /* end of the last segment shorter than MSS (Minshall) */
	uint32_t rtt_start;            /* tick (low 32 bits) it was sent */
	uint32_t rcv_space;            /* autotuning: bytes consumed in the last measured RTT */
	uint8_t keep_probes;
	uint8_t lslot;                 /* 1 + the listener slot it counts against, 0: none (tcp_limits.c) */
	uint16_t mss_offer;            /* what our SYN advertises: MTU - 40 */
	/* --- receive side --- */
	struct tcp_sack_block sack_recent[TCP_MAX_SACK_BLOCKS]; /* RFC 2018 §4 order */
	uint8_t nsack_recent;
	uint8_t has_dsack;             /* sack_dsack goes first in the next ACK (RFC 2883) */
	uint8_t close_reason;
	uint8_t bufs_locked;           /* the app sized the buffers: no autotuning (Linux's SOCK_*BUF_LOCK) */
	struct tcp_sack_block sack_dsack;
	tcp_seq_t irs;
	tcp_seq_t rcv_fin_seq;         /* the peer's FIN when it came out of order */
	/* --- control --- */
	struct tcp_worker *tw;
	struct tcp_listener *listener; /* SYN-RECEIVED: the listener it came from */
	uint32_t idx;                  /* position in the pool */
	uint32_t gen;                  /* bumped each time the slot is taken (tern_conn_ref) */
	uint32_t next_free;
	/* --- loss recovery (RFC 6675, 6937, 2883, 3522) --- */
	struct tcp_prr prr;
	uint32_t prior_cwnd, prior_ssthresh; /* to undo a reduction shown spurious */
	uint32_t rxt_ts;               /* TS val of the first retransmission of the latest RTO or recovery (RFC 3522) */
	uint32_t tw_prev;              /* TIME-WAIT list, oldest first (tcp_limits.c); UINT32_MAX: end */
	uint32_t reo_tick;             /* RACK's reordering timer (tick, low 32 bits), 0: none (RFC 8985 §6.3) */
	tcp_seq_t rack_end;            /* RACK.end_seq: end of the latest-sent original data delivered */
	uint16_t rexmits_episode, dsacks_episode;
	uint32_t retransmits;          /* segments, over the connection's life */
	uint32_t last_challenge;       /* tick (low 32 bits) of its last challenge ACK, 0: none */
	uint32_t tw_next;
	tcp_seq_t ecn_recover;         /* no ECN reduction again until SND.UNA passes it (RFC 3168 §6.1.2) */
	tcp_seq_t dsack_round;         /* RACK.dsack_round: one reo_wnd step per round (sb.dsack_round_on) */
	uint8_t cc_priv[TCP_CC_PRIV] __rte_aligned(8);
} __rte_cache_aligned;

/* Ten cache lines: a million connections in 640 MB (bench/mem.c reports it). */
_Static_assert(sizeof(struct tcb) <= 640, "struct tcb outgrew ten 64-byte lines");

static inline int
tcb_synchronized(const struct tcb *c)
{
	return c->state >= TCPS_ESTABLISHED;
}

#endif
