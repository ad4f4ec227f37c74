/*
 * SYN cookies (RFC 4987 §3.6) in the encoding Linux uses
 * (net/ipv4/syncookies.c): a listener answers a SYN with a SYN,ACK whose
 * ISN encodes what the connection needs, keeps nothing, and rebuilds the
 * connection from the ACK that returns the cookie.
 *
 *   ISN = F + peer ISN + (count << 24) + ((H(4-tuple, count) + mss index) mod 2^24)
 *
 * F is the RFC 6528 hash of the 4-tuple (tcp_isn_hash, independent of
 * time, so that the ISN reveals nothing); count is a clock that ticks
 * every SYNCOOKIE_PERIOD_MS; H is SipHash-2-4 under the worker's own
 * cookie key; the MSS index names an entry of a 4-entry table. The check
 * strips F and the peer's ISN, reads the counter from the top 8 bits
 * (refused when SYNCOOKIE_MAX_AGE or more periods old), strips H for that
 * counter and must find an index below 4: a blind forgery succeeds with
 * probability 2^-22 per try.
 *
 * With timestamps, the low 6 bits of our TSval carry the options the SYN
 * offered: window scale (4 bits, 0xf: none), SACK-permitted, ECN (never
 * set: tern has no ECN). Without timestamps there is nowhere to keep them:
 * the SYN,ACK offers only the MSS, and the connection has neither window
 * scaling nor SACK (as Linux).
 *
 * Keys are per worker: the SYN and the ACK of one flow have the same
 * 4-tuple, and RSS or tern's software steering (symmetric Toeplitz) sends
 * both to the same worker, so a worker only checks its own cookies.
 */
#ifndef TERN_TCP_SYNCOOKIE_H
#define TERN_TCP_SYNCOOKIE_H

#include <stdint.h>

#include <rte_byteorder.h>

#define SYNCOOKIE_PERIOD_MS 60000u /* the counter's step (Linux: one minute) */
#define SYNCOOKIE_MAX_AGE 2        /* a cookie is good for 1 to 2 minutes (Linux's MAX_SYNCOOKIE_AGE) */
#define SYNCOOKIE_NMSS 4
#define SYNCOOKIE_TS_BITS 6

/* The connection's addresses and ports as the peer's segments carry them. */
struct syncookie_tuple {
	rte_be32_t saddr, daddr;   /* the peer's, ours */
	rte_be16_t sport, dport;
	uint32_t count;            /* the time counter */
};

/* Options a SYN offered, as carried in the low bits of TSval. */
struct syncookie_opts {
	uint8_t wscale_ok;         /* the peer offered window scaling ... */
	uint8_t wscale;            /* ... with this shift (0-14) */
	uint8_t sack_ok;           /* the peer offered SACK-permitted */
	uint8_t ecn_ok;            /* the SYN asked for ECN and the SYN,ACK agreed (RFC 3168 §6.1.1) */
};

/* Linux's IPv4 table: 536, 1300, 1440 (PPPoE), 1460. */
uint16_t syncookie_mss(unsigned idx);
/* The largest entry not above mss (536 for anything below 1300: RFC 9293 §3.7.1's default). */
unsigned syncookie_mss_index(uint16_t mss);

uint32_t syncookie_make(const uint64_t key[2], const struct syncookie_tuple *t, uint32_t f,
			uint32_t peer_isn, unsigned mss_idx);
/* The MSS index the cookie carries, or -1: forged, or t->count is SYNCOOKIE_MAX_AGE past it. */
int syncookie_check(const uint64_t key[2], const struct syncookie_tuple *t, uint32_t f,
		    uint32_t peer_isn, uint32_t cookie);

/* A TSval at or up to 63 before ts_now whose low bits carry o (Linux's cookie_init_timestamp). */
uint32_t syncookie_ts(uint32_t ts_now, const struct syncookie_opts *o);
/* The options an echoed TSval carries; -1 when its ECN bit is set (tern never sets it). */
int syncookie_ts_decode(uint32_t ts_ecr, struct syncookie_opts *o);

/* The stack's side (tcp_syncookie.c), for the LISTEN step of tcp_input.c. */
struct tcp_worker;
struct tcp_listener;
struct tcp_seg;

/* s is a SYN to l: answers it with a cookie and keeps nothing (TcpExtSyncookiesSent). */
void tcp_syncookie_send(struct tcp_worker *tw, struct tcp_listener *l, const struct tcp_seg *s);
/*
 * s is an ACK (without SYN and RST) to l that found no connection.
 * Returns 0 when l sent no cookie in the last SYNCOOKIE_MAX_AGE periods,
 * or when the cookie fails (TcpExtSyncookiesFailed): the caller answers
 * as LISTEN does, with a RST. Returns 1 when s was consumed: a connection
 * was made from the cookie and s went through it (its data, its FIN), or
 * a cap refused it or no TCB was free (dropped and counted: the peer will
 * resend).
 */
int tcp_syncookie_ack(struct tcp_worker *tw, struct tcp_listener *l, struct tcp_seg *s);

#endif
