/*
 * fuzz-seeds OUTDIR SCRIPT...: seeds for the frame harness (fuzz_frames.c)
 * from tern-pkt's scenario scripts. Each script becomes an input of ops:
 * its inbound segments (op 16: flags, sequence numbers relative to the
 * ISNs, window, payload length, options with SACK blocks and timestamps),
 * a poll where it expects tern to send, the time between its lines, and
 * what its app writes as a request to the http service (op 17). Scripts
 * talk to a listener: http (port 80) when the app writes, discard (9) when
 * it only reads; an active open becomes a passive one (tern's clients only
 * send requests), the peer's SYN,ACK turned into its SYN. Each is written
 * three times: one worker (name.1w), two workers with software steering
 * (name.2w), and the proxy's frontend on its virtual IP (name.px).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pkt/parser.h"
#include "../pkt/script.h"

#define OP_POLL 7
#define OP_TIME 6
#define OP_SCRIPT 16
#define OP_REQUEST 17
#define SEL_CREATE 2      /* op 16: a new flow from the peer (port in bits 2-3) */
#define SEL_LAST 0

struct out {
	uint8_t b[65536];
	size_t n;
};

static void
u8(struct out *o, unsigned v)
{
	if (o->n < sizeof(o->b))
		o->b[o->n++] = (uint8_t)v;
}

static void
u16(struct out *o, unsigned v)
{
	u8(o, v & 0xff);
	u8(o, v >> 8 & 0xff);
}

static void
u32(struct out *o, uint32_t v)
{
	u16(o, v & 0xffff);
	u16(o, v >> 16);
}

/* The harness's time op: 14 bits in one of four units (1 us, 32 us, 1 ms, 32 ms). */
static void
advance(struct out *o, int64_t us)
{
	static const int64_t unit[4] = { 1, 32, 1000, 32000 };

	while (us > 0) {
		int s = 0;
		int64_t k;

		while (s < 3 && us / unit[s] > 0x3fff)
			s++;
		k = us / unit[s] > 0x3fff ? 0x3fff : us / unit[s];
		if (k == 0)
			k = 1;
		u8(o, OP_TIME);
		u16(o, (unsigned)(s << 14 | k));
		us -= k * unit[s];
	}
}

static void
options(struct out *o, const struct pkt_spec *p)
{
	u8(o, (unsigned)(p->nopts < 7 ? p->nopts : 7));
	for (int i = 0; i < p->nopts && i < 7; i++) {
		const struct opt_spec *x = &p->opts[i];

		u8(o, x->kind);
		switch (x->kind) {
		case 2: u16(o, x->mss); break;
		case 3: u8(o, x->wscale); break;
		case 8: u32(o, x->ts_val); u8(o, x->ts_ecr != 0); break;
		case 5:
			u8(o, x->nsack);
			for (int b = 0; b < x->nsack; b++) {
				u32(o, x->sack[b][0]);
				u32(o, x->sack[b][1]);
			}
			break;
		default: break;
		}
	}
}

static void segment(struct out *o, unsigned sel, uint8_t flags, uint32_t seq, uint32_t ack,
		    const struct pkt_spec *p);

static void advance(struct out *o, int64_t us);

/* The handshake takes as long as the script's did (rtt): RTO estimates start from it. */
static void
connect_as_passive(struct out *o, const struct pkt_spec *synack, unsigned sel, int64_t rtt)
{
	segment(o, sel, 0x02, synack->seq, 0, synack);
	u8(o, OP_POLL);
	advance(o, rtt);
	segment(o, SEL_LAST, 0x10, synack->seq + 1, 1, NULL);
}

static void
segment(struct out *o, unsigned sel, uint8_t flags, uint32_t seq, uint32_t ack,
	const struct pkt_spec *p)
{
	u8(o, OP_SCRIPT);
	u8(o, sel);
	u8(o, flags);
	u32(o, seq);
	u32(o, ack);
	u16(o, p != NULL && p->has_win ? p->win : 65535);
	u16(o, 0);
	if (p != NULL)
		options(o, p);
	else
		u8(o, 0);
}

static int
is_call(const struct event *e, const char *name)
{
	return e->kind == EV_SYSCALL && e->sys.name != NULL && strcmp(e->sys.name, name) == 0;
}

/* The app's write size, when written as a number. */
static int64_t
write_len(const struct event *e)
{
	if ((is_call(e, "write") || is_call(e, "send")) && e->sys.nargs >= 3 &&
	    e->sys.args[2]->kind == E_INT)
		return e->sys.args[2]->num;
	return -1;
}

static void
convert(const struct script *s, struct out *o, unsigned variant)
{
	int active = 0, writes = 0, created = 0;
	int64_t now = 0, rtt = 0;

	for (int i = 0; i < s->nevents; i++) {
		active |= is_call(&s->events[i], "connect");
		writes |= write_len(&s->events[i]) > 0;
	}
	u8(o, variant);
	u8(o, 0); /* no set-up: the script's own handshake (or tern's client's) */
	for (int i = 0; i < s->nevents; i++) {
		const struct event *e = &s->events[i];
		int64_t at = now;

		if (e->has_time && e->t.kind == T_ABS)
			at = e->t.us;
		else if (e->has_time && (e->t.kind == T_REL || e->t.kind == T_REL_RANGE))
			at = now + e->t.us;
		else if (e->has_time && e->t.kind == T_ABS_RANGE)
			at = e->t.us;
		int64_t delta = at > now ? at - now : 0;

		if (active && e->kind == EV_PACKET && e->pkt.dir == '<' && (e->pkt.flags & 0x12) == 0x12)
			delta = 0; /* the time goes into the handshake */
		advance(o, delta);
		rtt = at > now ? at - now : 0;
		now = at > now ? at : now;
		if (e->kind == EV_PACKET && e->pkt.dir == '<') {
			unsigned port = variant & 0x08 ? 3u : writes ? 0u : 2u; /* VIP:80, :80, :9 */
			unsigned sel = created ? SEL_LAST : SEL_CREATE | port << 2;
			uint8_t flags = e->pkt.flags;

			if (active && (flags & 0x12) == 0x12) {
				/*
				 * tern's clients only send requests: a script's active open
				 * becomes a passive one to http, the peer's SYN,ACK its SYN
				 * (options and all), then the ACK of tern's SYN,ACK.
				 */
				connect_as_passive(o, &e->pkt, sel, rtt);
				created = 1;
				continue;
			}
			created = 1;
			u8(o, OP_SCRIPT);
			u8(o, sel);
			u8(o, flags);
			u32(o, e->pkt.seq);
			u32(o, e->pkt.has_ack ? e->pkt.ack : 0);
			u16(o, e->pkt.has_win ? e->pkt.win : 65535);
			u16(o, e->pkt.len);
			options(o, &e->pkt);
		} else if (e->kind == EV_PACKET) {
			u8(o, OP_POLL);
		} else if (write_len(e) > 0) {
			u8(o, OP_REQUEST);
			u8(o, SEL_LAST);
			u32(o, (uint32_t)write_len(e));
		}
	}
	advance(o, 300000); /* timers: retransmissions, probes, TIME-WAIT */
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* tests/scenario/sack-receive/x.pkt -> sack-receive-x */
static void
seed_name(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/'), *dir = base;
	size_t k;

	base = base != NULL ? base + 1 : path;
	while (dir != NULL && dir > path && dir[-1] != '/')
		dir--;
	if (dir == NULL || dir == base)
		dir = base;
	snprintf(name, len, "%s", dir);
	for (char *c = name; *c != '\0'; c++)
		if (*c == '/')
			*c = '-';
	k = strlen(name);
	if (k > 4 && strcmp(name + k - 4, ".pkt") == 0)
		name[k - 4] = '\0';
}

static int
write_seed(const char *dir, const char *name, const char *suffix, const struct out *o)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, suffix);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(o->b, 1, o->n, f) != o->n) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

int
main(int argc, char **argv)
{
	static struct out o;
	int made = 0, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: fuzz-seeds OUTDIR SCRIPT.pkt...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct script s;
		char err[400], name[256];
		char *src = slurp(argv[i]);

		if (src == NULL || parse_script(argv[i], src, NULL, 0, &s, err, sizeof(err)) != 0) {
			/* runner-must-fail scripts may not parse: nothing to take from them */
			if (src != NULL)
				script_free(&s);
			free(src);
			continue;
		}
		seed_name(argv[i], name, sizeof(name));
		for (unsigned v = 0; v < 3; v++) {
			static const unsigned variant[3] = { 0x00, 0x01, 0x08 };
			static const char *const suffix[3] = { "1w", "2w", "px" };

			o.n = 0;
			convert(&s, &o, variant[v]);
			rc |= write_seed(argv[1], name, suffix[v], &o);
		}
		made++;
		script_free(&s);
		free(src);
	}
	printf("fuzz-seeds: %d scripts\n", made);
	return rc != 0;
}
