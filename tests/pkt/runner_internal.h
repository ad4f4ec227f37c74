/* Shared by runner.c (events, time) and runner_packets.c (segments in and out). */
#ifndef PKT_RUNNER_INTERNAL_H
#define PKT_RUNNER_INTERNAL_H

#include "flow.h"
#include "harness.h"
#include "pkt_opts.h"
#include "result.h"
#include "script.h"
#include "shim.h"
#include "syscalls.h"

/* The one blocking system call packetdrill lets run beside the script. */
struct pending {
	int active;
	struct sys_call call;
	int64_t end_us;      /* when it must return */
	int64_t tol_us;
};

#define PKT_SIDE_FLOWS 8

struct runner {
	struct harness *h;
	struct shim sh;
	struct fd_map fds;       /* the script's fd numbers -> the shim's */
	struct flow flow;
	/* Other connections, named by explicit "sport>dport" ports on their lines. */
	struct flow side[PKT_SIDE_FLOWS];
	int nside;
	struct pkt_opts o;
	const struct script *s;
	struct pkt_result *r;
	struct pending pend;
	int64_t last_sched_us;   /* scheduled time of the previous event */
	int last_inbound;        /* the previous event was an inbound packet */
	int last_line;
	unsigned opens_seen;     /* shim listen/connect calls already folded into the flow */
};

/* Virtual time moves to t (>= now), one timer tick at a time. */
void advance_to(struct runner *u, int64_t t);
int64_t next_poll(const struct runner *u, int64_t limit);
/* Gives a blocking call its chance to return; checks its deadline. */
void pending_poll(struct runner *u);
/* packetdrill's tolerance for an event at t: tolerance_usecs or a percentage of the gap. */
int64_t tolerance(const struct runner *u, int64_t t);

/* runner_packets.c */
/*
 * Builds e's frame and hands it to tern. With burst set another inbound
 * packet follows at the same instant: the frame waits, and they reach the
 * worker together in one receive burst, as a NIC would hand them over.
 */
void inbound_packet(struct runner *u, const struct event *e, int burst);
/* Hands a frame built for e to tern (burst: as inbound_packet). */
void inject_frame(struct runner *u, const struct event *e, const uint8_t *frame, size_t len,
		  int burst);
void outbound_packet(struct runner *u, const struct event *e, int64_t start, int64_t end);
/* runner_icmp.c: an inbound ICMP line (its quote in live numbers) to tern. */
void inbound_icmp(struct runner *u, const struct event *e, int burst);
/* At the end: segments nobody expected. */
void check_leftovers(struct runner *u);

#endif
