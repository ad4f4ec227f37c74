/*
 * Inbound ICMP lines. An error (RFC 792) quotes a datagram tern sent: the
 * line's bracket names it in script numbers ("[1:101(100)]", mapped to live
 * ones as packetdrill's map_inbound_icmp_tcp_packet does) or, without one,
 * the connection's last segment tern sent, so that a stack checking the
 * quote against its send window (RFC 5927 §4.1) finds a segment of its own.
 */
#include "frame.h"
#include "runner_internal.h"

/* Header bytes 4-7: the next-hop MTU (RFC 1191 §4) or the echo identifier. */
static uint32_t
icmp_rest(const struct icmp_spec *c)
{
	if (c->mtu >= 0)
		return (uint32_t)c->mtu;
	if (c->id >= 0)
		return (uint32_t)c->id << 16;
	return 0;
}

static void
quote_last_sent(const struct flow *f, struct icmp_in *in)
{
	in->quote = ICMP_QUOTE_TCP;
	in->qseq = f->have_last_out ? f->last_out_seq : f->live_local_isn;
	in->qlen = f->have_last_out ? f->last_out_len : 0;
}

void
inbound_icmp(struct runner *u, const struct event *e, int burst)
{
	const struct icmp_spec *c = &e->pkt.ic;
	const struct flow *f = &u->flow;
	struct icmp_in in = {
		.type = c->type, .code = c->code, .rest = icmp_rest(c), .quote = c->quote,
		.qsport = f->lport ? f->lport : u->o.bind_port, .qdport = f->rport,
		.qseq = flow_local_to_live(f, c->quote_seq), .qlen = c->quote_len,
	};
	uint8_t frame[FRAME_MAX];

	if (icmp_is_error(c->type) && c->quote == ICMP_QUOTE_NONE)
		quote_last_sent(f, &in);
	inject_frame(u, e, frame, frame_build_icmp(&in, frame), burst);
}
