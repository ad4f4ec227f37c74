/*
 * Congestion control behind one ops struct (RFC 5681 vocabulary). The
 * stack decides when recovery starts and ends (RFC 6582); the algorithm
 * decides what the windows become. Private state lives in tcb->cc_priv.
 */
#ifndef TERN_TCP_CC_H
#define TERN_TCP_CC_H

#include <stdint.h>

struct tcb;

struct tcp_cc_ops {
	const char *name;
	/* Connection established: initial window (RFC 6928 IW10). */
	void (*init)(struct tcb *c);
	/* New data acknowledged outside recovery; rtt_us is 0 without a sample. */
	void (*on_ack)(struct tcb *c, uint32_t acked, uint32_t rtt_us);
	/* Loss detected by duplicate ACKs: set ssthresh and cwnd for recovery. */
	void (*on_congestion_event)(struct tcb *c, uint32_t flight);
	/* Retransmission timeout (RFC 5681 §3.1 eq. 4, cwnd = 1 MSS). */
	void (*on_rto)(struct tcb *c, uint32_t flight);
	/* Recovery is over (full ACK). */
	void (*on_recovery_exit)(struct tcb *c, uint32_t flight);
	/* Sender was idle for more than an RTO (RFC 5681 §4.1). */
	void (*on_idle_restart)(struct tcb *c);
};

extern const struct tcp_cc_ops tcp_cc_newreno;

/* The algorithm named by [tcp] cc, or NULL. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);

#endif
