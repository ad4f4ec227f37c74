/*
 * The event loop. Time follows packetdrill's run.c: an absolute time is
 * from the script's start; a relative one is from the previous event's
 * scheduled time when both are inbound packets, and from "now" (when the
 * previous event finished) otherwise; "*" matches any time. A blocking call
 * ("+0...0.2 call()") runs beside the following events and must return at
 * its end time; the next system call waits for it. Virtual time only moves
 * when the script needs it to, one 1 ms timer tick at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "runner_internal.h"

int64_t
tolerance(const struct runner *u, int64_t t)
{
	int64_t gap = t - u->last_sched_us;
	int64_t pct = (int64_t)(u->o.tolerance_percent / 100.0 * (double)(gap > 0 ? gap : 0));

	return pct > u->o.tolerance_usecs ? pct : u->o.tolerance_usecs;
}

/*
 * The next instant tern polls after now, when it is before limit; -1 when
 * it is not (a worker on a poll grid does not poll between its instants).
 */
int64_t
next_poll(const struct runner *u, int64_t limit)
{
	int64_t grid = u->o.poll_interval_us, now = u->h->now_us;
	int64_t next = grid ? (now / grid + 1) * grid : (now / 1000 + 1) * 1000;

	if (grid == 0 && harness_timers(u->h) == 0)
		next = limit; /* no timer armed: nothing can happen before limit */
	if (next < limit)
		return next;
	return grid ? -1 : limit;
}

void
advance_to(struct runner *u, int64_t t)
{
	while (u->h->now_us < t && u->r->kind == F_NONE) {
		int64_t next = next_poll(u, t);

		if (next < 0) {
			u->h->now_us = t; /* time passes, the worker does not look */
			break;
		}
		harness_goto(u->h, next);
		pending_poll(u);
	}
}

static struct sys_ctx
sys_ctx_of(struct runner *u)
{
	return (struct sys_ctx){ .sh = &u->sh, .fds = &u->fds, .o = &u->o, .r = u->r };
}

/* A blocking call returned: at its end time, within the tolerance? */
static void
check_return_time(struct runner *u, const struct event *e, int64_t end, int64_t tol)
{
	int64_t now = u->h->now_us;

	if (now < end - tol || now > end + tol)
		result_fail(u->r, F_BLOCKING, e->line,
			    "%s() returned at %.6f, expected at %.6f (tolerance %.6f)", e->sys.name,
			    now / 1e6, end / 1e6, tol / 1e6);
}

void
pending_poll(struct runner *u)
{
	struct pending *p = &u->pend;
	struct sys_ctx x = sys_ctx_of(u);
	enum sys_status st;

	if (!p->active || u->r->kind != F_NONE)
		return;
	st = sys_run(&x, &p->call);
	if (st == SYS_BLOCK) {
		if (u->h->now_us > p->end_us + p->tol_us)
			result_fail(u->r, F_BLOCKING, p->call.e->line,
				    "%s() did not return by %.6f (still blocked at %.6f)",
				    p->call.e->sys.name, (p->end_us + p->tol_us) / 1e6,
				    u->h->now_us / 1e6);
		return;
	}
	p->active = 0;
	if (st == SYS_DONE)
		check_return_time(u, p->call.e, p->end_us, p->tol_us);
}

/* The next system call waits for the blocked one (packetdrill's one syscall thread). */
static void
wait_pending(struct runner *u)
{
	while (u->pend.active && u->r->kind == F_NONE)
		advance_to(u, u->h->now_us + 1000);
}

/* listen() and connect() decide the ports of the connection under test. */
static void
follow_opens(struct runner *u)
{
	if (u->sh.opens == u->opens_seen)
		return;
	u->opens_seen = u->sh.opens;
	flow_forget_local_isn(&u->flow);
	if (u->sh.listen_port != 0) {
		u->flow.lport = u->sh.listen_port;
		u->flow.rport = REMOTE_PORT;
	} else {
		u->flow.lport = 0;  /* learned from tern's SYN */
		u->flow.rport = u->sh.connect_port;
	}
}

static void
syscall_event(struct runner *u, const struct event *e, int64_t base, int64_t start)
{
	struct sys_ctx x = sys_ctx_of(u);
	struct pending *p = &u->pend;
	int64_t end = start;

	wait_pending(u);
	advance_to(u, start);
	if (u->r->kind != F_NONE)
		return;
	if (e->sys.blocking)
		end = e->sys.end_relative ? base + e->sys.end_us : e->sys.end_us;
	memset(&p->call, 0, sizeof(p->call));
	p->call.e = e;
	switch (sys_run(&x, &p->call)) {
	case SYS_BLOCK:
		p->active = 1;
		p->end_us = end;
		p->tol_us = tolerance(u, end);
		break;
	case SYS_DONE:
		if (e->sys.blocking)
			check_return_time(u, e, end, tolerance(u, end));
		break;
	case SYS_FAIL:
		break;
	}
	follow_opens(u);
}

static int
is_inbound(const struct event *e)
{
	return e->kind == EV_PACKET && e->pkt.dir == '<';
}

/* Start and end of e in script time; base is what relative times count from. */
static void
schedule(const struct runner *u, const struct event *e, int64_t *base, int64_t *start, int64_t *end)
{
	*base = 0;
	if (e->t.kind == T_REL || e->t.kind == T_REL_RANGE || e->t.kind == T_ANY)
		*base = u->last_inbound && is_inbound(e) ? u->last_sched_us : u->h->now_us;
	switch (e->t.kind) {
	case T_ABS:
		*start = *end = e->t.us;
		break;
	case T_REL:
		*start = *end = *base + e->t.us;
		break;
	case T_ANY:
		*start = *end = *base;
		break;
	case T_ABS_RANGE:
		*start = e->t.us;
		*end = e->t.end_us;
		break;
	case T_REL_RANGE:
		*start = *base + e->t.us;
		*end = *base + e->t.end_us;
		break;
	}
}

static void
skipped(struct runner *u, const struct event *e)
{
	const char *t = e->text ? e->text : "";
	char text[60];

	while (*t == ' ' || *t == '\t' || *t == '\n')
		t++;
	snprintf(text, sizeof(text), "%s", t);
	text[strcspn(text, "\n")] = '\0';
	result_note(u->r, "line %d: skipped %s %s%s", e->line,
		    e->kind == EV_CODE ? "code block" : "command", text,
		    strlen(t) > strlen(text) ? "..." : "");
}

/* next is an inbound packet scheduled at the same instant as e (start): one burst. */
static int
same_burst(const struct event *next, int64_t start)
{
	if (next == NULL || !next->has_time || !is_inbound(next))
		return 0;
	return (next->t.kind == T_REL && next->t.us == 0) ||
	       (next->t.kind == T_ABS && next->t.us == start);
}

static void
dispatch(struct runner *u, const struct event *e, const struct event *next, int64_t base,
	 int64_t start, int64_t end)
{
	switch (e->kind) {
	case EV_COMMAND:
	case EV_CODE:
		advance_to(u, start);
		skipped(u, e);
		break;
	case EV_OTHER_PACKET:
		result_fail(u->r, F_UNSUPPORTED, e->line, "not supported yet: %.200s", e->text);
		break;
	case EV_PACKET:
		if (is_inbound(e)) {
			advance_to(u, start);
			inbound_packet(u, e, same_burst(next, start));
		} else {
			outbound_packet(u, e, start, end);
		}
		break;
	case EV_SYSCALL:
		syscall_event(u, e, base, start);
		break;
	}
}

static void
run_event(struct runner *u, const struct event *e, const struct event *next, int first)
{
	int64_t base = 0, start = 0, end = 0;

	if (!e->has_time) {
		skipped(u, e);
		return;
	}
	schedule(u, e, &base, &start, &end);
	if (!first && e->t.kind == T_ABS && start < u->last_sched_us) {
		result_fail(u->r, F_SCRIPT, e->line, "time goes backward in the script");
		return;
	}
	dispatch(u, e, next, base, start, end);
	if (u->h->bad_frames > 0 && u->r->kind == F_NONE)
		result_fail(u->r, F_NIC, e->line, "tern sent %u frame(s) the port refuses: %s",
			    u->h->bad_frames, u->h->bad_why);
	u->last_sched_us = start;
	u->last_inbound = is_inbound(e);
	u->last_line = e->line;
	pending_poll(u);
}

/* The script's header options on top of the command line's. */
static int
header_options(struct runner *u)
{
	char err[200];

	for (int i = 0; i < u->s->noptions; i++) {
		const struct option_kv *kv = &u->s->options[i];
		int rc = pkt_opts_set(&u->o, kv->name, kv->value[0] ? kv->value : NULL, err,
				      sizeof(err));

		if (rc < 0)
			return result_fail(u->r, F_PARSE, kv->line, "%s", err);
		if (rc > 0)
			result_note(u->r, "line %d: option --%s has no effect here", kv->line, kv->name);
	}
	return 0;
}

static void
run_events(struct runner *u)
{
	int first = 1;

	for (int i = 0; i < u->s->nevents && u->r->kind == F_NONE; i++) {
		run_event(u, &u->s->events[i], i + 1 < u->s->nevents ? &u->s->events[i + 1] : NULL,
			  first);
		first &= !u->s->events[i].has_time;
	}
	wait_pending(u);
	if (u->r->kind == F_NONE)
		check_leftovers(u);
}

static struct harness *
the_harness(void)
{
	static struct harness *h;

	if (h == NULL && (h = aligned_alloc(64, (sizeof(*h) + 63) / 64 * 64)) == NULL) {
		fprintf(stderr, "tern-pkt: out of memory\n");
		exit(2);
	}
	return h;
}

int
run_script(const struct script *s, const struct pkt_opts *global, struct pkt_result *r)
{
	struct runner *u = calloc(1, sizeof(*u));
	struct harness_profile prof;
	int leaked;

	memset(r, 0, sizeof(*r));
	u->s = s;
	u->r = r;
	u->o = *global;
	u->h = the_harness();
	if (header_options(u) != 0) {
		free(u);
		return 0;
	}
	prof = (struct harness_profile){ u->o.mtu, u->o.rcvbuf, u->o.sndbuf, u->o.cc,
					 u->o.syncookies, u->o.backlog, u->o.source_max, u->o.ecn,
					 u->o.no_tso, u->o.lro };
	if (harness_open(u->h, &prof) != 0) {
		free(u);
		return -1;
	}
	shim_init(&u->sh, u->h);
	flow_init(&u->flow, u->o.bind_port);
	run_events(u);
	harness_stop(u->h);
	shim_fini(&u->sh);
	leaked = harness_close(u->h);
	if (leaked != 0)
		result_fail(r, F_LEAK, u->last_line, "%d mbufs were not returned to the pool", leaked);
	free(u);
	return 0;
}
