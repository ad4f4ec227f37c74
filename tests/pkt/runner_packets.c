/*
 * Segments in and out. Inbound lines become frames with live numbers
 * (flow.h); outbound lines are matched against what tern sent, in order,
 * within the time the line allows (packetdrill run_packet.c semantics).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"
#include "runner_internal.h"
#include "stream.h"

#define F_SYN 0x02
#define F_ACK 0x10
#define IP_TCP 6
#define ANY_HORIZON_US (120 * 1000000LL)  /* "*": how long to wait at most */
#define LATE_HORIZON_US (10 * 1000000LL)  /* past the deadline: late, or missing */

static uint8_t
ecn_code(enum ecn_check e)
{
	return e == ECN_ECT0 ? 2 : e == ECN_ECT1 ? 1 : e == ECN_CE ? 3 : 0;
}

/* SACK blocks and the ack are local sequence numbers; TS ecr may echo a TS val. */
static void
map_inbound_options(const struct flow *f, const struct pkt_spec *p, struct opt_spec *o)
{
	memcpy(o, p->opts, sizeof(p->opts[0]) * (size_t)p->nopts);
	for (int i = 0; i < p->nopts; i++) {
		for (int b = 0; o[i].kind == 5 && b < o[i].nsack; b++) {
			o[i].sack[b][0] = flow_local_to_live(f, o[i].sack[b][0]);
			o[i].sack[b][1] = flow_local_to_live(f, o[i].sack[b][1]);
		}
		if (o[i].kind == 8 && (p->flags & F_ACK))
			o[i].ts_ecr = flow_ecr_to_live(f, o[i].ts_ecr);
	}
}

/*
 * The flow a line belongs to: the connection under test, or, when the line
 * names other ports ("48880>8080" inbound, "8080>48880" outbound), a side
 * flow of its own with its own number mappings. NULL when too many.
 */
static struct flow *
line_flow(struct runner *u, uint16_t rport, uint16_t lport)
{
	struct flow *f;

	if (rport == 0 || rport == u->flow.rport)
		return &u->flow;
	for (int i = 0; i < u->nside; i++)
		if (u->side[i].rport == rport)
			return &u->side[i];
	if (u->nside == PKT_SIDE_FLOWS)
		return NULL;
	f = &u->side[u->nside++];
	flow_init(f, lport ? lport : u->flow.lport);
	f->rport = rport;
	return f;
}

static void
verbose_line(const struct runner *u, const char *what, const char *text)
{
	if (u->o.verbose)
		printf("    %9.6f %s %s\n", u->h->now_us / 1e6, what, text);
}

void
inject_frame(struct runner *u, const struct event *e, const uint8_t *frame, size_t len, int burst)
{
	if (u->o.verbose) {
		char text[600];

		pkt_spec_format(&e->pkt, text, sizeof(text));
		verbose_line(u, burst ? "inject+" : "inject ", text);
	}
	if (harness_queue(u->h, frame, len) != 0) { /* a full burst goes first */
		harness_poll(u->h);
		harness_queue(u->h, frame, len);
	}
	/* On a poll grid, the frame waits in the RX queue for the worker's next poll. */
	if (!burst && (u->o.poll_interval_us == 0 || u->h->now_us % u->o.poll_interval_us == 0))
		harness_poll(u->h);
}

void
inbound_packet(struct runner *u, const struct event *e, int burst)
{
	const struct pkt_spec *p = &e->pkt;
	struct flow *f = line_flow(u, p->sport, p->dport);
	struct opt_spec opts[SPEC_MAX_OPTS];
	struct frame_in in = { 0 };
	uint8_t frame[FRAME_MAX], *payload;
	uint64_t off;
	size_t len;

	if (p->icmp) {
		inbound_icmp(u, e, burst);
		return;
	}
	if (f == NULL) {
		result_fail(u->r, F_SCRIPT, e->line, "more than %d other connections", PKT_SIDE_FLOWS);
		return;
	}
	if (p->flags & F_SYN)
		flow_learn_remote_isn(f, p->seq, !(p->flags & F_ACK));
	in.sport = p->sport ? p->sport : f->rport;
	in.dport = p->dport ? p->dport : f->lport ? f->lport : u->o.bind_port;
	in.seq = p->seq;
	in.ack = (p->flags & F_ACK) ? flow_local_to_live(f, p->ack) : p->ack;
	in.flags = p->flags;
	in.win = p->win;
	in.urg = p->urg;
	in.ecn = ecn_code(p->ecn);
	map_inbound_options(f, p, opts);
	in.optlen = opts_encode(opts, p->nopts, in.opts);
	payload = malloc(p->len ? p->len : 1);
	off = flow_in_offset(f, p->seq, !!(p->flags & F_SYN));
	for (uint32_t i = 0; i < p->len; i++)
		payload[i] = stream_in_byte(off + i);
	in.payload = payload;
	in.len = p->len;
	len = frame_build(&in, frame);
	free(payload);
	if (len == 0) {
		result_fail(u->r, F_SCRIPT, e->line, "segment too large to build");
		return;
	}
	inject_frame(u, e, frame, len, burst);
}

/* Advances time until tern has sent something or deadline passes. */
static struct wire_seg *
wait_segment(struct runner *u, int64_t deadline)
{
	while (harness_front(u->h) == NULL && u->h->now_us < deadline && u->r->kind == F_NONE) {
		int64_t next = next_poll(u, deadline);

		if (next < 0) {
			u->h->now_us = deadline;
			break;
		}
		harness_goto(u->h, next);
		pending_poll(u);
	}
	return u->r->kind == F_NONE ? harness_front(u->h) : NULL;
}

static enum fail_kind
why_fail_script(char *why, size_t len)
{
	snprintf(why, len, "more than %d other connections", PKT_SIDE_FLOWS);
	return F_SCRIPT;
}

/* The mappings this segment would fix (an ISN, a TS val), then the comparison. */
static enum fail_kind
try_match(struct runner *u, const struct pkt_spec *exp, const struct wire_seg *seg,
	  struct flow *tmp, char *why, size_t len)
{
	struct opt_spec a[TCP_OPTS_MAX];
	int n = opts_decode(seg->opts, seg->optlen, a, TCP_OPTS_MAX);
	struct flow *f = line_flow(u, exp->dport, exp->sport);

	if (f == NULL)
		return why_fail_script(why, len);
	*tmp = *f;
	if ((seg->flags & F_SYN) && (exp->flags & F_SYN)) {
		if (!tmp->have_local_isn || tmp->isn_may_change)
			flow_learn_local_isn(tmp, exp->seq, seg->seq);
		if (!(seg->flags & F_ACK) && tmp->lport == 0)
			tmp->lport = seg->sport;
	}
	tmp->isn_may_change = 0;
	for (int i = 0; i < exp->nopts && !exp->opts_any; i++)
		for (int j = 0; exp->opts[i].kind == 8 && j < n; j++)
			if (a[j].kind == 8)
				flow_learn_ts(tmp, exp->opts[i].ts_val, a[j].ts_val);
	return seg_compare(tmp, &u->o, exp, seg, why, len);
}

static void
describe(struct runner *u, const struct event *e, const struct wire_seg *seg, int64_t start,
	 const struct flow *f)
{
	char exp[600], act[600];

	pkt_spec_format(&e->pkt, exp, sizeof(exp));
	snprintf(u->r->expected, sizeof(u->r->expected), "%9.6f %.480s", start / 1e6, exp);
	if (seg == NULL)
		return;
	seg_format(f, seg, act, sizeof(act));
	snprintf(u->r->actual, sizeof(u->r->actual), "%9.6f %.480s", seg->time_us / 1e6, act);
}

/* A mismatch: an extra segment ahead of the expected one, or simply the wrong one. */
static void
mismatch(struct runner *u, const struct event *e, const struct wire_seg *seg, int64_t start,
	 int64_t deadline, const struct flow *shown, enum fail_kind k, const char *why)
{
	struct flow tmp;
	char dummy[200];

	describe(u, e, seg, start, shown);
	if (seg->time_us > deadline) {
		result_fail(u->r, F_MISSING, e->line,
			    "expected segment not sent by %.6f; the next one differs (%s)",
			    deadline / 1e6, why);
		return;
	}
	for (int i = 1; i < u->h->out.n; i++) {
		const struct wire_seg *later = &u->h->out.v[u->h->out.head + i];

		if (later->time_us <= deadline &&
		    try_match(u, &e->pkt, later, &tmp, dummy, sizeof(dummy)) == F_NONE) {
			result_fail(u->r, F_UNEXPECTED, e->line,
				    "a segment the script does not list came before this one");
			return;
		}
	}
	result_fail(u->r, k, e->line, "%s", why);
}

static void
window_text(int64_t start, int64_t end, char *buf, size_t len)
{
	if (end > start)
		snprintf(buf, len, "%.6f~%.6f", start / 1e6, end / 1e6);
	else
		snprintf(buf, len, "%.6f", start / 1e6);
}

static int
check_time(struct runner *u, const struct event *e, const struct wire_seg *seg, int64_t start,
	   int64_t end, int64_t tol)
{
	char when[64];

	if (e->t.kind == T_ANY)
		return 0;
	window_text(start, end, when, sizeof(when));
	if (seg->time_us < start - tol)
		return result_fail(u->r, F_TOO_EARLY, e->line,
				   "sent at %.6f, expected at %s (tolerance %.6f)",
				   seg->time_us / 1e6, when, tol / 1e6);
	if (seg->time_us > end + tol)
		return result_fail(u->r, F_TOO_LATE, e->line,
				   "sent at %.6f, expected at %s (tolerance %.6f)",
				   seg->time_us / 1e6, when, tol / 1e6);
	return 0;
}

/* A matched segment: its mappings become its flow's (f), and it leaves the queue. */
static void
consume(struct runner *u, struct flow *f, const struct flow *tmp)
{
	*f = *tmp;
	if (harness_front(u->h)->proto == IP_TCP)
		flow_sent(f, harness_front(u->h)->seq, harness_front(u->h)->len);
	if (u->o.verbose) {
		char text[600];

		seg_format(f, harness_front(u->h), text, sizeof(text));
		verbose_line(u, "matched", text);
	}
	harness_pop(u->h);
}

/*
 * The line describes one TSO-sized send and tern sent its first MSS-sized
 * piece: the pieces that follow must cover exactly the line's range, each
 * within the line's time (tso_piece() says what each must look like).
 */
static void
outbound_tso(struct runner *u, const struct event *e, int64_t start, int64_t end, int64_t deadline)
{
	const struct pkt_spec *exp = &e->pkt;
	int64_t tol = tolerance(u, start);
	struct pkt_spec piece;
	struct wire_seg *seg;
	uint32_t done = 0;
	struct flow *f = line_flow(u, exp->dport, exp->sport), tmp;
	enum fail_kind k;
	char why[300];

	while (f != NULL && done < exp->len && u->r->kind == F_NONE) {
		if ((seg = wait_segment(u, deadline)) == NULL) {
			if (u->r->kind == F_NONE)
				result_fail(u->r, F_MISSING, e->line,
					    "segments sent by %.6f cover %u of the line's %u bytes",
					    deadline / 1e6, done, exp->len);
			describe(u, e, NULL, start, f);
			return;
		}
		tso_piece(exp, done, seg->len, &piece);
		if ((k = try_match(u, &piece, seg, &tmp, why, sizeof(why))) != F_NONE) {
			describe(u, e, seg, start, &tmp);
			result_fail(u->r, k, e->line, "piece at %u of a TSO-sized line: %s",
				    piece.seq, why);
			return;
		}
		if (check_time(u, e, seg, start, end, tol) != 0) {
			describe(u, e, seg, start, &tmp);
			return;
		}
		done += seg->len;
		consume(u, f, &tmp);
	}
}

void
outbound_packet(struct runner *u, const struct event *e, int64_t start, int64_t end)
{
	int64_t tol = tolerance(u, start);
	int64_t deadline = e->t.kind == T_ANY ? u->h->now_us + ANY_HORIZON_US : end + tol;
	struct wire_seg *seg = wait_segment(u, deadline);
	struct flow *f = line_flow(u, e->pkt.dport, e->pkt.sport), tmp;
	enum fail_kind k;
	char why[300];

	if (seg == NULL && u->r->kind == F_NONE)
		seg = wait_segment(u, deadline + LATE_HORIZON_US);
	if (u->r->kind != F_NONE)
		return;
	if (seg == NULL) {
		describe(u, e, NULL, start, f != NULL ? f : &u->flow);
		result_fail(u->r, F_MISSING, e->line, "nothing was sent by %.6f (waited until %.6f)",
			    deadline / 1e6, u->h->now_us / 1e6);
		return;
	}
	if ((k = try_match(u, &e->pkt, seg, &tmp, why, sizeof(why))) != F_NONE) {
		if (f != NULL && tso_first_piece(f, &e->pkt, seg))
			outbound_tso(u, e, start, end, deadline);
		else
			mismatch(u, e, seg, start, deadline, &tmp, k, why);
		return;
	}
	if (check_time(u, e, seg, start, end, tol) != 0) {
		describe(u, e, seg, start, &tmp);
		return;
	}
	consume(u, f, &tmp);
}

void
check_leftovers(struct runner *u)
{
	struct wire_seg *seg = harness_front(u->h);
	char act[600];

	for (int i = 0; u->o.verbose && i < u->h->out.n; i++) {
		seg_format(&u->flow, &u->h->out.v[u->h->out.head + i], act, sizeof(act));
		printf("    %9.6f not matched %s\n", u->h->out.v[u->h->out.head + i].time_us / 1e6, act);
	}
	if (!u->o.strict_end || seg == NULL)
		return;
	seg_format(&u->flow, seg, act, sizeof(act));
	snprintf(u->r->actual, sizeof(u->r->actual), "%9.6f %.480s", seg->time_us / 1e6, act);
	result_fail(u->r, F_UNEXPECTED, u->last_line,
		    "tern sent a segment the script does not list (by the last line's time)");
}
