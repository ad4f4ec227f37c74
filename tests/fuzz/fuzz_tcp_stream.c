/*
 * A structure-aware TCP fuzzer on tern-pkt's scenario harness (tests/pkt:
 * one worker built by stack_build on virtual time, the socket shim as the
 * application). The input does not describe bytes on the wire but the
 * choices of a peer that always looks valid: one established connection
 * (the handshake is done here, with the options the first byte offers),
 * then segments of the peer's stream sent in any order, overlapping,
 * repeated or in bursts, duplicate FINs at the stream's end, RSTs at the
 * edges of tern's window, ACKs and SACK blocks inside tern's flight, zero
 * windows, timestamps that start near 2^32 and wrap, app reads, writes,
 * shutdowns and time. After every step:
 *
 *   SND.UNA <= SND.NXT <= SND.MAX (RFC 9293 §3.3.1 ordering);
 *   RCV.NXT never moves back, and never past what the peer has sent;
 *   what read() returns is exactly the peer's stream, from its start;
 *   what tern sends is exactly what the app wrote, at its stream offset;
 *
 * and at the end the mbuf pools are whole once everything is torn down.
 */
#include <errno.h>

#include "fuzz.h"
#include "../pkt/frame.h"
#include "../pkt/harness.h"
#include "../pkt/shim.h"
#include "../pkt/stream.h"
#include "tcp/tcb.h"
#include "tcp/tcp_seq.h"

#define PORT 8080
#define PEER_PORT 40000
#define PEER_MSS 1000
#define STREAM_MAX 65536            /* bytes the peer may send */
#define HISTORY 16                  /* segments kept for replays */

struct sent {
	uint32_t seq;
	uint16_t len;
	uint8_t flags;
};

struct model {
	struct harness h;
	struct shim sh;
	int fd;                         /* the accepted socket, -1 before */
	uint8_t opts_on;                /* bit 0 timestamps, 1 SACK, 2 window scale */
	uint32_t peer_isn, tern_isn;
	uint32_t tern_max;              /* one past the highest sequence tern sent */
	uint32_t tern_ack;              /* tern's last ACK field */
	uint32_t tern_tsval;
	uint32_t ts_base;               /* the peer's clock: ts_base + ms */
	uint32_t peer_acked;            /* the highest ACK the peer sent */
	uint8_t sent_map[STREAM_MAX / 8];
	uint32_t sent_hi;               /* one past the highest stream byte sent */
	uint32_t contig;                /* the bytes sent from the stream's start without a hole */
	int fin_len;                    /* the stream's length once a FIN went out, else -1 */
	uint64_t read_off;              /* bytes read() returned so far */
	uint64_t written;               /* bytes the app wrote */
	const struct tcb *c;            /* the connection RCV.NXT is followed on */
	uint32_t last_rcv_nxt;
	struct sent hist[HISTORY];
	unsigned nhist;
	int burst;                      /* frames queued, waiting for a poll */
};

static struct model M;
static int trace;                   /* FUZZ_TCP_TRACE=1: tern's segments on stderr */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	trace = getenv("FUZZ_TCP_TRACE") != NULL;
	if (harness_global_init((*argv)[0]) != 0)
		exit(1);
	return 0;
}

/* ---- what tern sends ------------------------------------------------------------------- */

static uint32_t
ts_of(const struct wire_seg *s)
{
	for (unsigned i = 0; i + 1 < s->optlen;) {
		if (s->opts[i] == 0)
			break;
		if (s->opts[i] == 1) {
			i++;
			continue;
		}
		if (s->opts[i] == 8 && s->opts[i + 1] == 10 && i + 10 <= s->optlen)
			return (uint32_t)s->opts[i + 2] << 24 | (uint32_t)s->opts[i + 3] << 16 |
			       (uint32_t)s->opts[i + 4] << 8 | s->opts[i + 5];
		if (s->opts[i + 1] < 2)
			break;
		i += s->opts[i + 1];
	}
	return 0;
}

/* The peer's sequence space: stream offset k is peer_isn + 1 + k. */
static uint32_t
contiguous(const struct model *m)
{
	return m->contig;
}

/* Marks stream bytes [off, off + len) sent; moves the in-order prefix on. */
static void
mark_sent(struct model *m, uint32_t off, uint32_t len)
{
	for (uint32_t k = off; k < off + len; k++)
		m->sent_map[k / 8] |= (uint8_t)(1u << (k % 8));
	if (off + len > m->sent_hi)
		m->sent_hi = off + len;
	while (m->contig < m->sent_hi && (m->sent_map[m->contig / 8] >> (m->contig % 8) & 1))
		m->contig++;
}

/* One segment tern sent: its payload is the app's stream, its ACK within what the peer sent. */
static void
learn(struct model *m, const struct wire_seg *s)
{
	uint32_t end = s->seq + s->len + !!(s->flags & 0x02) + !!(s->flags & 0x01);
	uint32_t ts = ts_of(s);

	FUZZ_CHECK(s->ip_cksum_ok && s->tcp_cksum_ok, "a bad checksum from tern");
	if (trace)
		fprintf(stderr, "tern: %02x seq %u ack %u len %u win %u\n", s->flags, s->seq - m->tern_isn,
			s->ack - m->peer_isn, s->len, s->win);
	if (s->flags & 0x02) {
		m->tern_isn = s->seq;
		m->tern_max = end;
	}
	if (seq_gt(end, m->tern_max))
		m->tern_max = end;
	if (ts != 0)
		m->tern_tsval = ts;
	if (s->len > 0 && !(s->flags & 0x02)) {
		uint64_t off = (uint32_t)(s->seq - m->tern_isn - 1);

		FUZZ_CHECK(off + s->len <= m->written, "tern sent bytes %llu..%llu, the app wrote %llu",
			   (unsigned long long)off, (unsigned long long)(off + s->len),
			   (unsigned long long)m->written);
		for (uint32_t i = 0; i < s->len; i++)
			FUZZ_CHECK(s->payload[i] == stream_out_byte(off + i),
				   "tern sent a wrong byte at stream offset %llu",
				   (unsigned long long)(off + i));
	}
	if ((s->flags & 0x10) && !(s->flags & 0x04) && m->fd >= 0) {
		uint32_t lim = m->peer_isn + 1 + contiguous(m) + (m->fin_len >= 0 &&
			       (uint32_t)m->fin_len == contiguous(m));

		FUZZ_CHECK(seq_leq(s->ack, lim), "tern ACKs %u, the peer sent up to %u",
			   s->ack - m->peer_isn, lim - m->peer_isn);
		m->tern_ack = s->ack;
	}
}

static void
drain_output(struct model *m)
{
	struct wire_seg *s;

	while ((s = harness_front(&m->h)) != NULL) {
		learn(m, s);
		harness_pop(&m->h);
	}
	FUZZ_CHECK(m->h.bad_frames == 0, "tern sent a malformed frame");
}

/* ---- invariants ------------------------------------------------------------------------ */

static struct pkt_sock *
sock(struct model *m)
{
	return m->fd >= 0 ? shim_sock(&m->sh, m->fd) : NULL;
}

static void
check(struct model *m)
{
	struct pkt_sock *k = sock(m);
	const struct tcb *c = k != NULL ? k->c : NULL;

	drain_output(m);
	if (k != NULL)
		FUZZ_CHECK(k->read_off + k->rx_bytes <= contiguous(m),
			   "the app holds %llu bytes, the peer sent %u in order",
			   (unsigned long long)(k->read_off + k->rx_bytes), contiguous(m));
	if (c == NULL || c->state < TCPS_ESTABLISHED)
		return;
	FUZZ_CHECK(seq_leq(c->snd_una, c->snd_nxt) && seq_leq(c->snd_nxt, c->snd_max),
		   "%s: SND.UNA %u SND.NXT %u SND.MAX %u", tcp_state_name(c->state),
		   c->snd_una - m->tern_isn, c->snd_nxt - m->tern_isn, c->snd_max - m->tern_isn);
	if (c == m->c)
		FUZZ_CHECK(seq_geq(c->rcv_nxt, m->last_rcv_nxt), "RCV.NXT went back from %u to %u",
			   m->last_rcv_nxt - m->peer_isn, c->rcv_nxt - m->peer_isn);
	m->c = c;
	m->last_rcv_nxt = c->rcv_nxt;
}

/* ---- the peer -------------------------------------------------------------------------- */

static uint32_t
peer_ts(const struct model *m)
{
	return m->ts_base + (uint32_t)(m->h.now_us / 1000);
}

static unsigned
put_ts(const struct model *m, uint8_t *o, unsigned n)
{
	uint32_t v = peer_ts(m), e = m->tern_tsval;

	o[n++] = 1, o[n++] = 1, o[n++] = 8, o[n++] = 10;
	for (int i = 3; i >= 0; i--)
		o[n++] = (uint8_t)(v >> (8 * i));
	for (int i = 3; i >= 0; i--)
		o[n++] = (uint8_t)(e >> (8 * i));
	return n;
}

static void
send_frame(struct model *m, const struct frame_in *in)
{
	static uint8_t buf[FRAME_MAX];
	size_t len = frame_build(in, buf);

	FUZZ_CHECK(len > 0, "frame_build");
	if (m->burst) {
		if (harness_queue(&m->h, buf, len) != 0) {
			harness_poll(&m->h);
			harness_queue(&m->h, buf, len);
		}
	} else {
		harness_inject(&m->h, buf, len);
	}
}

/* A segment of the peer: seq and ack absolute, payload from the stream at seq. */
static void
peer_send(struct model *m, uint32_t seq, uint16_t len, uint8_t flags, uint32_t ack,
	  uint16_t win, const uint8_t *sack, unsigned sack_len)
{
	static uint8_t payload[PEER_MSS];
	struct frame_in in = { .sport = PEER_PORT, .dport = PORT, .seq = seq, .ack = ack,
		.flags = flags, .win = win, .payload = payload, .len = len };
	uint32_t off = seq - m->peer_isn - 1;

	if (m->opts_on & 1)
		in.optlen = put_ts(m, in.opts, 0);
	if (sack_len > 0 && in.optlen + sack_len <= TCP_OPTS_MAX) {
		memcpy(in.opts + in.optlen, sack, sack_len);
		in.optlen += sack_len;
	}
	for (uint16_t i = 0; i < len; i++)
		payload[i] = stream_in_byte((uint64_t)off + i);
	if (len > 0)
		mark_sent(m, off, len);
	if ((flags & 0x10) && seq_gt(ack, m->peer_acked))
		m->peer_acked = ack;
	m->hist[m->nhist++ % HISTORY] = (struct sent){ .seq = seq, .len = len, .flags = flags };
	send_frame(m, &in);
}

/* An ACK point inside tern's flight: from the peer's last ACK to everything. */
static uint32_t
ack_point(const struct model *m, uint8_t x)
{
	uint32_t lo = m->peer_acked, span = m->tern_max - lo;

	if ((int32_t)span < 0)
		span = 0;
	return lo + (uint32_t)((uint64_t)span * x / 255);
}

static uint16_t
wnd(const struct model *m)
{
	return m->opts_on & 4 ? 512 : 65535; /* 64 KiB either way (scale 7) */
}

/* Data at a stream offset: at the next expected byte, anywhere below the window, or overlapping. */
static void
op_data(struct model *m, struct fz *in)
{
	uint8_t how = fz_u8(in), sz = fz_u8(in);
	uint32_t exp = contiguous(m), off, len = 1 + (uint32_t)sz * PEER_MSS / 256;
	int fin_now = 0;

	switch (how & 3) {
	case 0: off = exp; break;                                  /* in order */
	case 1: off = exp + (uint32_t)fz_u16(in) % (4 * PEER_MSS); break; /* a hole before it */
	case 2: off = exp > 0 ? exp - 1 - fz_u16(in) % exp : 0; break; /* overlaps what was sent */
	default: off = m->sent_hi; break;                          /* after the highest */
	}
	if (m->fin_len >= 0) { /* nothing past the end once a FIN told it */
		if (off >= (uint32_t)m->fin_len)
			off = (uint32_t)m->fin_len - RTE_MIN((uint32_t)m->fin_len, len);
		len = RTE_MIN(len, (uint32_t)m->fin_len - off);
		fin_now = off + len == (uint32_t)m->fin_len && (how & 4);
	}
	if (off >= STREAM_MAX)
		return;
	len = RTE_MIN(len, STREAM_MAX - off);
	peer_send(m, m->peer_isn + 1 + off, (uint16_t)len, (uint8_t)(0x10 | (how & 8) | fin_now),
		  ack_point(m, fz_u8(in)), wnd(m), NULL, 0);
}

/* The peer's FIN, at the end of what it sent; again and again if the input says so. */
static void
op_fin(struct model *m, struct fz *in)
{
	uint8_t x = fz_u8(in);

	if (m->fin_len < 0)
		m->fin_len = (int)m->sent_hi;
	peer_send(m, m->peer_isn + 1 + (uint32_t)m->fin_len, 0, 0x11, ack_point(m, x), wnd(m),
		  NULL, 0);
}

/* RST at the edges of tern's window: exactly RCV.NXT (accepted), around it, at the right edge. */
static void
op_rst(struct model *m, struct fz *in)
{
	struct pkt_sock *k = sock(m);
	uint8_t x = fz_u8(in);
	uint32_t nxt = m->tern_ack, right = nxt + 65535, seq;

	if (k != NULL && k->c != NULL) {
		nxt = k->c->rcv_nxt;
		right = k->c->rcv_adv;
	}
	switch (x % 6) {
	case 0: seq = nxt; break;
	case 1: seq = nxt - 1; break;
	case 2: seq = nxt + 1; break;
	case 3: seq = right - 1; break;
	case 4: seq = right; break;
	default: seq = nxt + (uint32_t)fz_u16(in); break;
	}
	peer_send(m, seq, 0, x & 0x80 ? 0x14 : 0x04, x & 0x80 ? ack_point(m, fz_u8(in)) : 0, 0,
		  NULL, 0);
}

/* An ACK of tern's data, with SACK blocks above it inside the flight, or a zero window. */
static void
op_ack(struct model *m, struct fz *in)
{
	uint8_t x = fz_u8(in), nblk = fz_u8(in) % 4, o[TCP_OPTS_MAX];
	uint32_t ack = ack_point(m, x), span = m->tern_max - ack;
	unsigned n = 0;
	uint16_t win = wnd(m);

	if ((m->opts_on & 2) && nblk > 0 && (int32_t)span > 1) {
		o[n++] = 1, o[n++] = 1, o[n++] = 5, o[n++] = (uint8_t)(2 + 8 * nblk);
		for (unsigned b = 0; b < nblk; b++) {
			uint32_t l = ack + 1 + (uint32_t)((uint64_t)(span - 1) * fz_u8(in) / 256);
			uint32_t r = l + 1 + (uint32_t)((uint64_t)(m->tern_max - l - 1) * fz_u8(in) / 255);

			for (int i = 3; i >= 0; i--)
				o[n++] = (uint8_t)(l >> (8 * i));
			for (int i = 3; i >= 0; i--)
				o[n++] = (uint8_t)(r >> (8 * i));
		}
	}
	if (x & 1)
		win = 0;
	peer_send(m, m->peer_isn + 1 + contiguous(m), 0, 0x10, ack, win, o, n);
}

/* A segment sent before, sent again (after a loss, duplication, or reordering). */
static void
op_replay(struct model *m, struct fz *in)
{
	const struct sent *s;
	uint8_t x = fz_u8(in);

	if (m->nhist == 0)
		return;
	s = &m->hist[(m->nhist - 1 - x % RTE_MIN(m->nhist, (unsigned)HISTORY)) % HISTORY];
	peer_send(m, s->seq, s->len, s->flags, m->peer_acked, wnd(m), NULL, 0);
}

static void
op_read(struct model *m, struct fz *in)
{
	static uint8_t buf[STREAM_MAX];
	uint32_t want = 1 + (uint32_t)fz_u16(in) % 8192;
	int64_t n;

	if (m->fd < 0)
		return;
	n = shim_read(&m->sh, m->fd, buf, want, 0);
	if (n <= 0)
		return;
	for (int64_t i = 0; i < n; i++)
		FUZZ_CHECK(buf[i] == stream_in_byte(m->read_off + (uint64_t)i),
			   "read() gave a wrong byte at stream offset %llu",
			   (unsigned long long)(m->read_off + (uint64_t)i));
	m->read_off += (uint64_t)n;
	FUZZ_CHECK(m->read_off <= contiguous(m), "read %llu bytes, the peer sent %u in order",
		   (unsigned long long)m->read_off, contiguous(m));
}

static void
op_write(struct model *m, struct fz *in)
{
	uint64_t done = 0;
	uint32_t want = 1 + (uint32_t)fz_u16(in) % 20000;
	struct pkt_sock *k = sock(m);
	int64_t n;

	if (k == NULL || k->shut_wr)
		return;
	k->nonblock = 1;
	n = shim_write(&m->sh, m->fd, want, &done);
	if (n > 0)
		m->written += (uint64_t)n;
}

static void
op_app_close(struct model *m, struct fz *in)
{
	if (m->fd < 0)
		return;
	if (fz_u8(in) & 1)
		shim_shutdown(&m->sh, m->fd, 1);
}

/* Time: from 100 us to minutes (delayed ACKs, RTOs, probes, TIME-WAIT). */
static void
op_time(struct model *m, struct fz *in)
{
	static const int64_t unit[4] = { 100, 5000, 100000, 10000000 };
	uint8_t t = fz_u8(in);

	harness_goto(&m->h, m->h.now_us + (int64_t)(t & 0x3f) * unit[t >> 6]);
}

static void
op_burst(struct model *m, struct fz *in)
{
	(void)in;
	if (m->burst)
		harness_poll(&m->h);
	m->burst = !m->burst;
}

/* The peer's clock jumps forward (under 2^31: still newer by RFC 7323's rule). */
static void
op_ts_jump(struct model *m, struct fz *in)
{
	m->ts_base += fz_u32(in) & 0x3fffffffu;
}

/* ---- set-up and the run ---------------------------------------------------------------- */

static int
handshake(struct model *m, uint8_t conf)
{
	static const uint32_t ts_start[4] = { 1, 0x7fffff00u, 0xfffffc00u, 0xffffffffu };
	struct frame_in syn = { .sport = PEER_PORT, .dport = PORT, .flags = 0x02, .win = 65535 };
	unsigned n = 0;
	int lfd;

	m->opts_on = conf & 7;
	m->ts_base = ts_start[conf >> 3 & 3];
	m->peer_isn = conf & 0x80 ? 0xffffff00u : 0x1000;
	syn.seq = m->peer_isn;
	syn.opts[n++] = 2, syn.opts[n++] = 4, syn.opts[n++] = PEER_MSS >> 8, syn.opts[n++] = PEER_MSS & 0xff;
	if (m->opts_on & 2)
		syn.opts[n++] = 1, syn.opts[n++] = 1, syn.opts[n++] = 4, syn.opts[n++] = 2;
	if (m->opts_on & 4)
		syn.opts[n++] = 1, syn.opts[n++] = 3, syn.opts[n++] = 3, syn.opts[n++] = 7;
	if (m->opts_on & 1)
		n = put_ts(m, syn.opts, n);
	syn.optlen = n;
	lfd = shim_socket(&m->sh);
	FUZZ_CHECK(lfd >= 0 && shim_bind(&m->sh, lfd, PORT) == 0 &&
		   shim_listen(&m->sh, lfd, PORT) == 0, "listen");
	send_frame(m, &syn);
	drain_output(m);
	FUZZ_CHECK(m->tern_max == m->tern_isn + 1, "no SYN,ACK");
	m->peer_acked = m->tern_isn + 1;
	peer_send(m, m->peer_isn + 1, 0, 0x10, m->tern_isn + 1, wnd(m), NULL, 0);
	m->fd = shim_accept(&m->sh, lfd);
	FUZZ_CHECK(m->fd >= 0, "accept: %d", m->fd);
	shim_close(&m->sh, lfd);
	check(m);
	return 0;
}

static void
run_op(struct model *m, struct fz *in)
{
	switch (fz_u8(in) % 12) {
	case 0: case 1: case 2: op_data(m, in); break;
	case 3: op_ack(m, in); break;
	case 4: op_replay(m, in); break;
	case 5: op_fin(m, in); break;
	case 6: op_rst(m, in); break;
	case 7: op_read(m, in); break;
	case 8: op_write(m, in); break;
	case 9: op_time(m, in); break;
	case 10: op_burst(m, in); break;
	default:
		if (fz_u8(in) & 1)
			op_ts_jump(m, in);
		else
			op_app_close(m, in);
		break;
	}
	if (!m->burst)
		check(m);
}

/* Reads what is left: everything delivered must still be the stream's prefix. */
static void
finish(struct model *m)
{
	struct fz none = { 0 };

	if (m->burst)
		harness_poll(&m->h);
	m->burst = 0;
	check(m);
	for (int i = 0; i < 16 && sock(m) != NULL && sock(m)->rx_bytes > 0; i++)
		op_read(m, &none);
	check(m);
}

/* FUZZ_TCP_VERBOSE=1: what an input did (for writing seeds). */
static void
summary(struct model *m)
{
	struct pkt_sock *k = sock(m);

	fprintf(stderr, "tcp_stream: peer sent %u (%u in order)%s, app read %llu, wrote %llu, "
		"tern sent up to %u, acked %u; %s\n", m->sent_hi, contiguous(m),
		m->fin_len >= 0 ? " and FIN" : "", (unsigned long long)m->read_off,
		(unsigned long long)m->written, m->tern_max - m->tern_isn, m->tern_ack - m->peer_isn,
		k == NULL ? "no socket" : k->c == NULL ? "closed" : tcp_state_name(k->c->state));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct harness_profile prof[4] = {
		{ .mtu = 1500, .rcvbuf = 65536, .sndbuf = 65536 },
		{ .mtu = 1500, .rcvbuf = 4096, .sndbuf = 16384 },
		{ .mtu = 1500, .rcvbuf = 65536, .sndbuf = 65536, .cc = "newreno" },
		{ .mtu = 576, .rcvbuf = 16384, .sndbuf = 65536 },
	};
	struct fz in = { .p = data, .n = size };
	struct model *m = &M;
	uint8_t conf;
	int left;

	if (size < 1)
		return 0;
	conf = fz_u8(&in);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->fin_len = -1;
	FUZZ_CHECK(harness_open(&m->h, &prof[conf >> 5 & 3]) == 0, "harness_open");
	/* tern's ISN: the same for the same input, anywhere in the sequence space. */
	m->h.sw->tcp.isn_key[0] = 0x0123456789abcdefull;
	m->h.sw->tcp.isn_key[1] = conf;
	shim_init(&m->sh, &m->h);
	handshake(m, conf);
	for (unsigned steps = 0; fz_left(&in) && steps < 400; steps++)
		run_op(m, &in);
	finish(m);
	if (getenv("FUZZ_TCP_VERBOSE") != NULL)
		summary(m);
	harness_stop(&m->h);
	shim_fini(&m->sh);
	left = harness_close(&m->h);
	FUZZ_CHECK(left == 0, "%d mbufs not returned", left);
	return 0;
}
