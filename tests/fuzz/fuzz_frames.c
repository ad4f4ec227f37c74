/*
 * Frames into whole tern workers (frames.h). An input is
 *
 *   variant  (1 byte, FRV_*: one or two workers, TCP options, proxy, ...)
 *   setup    (1 byte: connections established before the ops; a large
 *             response started on the http one; the clients' handshakes)
 *   ops...   (one byte each, then its operands; see op_* below)
 *
 * Segments are built from the flow model: a sequence number relative to
 * what the peer sent or tern expects, an ACK relative to what tern sent,
 * SACK blocks placed inside tern's flight, options, payloads (canned HTTP
 * requests and answers, PROXY headers, raw bytes) and header anomalies.
 * Frames wait in a burst until a poll or a time step delivers them. After
 * every poll the TCP worker's bookkeeping is checked; after the input
 * everything is torn down and must leave no mbuf or heap allocation.
 */
#include "frames.h"
#include "fuzz.h"
#include "tcp/tcb.h"
#include "tcp/tcp_worker.h"

#define MS 1000000ull

static struct fr_world world;
static uint8_t frame[FR_FRAME_MAX], last[FR_FRAME_MAX];
static size_t last_len;
static uint8_t content[4096];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fr_global_init();
	return 0;
}

static int
seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* ---- the TCP worker's bookkeeping ------------------------------------------------------ */

static void
check_worker(struct tcp_worker *tw)
{
	uint32_t used = 0, ooo = 0, nstate[TCPS_NSTATES] = { 0 };

	for (uint32_t i = 0; i < tw->ntcbs; i++) {
		struct tcb *c = &tw->tcbs[i];

		if (c->flags & TF_FREED)
			continue;
		used++;
		FUZZ_CHECK(c->state < TCPS_NSTATES && c->busy == 0, "TCB %u: state %u busy %u", i,
			   c->state, c->busy);
		nstate[c->state]++;
		for (uint32_t k = c->ooo_head; k != UINT32_MAX && ooo <= tw->ooo_used; k = tw->ooo[k].next)
			ooo++;
		if (c->state == TCPS_CLOSED || c->state == TCPS_LISTEN)
			continue;
		FUZZ_CHECK(tcp_flow_lookup(tw, c->raddr, c->rport, c->laddr, c->lport) == c,
			   "TCB %u (%s) not found under its own 4-tuple", i, tcp_state_name(c->state));
		if (c->state >= TCPS_ESTABLISHED)
			FUZZ_CHECK(seq_le(c->snd_una, c->snd_nxt) && seq_le(c->snd_nxt, c->snd_max),
				   "TCB %u: una %u nxt %u max %u", i, c->snd_una, c->snd_nxt, c->snd_max);
	}
	FUZZ_CHECK(used == tw->used, "%u TCBs in use, the worker counts %u", used, tw->used);
	FUZZ_CHECK(ooo == tw->ooo_used, "%u out-of-order segments held, the worker counts %u", ooo,
		   tw->ooo_used);
	for (unsigned s = TCPS_LISTEN; s < TCPS_NSTATES; s++)
		FUZZ_CHECK(nstate[s] == tw->nstate[s], "%u TCBs in %s, the gauge says %u", nstate[s],
			   tcp_state_name(s), tw->nstate[s]);
}

static void
poll_checked(struct fr_world *wd)
{
	fr_poll(wd);
	for (unsigned i = 0; i < wd->nworkers; i++)
		check_worker(&wd->sw[i]->tcp);
}

static void
advance_checked(struct fr_world *wd, uint64_t dt)
{
	uint64_t until = wd->now + dt, step = RTE_MAX(dt / 32, MS);

	while (wd->now < until) {
		wd->now = RTE_MIN(wd->now + step, until);
		poll_checked(wd);
	}
}

/* ---- building segments ----------------------------------------------------------------- */

static void
queue_frame(struct fr_world *wd, size_t len, unsigned split, uint64_t ol)
{
	memcpy(last, frame, len);
	last_len = len;
	fr_queue(wd, frame, len, split, ol);
}

static uint8_t
put32(uint8_t *o, uint8_t n, uint32_t v)
{
	o[n] = (uint8_t)(v >> 24);
	o[n + 1] = (uint8_t)(v >> 16);
	o[n + 2] = (uint8_t)(v >> 8);
	o[n + 3] = (uint8_t)v;
	return (uint8_t)(n + 4);
}

static uint32_t
peer_clock(const struct fr_world *wd)
{
	return (uint32_t)(wd->now / MS) + 0x7000000u;
}

/* Options: the mask chooses MSS, window scale, SACK-permitted, timestamps, SACK blocks, junk. */
static uint8_t
build_options(struct fr_world *wd, struct fr_flow *f, struct fz *in, uint8_t *o)
{
	uint8_t mask = fz_u8(in), n = 0;
	uint32_t una = f->peer_acked, range = f->tern_nxt - una;

	if (mask & 0x01) {
		uint16_t mss = fz_u16(in);

		o[n++] = 2, o[n++] = 4, o[n++] = (uint8_t)(mss >> 8), o[n++] = (uint8_t)mss;
	}
	if (mask & 0x02)
		o[n++] = 1, o[n++] = 3, o[n++] = 3, o[n++] = fz_u8(in) % 16;
	if (mask & 0x04)
		o[n++] = 1, o[n++] = 1, o[n++] = 4, o[n++] = 2;
	if (mask & 0x08) {
		uint32_t val = peer_clock(wd), ecr = f->tern_tsval;

		if (mask & 0x80)
			val = fz_u32(in), ecr = fz_u32(in);
		o[n++] = 1, o[n++] = 1, o[n++] = 8, o[n++] = 10;
		n = put32(o, n, val);
		n = put32(o, n, ecr);
	}
	unsigned nsack = (mask >> 4) & 3;
	if (nsack > 0 && n + 4 + 8 * nsack <= 40) {
		o[n++] = 1, o[n++] = 1, o[n++] = 5, o[n++] = (uint8_t)(2 + 8 * nsack);
		for (unsigned b = 0; b < nsack; b++) {
			uint8_t x = fz_u8(in), y = fz_u8(in);
			uint32_t left = una + (uint32_t)((uint64_t)range * x / 256);
			uint32_t right = left + (uint32_t)((uint64_t)range * y / 256) + (y != 0);

			if (mask & 0x80)
				left = fz_u32(in), right = left + fz_u16(in);
			n = put32(o, n, left);
			n = put32(o, n, right);
		}
	}
	if ((mask & 0x40) && n + 2 <= 40) { /* an option of any kind and length, even a wrong one */
		uint8_t kind = fz_u8(in), len = fz_u8(in);

		o[n++] = kind;
		o[n++] = len;
		for (unsigned i = 2; i < len && n < 40; i++)
			o[n++] = fz_u8(in);
	}
	return n;
}

/* Canned payloads: what the services, the clients and the frontends understand. */
static uint16_t
build_payload(struct fz *in, const uint8_t **out)
{
	uint16_t spec = fz_u16(in), len = spec & 0x7ff;
	int n = 0;

	*out = content;
	switch ((spec >> 11) % 8) {
	case 0:
		memset(content, 0, len);
		return len;
	case 1:
		for (uint16_t i = 0; i < len; i++)
			content[i] = (uint8_t)(i % 251);
		return len;
	case 2:
		n = snprintf((char *)content, sizeof(content), "GET /bytes/%u HTTP/1.1\r\nHost: t\r\n\r\n",
			     (unsigned)len * 97);
		break;
	case 3:
		n = snprintf((char *)content, sizeof(content),
			     "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", (unsigned)len % 64);
		for (unsigned i = 0; i < len % 64; i++)
			content[n++] = (uint8_t)(i % 251);
		return (uint16_t)n;
	case 4:
		n = snprintf((char *)content, sizeof(content),
			     "PROXY TCP4 192.0.2.%u 10.0.0.10 %u 81\r\nGET / HTTP/1.1\r\n\r\n",
			     len & 0xff, 1024 + len);
		break;
	case 5: {
		static const uint8_t v2[] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
			0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 192, 0, 2, 1, 10, 0, 0, 10, 0x30, 0x39, 0, 82 };

		memcpy(content, v2, sizeof(v2));
		n = (int)sizeof(v2);
		n += snprintf((char *)content + n, sizeof(content) - n, "GET /bytes/%u HTTP/1.1\r\n\r\n",
			      len);
		break;
	}
	case 6: {
		const uint8_t *p;
		size_t k = fz_take(in, len, &p);

		memcpy(content, p, k);
		return (uint16_t)k;
	}
	default:
		n = snprintf((char *)content, sizeof(content),
			     "GET / HTTP/1.%u\r\nConnection: %s\r\nContent-Length: %u\r\n\r\n", len & 1,
			     len & 2 ? "close" : "keep-alive", (len >> 2) & 7);
		break;
	}
	return (uint16_t)n;
}

static struct fr_flow *
pick_flow(struct fr_world *wd, uint8_t b)
{
	return wd->nflows == 0 ? NULL : &wd->flows[b % wd->nflows];
}

static void
send_tcp(struct fr_world *wd, struct fr_flow *f, struct fr_tcp *t, unsigned split, uint64_t ol)
{
	t->src = f->peer_ip;
	t->dst = f->tern_ip;
	t->sport = f->peer_port;
	t->dport = f->tern_port;
	if (t->ttl == 0 && !(t->frag & 0x8000))
		t->ttl = 64;
	if (t->flags & 0x10 && seq_le(f->peer_acked, t->ack))
		f->peer_acked = t->ack;
	if (fr_trace())
		fprintf(stderr, "in  %u > %u %02x seq %u ack %u len %u (tern isn %u)\n", t->sport, t->dport, t->flags,
			t->seq, t->ack, t->len, f->tern_isn);
	queue_frame(wd, fr_build_tcp(frame, t), split, ol);
}

/* Anomalies: checksums, IP options and fragments, lengths, TTL, the Ethernet destination. */
static void
anomalies(struct fz *in, struct fr_tcp *t, unsigned *split, uint64_t *ol)
{
	static const uint64_t flags[4] = {
		RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN | RTE_MBUF_F_RX_L4_CKSUM_NONE,
	};
	uint8_t a = fz_u8(in), b = fz_u8(in);

	t->bad_tcp_cksum = a & 1;
	t->bad_ip_cksum = a >> 1 & 1;
	if (a & 0x04)
		t->ip_optlen = (uint8_t)(4 * (b & 7) + 4);
	if (a & 0x08)
		t->frag = fz_u16(in);
	if (a & 0x10)
		t->tot_delta = (int8_t)fz_u8(in);
	if (a & 0x20)
		t->doff_delta = fz_u8(in) & 0xf;
	if (a & 0x40) {
		t->ttl = b >> 3 & 1;
		t->tos = b & 3;
	}
	if (a & 0x80) {
		static const uint32_t l2[] = { FR_PEER, FR_STRANGER, 0xffffffffu, 0x01005e01u };

		t->l2_dst_ip = l2[b >> 4 & 3];
	}
	*split = b & 0x80 ? (unsigned)(b & 0x3f) + 1 : 0;
	t->pad = (b & 0x40) ? 18 : 0;
	*ol = flags[b >> 3 & 3];
}

/* ---- ops ------------------------------------------------------------------------------- */

/* A segment on a known flow, everything chosen. */
static void
op_segment(struct fr_world *wd, struct fz *in)
{
	struct fr_flow *f = pick_flow(wd, fz_u8(in));
	struct fr_tcp t = { 0 };
	uint8_t mode;
	uint32_t sbase, abase;
	int16_t sd, ad;
	unsigned split = 0;
	uint64_t ol = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;

	if (f == NULL)
		return;
	t.flags = fz_u8(in);
	mode = fz_u8(in);
	sd = (int16_t)fz_u16(in);
	ad = (int16_t)fz_u16(in);
	t.win = fz_u16(in);
	sbase = (mode & 3) == 0 ? f->peer_nxt : (mode & 3) == 1 ? f->tern_ack :
		(mode & 3) == 2 ? f->peer_isn : fz_u32(in);
	abase = (mode >> 2 & 3) == 0 ? f->tern_nxt : (mode >> 2 & 3) == 1 ? f->peer_acked :
		(mode >> 2 & 3) == 2 ? f->tern_isn + 1 : fz_u32(in);
	t.seq = sbase + (uint32_t)(int32_t)sd;
	t.ack = abase + (uint32_t)(int32_t)ad;
	if (mode & 0x10)
		t.optlen = build_options(wd, f, in, t.opts);
	if (mode & 0x20)
		t.len = build_payload(in, &t.payload);
	if (mode & 0x40)
		anomalies(in, &t, &split, &ol);
	if (!(mode & 0x80) && t.seq == f->peer_nxt)
		f->peer_nxt += t.len + !!(t.flags & 0x02) + !!(t.flags & 0x01);
	send_tcp(wd, f, &t, split, ol);
}

/* The usual ACK: a point inside tern's flight, timestamps when in use, optionally a SACK above a hole. */
static void
op_ack(struct fr_world *wd, struct fz *in)
{
	struct fr_flow *f = pick_flow(wd, fz_u8(in));
	uint8_t sel = fz_u8(in), n = 0;
	struct fr_tcp t = { 0 };
	uint32_t una, range;

	if (f == NULL)
		return;
	una = f->peer_acked;
	range = f->tern_nxt - una;
	if ((int32_t)range < 0)
		range = 0;
	t.flags = 0x10;
	t.seq = f->peer_nxt;
	t.ack = una + (uint32_t)((uint64_t)range * (sel & 0x3f) / 63);
	t.win = 0xffff;
	if (f->tern_tsval != 0) {
		uint32_t val = peer_clock(wd), ecr = f->tern_tsval;

		t.opts[n++] = 1, t.opts[n++] = 1, t.opts[n++] = 8, t.opts[n++] = 10;
		n = put32(t.opts, n, val);
		n = put32(t.opts, n, ecr);
	}
	if ((sel & 0x40) && range > 0) { /* SACK from the middle of the rest to its end */
		uint32_t rest = f->tern_nxt - t.ack, left = t.ack + rest / 2 + 1;

		t.opts[n++] = 1, t.opts[n++] = 1, t.opts[n++] = 5, t.opts[n++] = 10;
		n = put32(t.opts, n, left);
		n = put32(t.opts, n, f->tern_nxt);
	}
	if (sel & 0x80)
		t.win = 0;
	t.optlen = n;
	send_tcp(wd, f, &t, 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

/* In-order data from the peer, acknowledging everything tern sent. */
static void
op_data(struct fr_world *wd, struct fz *in)
{
	struct fr_flow *f = pick_flow(wd, fz_u8(in));
	struct fr_tcp t = { 0 };

	if (f == NULL)
		return;
	t.len = build_payload(in, &t.payload);
	t.flags = 0x18;
	t.seq = f->peer_nxt;
	t.ack = f->tern_nxt;
	t.win = 0xffff;
	f->peer_nxt += t.len;
	send_tcp(wd, f, &t, 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

static uint32_t
pick_src(struct fz *in)
{
	static const uint32_t src[] = { FR_PEER, FR_STRANGER, FR_FAR, FR_TARGET2, FR_SERVER2,
		FR_IP(10, 0, 0, 255), FR_IP(127, 0, 0, 1), FR_IP(224, 0, 0, 1) };
	uint8_t b = fz_u8(in);

	return b & 0x80 ? FR_IP(10, 0, 0, b & 0x7f) : src[b % RTE_DIM(src)];
}

/* A SYN on a new flow (or a known one again). */
static void
op_syn(struct fr_world *wd, struct fz *in)
{
	static const uint32_t dst[][2] = { { FR_TERN, 80 }, { FR_TERN, 7 }, { FR_TERN, 9 },
		{ FR_TERN, 81 }, { FR_VIP, 80 }, { FR_VIP, 81 }, { FR_VIP, 82 }, { FR_VIP, 7 } };
	uint32_t src = pick_src(in);
	uint16_t sport = fz_u16(in);
	uint8_t d = fz_u8(in);
	struct fr_flow *f = fr_flow_add(wd, src, sport, dst[d % 8][0], (uint16_t)dst[d % 8][1]);
	struct fr_tcp t = { 0 };

	f->peer_syn = 1;
	t.flags = 0x02;
	t.seq = f->peer_isn;
	t.win = 0xffff;
	t.optlen = build_options(wd, f, in, t.opts);
	f->peer_nxt = f->peer_isn + 1;
	send_tcp(wd, f, &t, 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

static void
op_arp(struct fr_world *wd, struct fz *in)
{
	static const uint32_t ips[] = { FR_PEER, FR_STRANGER, FR_TARGET2, FR_SERVER2, FR_GATEWAY,
		FR_TERN, FR_VIP, 0 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t a = fz_u8(in), b = fz_u8(in);
	uint8_t sha[6], tha[6] = { 0 }, dst[6];
	uint32_t sip, tip;
	uint16_t op = a & 1 ? 2 : 1;
	size_t len;

	if (a & 0x80 && wd->narp > 0) { /* the answer to something tern asked */
		sip = wd->arp_asked[(wd->narp - 1 - (b & 7)) % RTE_DIM(wd->arp_asked)];
		tip = FR_TERN;
		op = 2;
	} else {
		sip = ips[a >> 1 & 7];
		tip = ips[a >> 4 & 7];
	}
	fr_mac_of(sip != 0 ? sip : FR_STRANGER, sha);
	if (b & 0x08)
		sha[0] |= 1; /* a multicast sender */
	if (b & 0x10)
		memcpy(sha, fr_tern_mac, 6);
	memcpy(dst, op == 2 || (b & 0x20) ? fr_tern_mac : bcast, 6);
	if (op == 2)
		memcpy(tha, fr_tern_mac, 6);
	len = fr_build_arp(frame, op, sip, sha, tip, tha, dst);
	if (b & 0x40)
		frame[14 + 4] = 8; /* a hardware address length that is not Ethernet's */
	queue_frame(wd, b & 0x80 ? len - 1 : len, 0, 0);
}

/* ICMP: echo requests, and errors quoting a flow's segment. */
static void
op_icmp(struct fr_world *wd, struct fz *in)
{
	static const uint8_t types[][2] = { { 8, 0 }, { 0, 0 }, { 3, 4 }, { 3, 3 }, { 11, 0 },
		{ 5, 1 }, { 13, 0 }, { 8, 1 } };
	uint8_t a = fz_u8(in), len = fz_u8(in);
	uint8_t pl[256 + 60];
	uint16_t n = len;
	uint32_t src = pick_src(in);
	struct fr_flow *f = pick_flow(wd, a);

	memset(pl, 0xab, sizeof(pl));
	if ((a >> 3 & 7) >= 2 && (a >> 3 & 7) <= 4 && f != NULL) {
		struct fr_tcp t = { .src = f->tern_ip, .dst = f->peer_ip, .sport = f->tern_port,
			.dport = f->peer_port, .seq = f->tern_nxt, .ack = f->tern_ack, .flags = 0x10,
			.ttl = 64 };
		size_t k = fr_build_tcp(frame, &t) - 14;

		memcpy(pl, frame + 14, k);
		n = (uint16_t)RTE_MIN((size_t)len, k);
	}
	queue_frame(wd, fr_build_icmp(frame, src, types[a >> 3 & 7][0], types[a >> 3 & 7][1],
				      a & 0x40 ? 0x000005dcu : 0x12340001u, pl, n, a & 0x80),
		    len & 0x80 ? 30 : 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD);
}

/* Any bytes as a frame, to tern's MAC unless told otherwise. */
static void
op_raw(struct fr_world *wd, struct fz *in)
{
	uint16_t spec = fz_u16(in);
	const uint8_t *p;
	size_t k = fz_take(in, spec & 0x7ff, &p);

	memcpy(frame, p, k);
	if (!(spec & 0x8000) && k >= 6)
		memcpy(frame, fr_tern_mac, 6);
	if ((spec & 0x4000) && k >= 14)
		frame[12] = 0x08, frame[13] = 0x00;
	queue_frame(wd, k, spec & 0x2000 ? 20 : 0, 0);
}

/* Time: 1 us to about 9 minutes, in four scales. */
static uint64_t
time_step(uint16_t t)
{
	static const uint64_t unit[4] = { 1000ull, 32000ull, 1000000ull, 32000000ull };

	return (uint64_t)(t & 0x3fff) * unit[t >> 14];
}

static void
op_repeat(struct fr_world *wd, struct fz *in)
{
	unsigned k = fz_u8(in) % 8 + 1;

	for (unsigned i = 0; i < k && last_len > 0; i++)
		fr_queue(wd, last, last_len, 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

/*
 * Seeds' ops (fuzz-seeds writes them from scenario scripts): a segment as a
 * script states it, sequence numbers relative to the peer's ISN (plus what
 * op_request added) and ACKs and SACK blocks relative to tern's ISN.
 */
static struct fr_flow *
script_flow(struct fr_world *wd, uint8_t sel)
{
	static const uint32_t dst[4][2] = { { FR_TERN, 80 }, { FR_TERN, 7 }, { FR_TERN, 9 },
		{ FR_VIP, 80 } };
	struct fr_flow *f;

	switch (sel & 3) {
	case 0:
		return wd->script_flow >= 0 ? &wd->flows[wd->script_flow] : NULL;
	case 1: /* tern's first client connection */
		return wd->nflows > 0 ? &wd->flows[0] : NULL;
	default:
		f = fr_flow_add(wd, FR_PEER, (uint16_t)(50000 + wd->nflows), dst[sel >> 2 & 3][0],
				(uint16_t)dst[sel >> 2 & 3][1]);
		f->peer_syn = 1;
		wd->script_flow = (int)(f - wd->flows);
		return f;
	}
}

static uint8_t
script_options(struct fr_flow *f, struct fz *in, uint8_t *o)
{
	uint8_t nopt = fz_u8(in) % 8, n = 0;

	for (unsigned i = 0; i < nopt && n <= 30; i++) {
		uint8_t kind = fz_u8(in);

		if (kind == 2) {
			uint16_t mss = fz_u16(in);

			o[n++] = 2, o[n++] = 4, o[n++] = (uint8_t)(mss >> 8), o[n++] = (uint8_t)mss;
		} else if (kind == 3) {
			o[n++] = 3, o[n++] = 3, o[n++] = fz_u8(in);
		} else if (kind == 4) {
			o[n++] = 4, o[n++] = 2;
		} else if (kind == 8) {
			uint32_t val = fz_u32(in), ecr = fz_u8(in) ? f->tern_tsval : 0;

			o[n++] = 8, o[n++] = 10;
			n = put32(o, n, val);
			n = put32(o, n, ecr);
		} else if (kind == 5) {
			uint8_t nb = fz_u8(in) % 4;

			if (n + 2 + 8 * nb > 40)
				nb = (uint8_t)((40 - n - 2) / 8);
			o[n++] = 5, o[n++] = (uint8_t)(2 + 8 * nb);
			for (unsigned b = 0; b < nb; b++) {
				uint32_t l = fz_u32(in), r = fz_u32(in);

				n = put32(o, n, f->tern_isn + l);
				n = put32(o, n, f->tern_isn + r);
			}
		} else {
			o[n++] = 1;
		}
	}
	return n;
}

static void
op_script(struct fr_world *wd, struct fz *in)
{
	struct fr_flow *f = script_flow(wd, fz_u8(in));
	struct fr_tcp t = { 0 };
	uint32_t seq, ack;
	uint16_t len;

	t.flags = fz_u8(in);
	seq = fz_u32(in);
	ack = fz_u32(in);
	t.win = fz_u16(in);
	len = fz_u16(in) % 4096;
	if (f == NULL)
		return;
	t.seq = f->peer_isn + f->peer_shift + seq;
	t.ack = f->tern_isn + ack;
	t.optlen = script_options(f, in, t.opts);
	for (uint16_t i = 0; i < len; i++)
		content[i] = (uint8_t)(i % 251);
	t.payload = content;
	t.len = len;
	if (seq_le(f->peer_nxt, t.seq + len + !!(t.flags & 0x02) + !!(t.flags & 0x01)))
		f->peer_nxt = t.seq + len + !!(t.flags & 0x02) + !!(t.flags & 0x01);
	send_tcp(wd, f, &t, 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

/* What a script's app writes, asked of the http service: a request for that many bytes. */
static void
op_request(struct fr_world *wd, struct fz *in)
{
	struct fr_flow *f = script_flow(wd, fz_u8(in) & ~3u);
	uint32_t want = fz_u32(in) % (1u << 24);
	struct fr_tcp t = { .flags = 0x18, .win = 0xffff };
	int n;

	if (f == NULL)
		return;
	n = snprintf((char *)content, sizeof(content), "GET /bytes/%u HTTP/1.1\r\n\r\n", want);
	t.payload = content;
	t.len = (uint16_t)n;
	t.seq = f->peer_nxt;
	t.ack = f->tern_nxt;
	f->peer_nxt += t.len;
	f->peer_shift += t.len;
	send_tcp(wd, f, &t, 0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

static void
run_op(struct fr_world *wd, struct fz *in)
{
	uint8_t op = fz_u8(in);

	switch (op % 18) {
	case 16: op_script(wd, in); break;
	case 17: op_request(wd, in); break;
	case 0: case 1: case 2: case 3: op_segment(wd, in); break;
	case 4: op_ack(wd, in); break;
	case 5: op_data(wd, in); break;
	case 6: advance_checked(wd, time_step(fz_u16(in))); break;
	case 7: poll_checked(wd); break;
	case 8: op_syn(wd, in); break;
	case 9: op_arp(wd, in); break;
	case 10: op_icmp(wd, in); break;
	case 11: op_raw(wd, in); break;
	case 12: {
		uint8_t what = fz_u8(in), i = fz_u8(in);

		fr_control(wd, i, what, fz_u32(in));
		break;
	}
	case 13: wd->rxq ^= 1; break;
	case 14: advance_checked(wd, (uint64_t)fz_u8(in) * 250000ull); break;
	default: op_repeat(wd, in); break;
	}
}

/* ---- setup ----------------------------------------------------------------------------- */

/* A handshake through the real path: SYN, tern's SYN-ACK, the ACK. */
static void
establish(struct fr_world *wd, uint32_t dst, uint16_t port, uint16_t sport)
{
	struct fr_flow *f = fr_flow_add(wd, FR_PEER, sport, dst, port);
	struct fr_tcp t = { .flags = 0x02, .win = 0xffff, .seq = f->peer_isn };
	uint8_t *o = t.opts;

	f->peer_syn = 1;
	o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4;
	t.optlen = 4;
	if (!(wd->variant & FRV_PLAIN_TCP)) {
		uint32_t val = peer_clock(wd);

		memcpy(o + 4, (const uint8_t[]){ 4, 2, 8, 10, (uint8_t)(val >> 24), (uint8_t)(val >> 16),
						 (uint8_t)(val >> 8), (uint8_t)val, 0, 0, 0, 0, 1, 3, 3, 7 },
		       16);
		t.optlen = 20;
	}
	f->peer_nxt = f->peer_isn + 1;
	send_tcp(wd, f, &t, 0, 0);
	advance_checked(wd, MS);
	if (!f->tern_syn)
		return;
	memset(&t, 0, sizeof(t));
	t.flags = 0x10;
	t.seq = f->peer_nxt;
	t.ack = f->tern_nxt;
	t.win = 0xffff;
	send_tcp(wd, f, &t, 0, 0);
	poll_checked(wd);
}

/* Completes the handshakes tern's clients started (SYN-ACKs to what they sent). */
static void
answer_clients(struct fr_world *wd)
{
	for (unsigned i = 0; i < wd->nflows; i++) {
		struct fr_flow *f = &wd->flows[i];
		struct fr_tcp t = { .flags = 0x12, .win = 0xffff };

		if (!f->tern_syn || f->peer_syn)
			continue;
		f->peer_syn = 1;
		t.seq = f->peer_isn;
		t.ack = f->tern_nxt;
		t.opts[0] = 2, t.opts[1] = 4, t.opts[2] = 0x05, t.opts[3] = 0xb4;
		t.optlen = 4;
		f->peer_nxt = f->peer_isn + 1;
		send_tcp(wd, f, &t, 0, 0);
	}
	advance_checked(wd, MS);
}

static void
setup(struct fr_world *wd, uint8_t s)
{
	static const uint16_t ports[3] = { 80, 7, 9 };

	poll_checked(wd);
	for (unsigned k = 0; k < (s & 3u); k++) {
		uint32_t dst = k == 2 && (wd->variant & FRV_PROXY) ? FR_VIP : FR_TERN;

		establish(wd, dst, dst == FR_VIP ? 80 : ports[k], (uint16_t)(40001 + k));
	}
	if ((s & 4) && (s & 3) > 0) {
		struct fr_flow *f = fr_flow_find(wd, FR_PEER, 40001, FR_TERN, 80);
		struct fr_tcp t = { .flags = 0x18, .win = 0xffff };
		static const char get[] = "GET /bytes/200000 HTTP/1.1\r\n\r\n";

		t.seq = f->peer_nxt;
		t.ack = f->tern_nxt;
		t.payload = (const uint8_t *)get;
		t.len = sizeof(get) - 1;
		f->peer_nxt += t.len;
		send_tcp(wd, f, &t, 0, 0);
		advance_checked(wd, MS);
	}
	if (s & 8) {
		advance_checked(wd, 10 * MS); /* the second client starts at 5 ms */
		answer_clients(wd);
	}
}

/* FUZZ_FRAMES_VERBOSE=1: what an input did (for writing seeds). */
static void
summary(struct fr_world *wd)
{
	static const char *const names[] = { "TcpActiveOpens", "TcpPassiveOpens", "TcpCurrEstab",
		"TcpInSegs", "TcpOutSegs", "TcpRetransSegs", "TcpExtTCPSackRecovery",
		"TcpExtTCPLossProbes", "TcpExtTCPTimeouts", "ArpOutRequests", "SteerOut" };

	fprintf(stderr, "frames: variant %02x, %u flows, %llu frames out, t=%.3f s\n", wd->variant,
		wd->nflows, (unsigned long long)wd->frames_out, (double)(wd->now % (1000 * 1000000000ull)) / 1e9);
	for (unsigned i = 0; i < wd->nworkers; i++) {
		fprintf(stderr, "  worker %u:", i);
		for (unsigned k = 0; k < RTE_DIM(names); k++)
			fprintf(stderr, " %s=%llu", names[k],
				(unsigned long long)stack_counter(wd->sw[i], names[k]));
		fprintf(stderr, "\n");
	}
	for (unsigned k = 0; k < wd->nflows; k++) {
		const struct fr_flow *f = &wd->flows[k];

		fprintf(stderr, "  flow %u: %08x:%u -> %08x:%u tern %s%s sent %llu bytes (nxt-isn %u), peer nxt-isn %u\n",
			k, f->peer_ip, f->peer_port, f->tern_ip, f->tern_port, f->tern_syn ? "syn" : "-",
			f->reset ? " rst" : "", (unsigned long long)f->tern_bytes, f->tern_nxt - f->tern_isn,
			f->peer_nxt - f->peer_isn);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { .p = data, .n = size };
	uint8_t variant, s;

	if (size < 2)
		return 0;
	variant = fz_u8(&in);
	s = fz_u8(&in);
	last_len = 0;
	fr_world_open(&world, variant);
	world.script_flow = -1;
	setup(&world, s);
	while (fz_left(&in))
		run_op(&world, &in);
	poll_checked(&world);
	if (getenv("FUZZ_FRAMES_VERBOSE") != NULL)
		summary(&world);
	fr_world_close(&world);
	return 0;
}
