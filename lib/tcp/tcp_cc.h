/*
 * Congestion control behind one ops struct (RFC 5681 vocabulary). The
 * stack decides when recovery starts and ends (RFC 6582); the algorithm
 * decides what the windows become. Private state lives in tcb->cc_priv.
 */
#ifndef TERN_TCP_CC_H
#define TERN_TCP_CC_H

#include <stdint.h>

struct tcb;

/* What one ACK told the sender. */
struct tcp_ack_info {
	uint32_t acked;          /* data bytes newly acknowledged */
	uint32_t sacked;         /* bytes newly SACKed */
	uint32_t delivered;      /* newly delivered, each byte once: newly SACKed, plus newly
				  * acknowledged that was not SACKed before (RFC 6937 §3
				  * DeliveredData, Linux's tcp_ack count) */
	uint32_t rtt_us;         /* an RTT sample, 0 without one */
	uint32_t flight;         /* bytes in flight before this ACK */
	uint32_t ack;            /* the cumulative ACK (HyStart++ rounds) */
	uint32_t snd_max;
	uint64_t now_us;
	uint8_t dup;             /* a duplicate ACK (RFC 5681 §2) */
	uint8_t cwnd_limited;    /* the sender was using its window (RFC 7661 idea) */
	uint8_t after_rto;       /* resending after a timeout: slow start by 1 SMSS per ACK (RFC 3465 §2.3) */
	uint8_t ece;             /* ECN-Echo on an ECN connection: no growth (RFC 3168 §6.1.2) */
};

struct tcp_cc_ops {
	const char *name;
	/* Connection established: initial window (RFC 6928 IW10). */
	void (*init)(struct tcb *c);
	/* New data acknowledged outside recovery. */
	void (*on_ack)(struct tcb *c, const struct tcp_ack_info *ai);
	/* Loss seen in ACKs (duplicates, SACK, early retransmit): set ssthresh, cwnd for recovery. */
	void (*on_congestion_event)(struct tcb *c, uint32_t flight);
	/* Retransmission timeout (RFC 5681 §3.1 eq. 4, cwnd = 1 MSS). */
	void (*on_rto)(struct tcb *c, uint32_t flight);
	/* Recovery is over (full ACK). */
	void (*on_recovery_exit)(struct tcb *c, uint32_t flight);
	/* Sender was idle for more than an RTO (RFC 5681 §4.1). */
	void (*on_idle_restart)(struct tcb *c);
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* The algorithm named by [tcp] cc, or NULL. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);

#endif
