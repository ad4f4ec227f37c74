/*
 * The connection under test and packetdrill's number mapping between the
 * script and the live stack (packetdrill run_packet.c semantics):
 *  - remote sequence numbers are the script's own (it chooses the peer's ISN);
 *  - local sequence numbers are relative: the script's SYN or SYN/ACK line
 *    names an ISN, tern's actual (random) ISN is learned from its segment,
 *    and every later local number is shifted by the difference, both ways
 *    (outbound seq; inbound ack and SACK blocks);
 *  - an outbound TS val is remembered per script value, so an inbound TS ecr
 *    that echoes it is given the live value.
 */
#ifndef PKT_FLOW_H
#define PKT_FLOW_H

#include <stdint.h>

#define FLOW_TS_MAP 64
#define REMOTE_PORT 48879  /* the scripted peer's port (packetdrill picks an ephemeral one) */

struct flow {
	uint16_t lport, rport;           /* host order; lport 0 until known */
	int have_local_isn;
	int isn_may_change;              /* a new SYN came: see flow_learn_remote_isn */
	uint32_t script_local_isn, live_local_isn;
	int have_remote_isn;
	uint32_t remote_isn;
	/* TS val: script -> live, newest first wins */
	struct { uint32_t script, live; } ts[FLOW_TS_MAP];
	int nts, ts_next;
	int have_last_out;               /* tern's last segment matched: what an ICMP error quotes */
	uint32_t last_out_seq, last_out_len;
	int have_first_ts;
	uint32_t first_script_ts, first_live_ts;
};

void flow_init(struct flow *f, uint16_t lport);

/*
 * The first outbound SYN or SYN/ACK of a connection fixes the local ISN
 * mapping; later ones (retransmissions, the SYN,ACK of a simultaneous open)
 * must carry that ISN, as packetdrill learns it once per socket.
 */
void flow_learn_local_isn(struct flow *f, uint32_t script_isn, uint32_t live_isn);
/* A new connection under test (listen(), connect()): its ISN is still to be learned. */
void flow_forget_local_isn(struct flow *f);
/*
 * An inbound SYN or SYN/ACK names the peer's ISN. A SYN without ACK naming
 * another ISN than the one known may open a new connection (after a RST, in
 * TIME-WAIT): if tern's next segment is a SYN,ACK its ISN is learned afresh;
 * if it is anything else (a challenge ACK) the connection goes on. A
 * repeated SYN is the same connection.
 */
void flow_learn_remote_isn(struct flow *f, uint32_t isn, int bare_syn);

/* Local sequence space: live <-> script. */
uint32_t flow_local_to_script(const struct flow *f, uint32_t live);
uint32_t flow_local_to_live(const struct flow *f, uint32_t script);

void flow_learn_ts(struct flow *f, uint32_t script_val, uint32_t live_val);
/* The live value for an inbound ecr: mapped when it echoes a TS val tern sent, else as written. */
uint32_t flow_ecr_to_live(const struct flow *f, uint32_t script_ecr);
/* An outbound TS val in script terms (offset from the first one seen). */
uint32_t flow_ts_to_script(const struct flow *f, uint32_t live_val);

/* A segment of tern's (live numbers) matched a line. */
void flow_sent(struct flow *f, uint32_t live_seq, uint32_t len);

/* Offsets into each direction's byte stream, for payload checks. */
uint64_t flow_out_offset(const struct flow *f, uint32_t live_seq);
uint64_t flow_in_offset(const struct flow *f, uint32_t seq, int syn);

#endif
