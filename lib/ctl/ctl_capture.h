/*
 * Packet capture, the control side, shared by its three files:
 * ctl_capture.c (the telemetry commands and the capture's life: start,
 * the writer's turn on the main lcore, stop), ctl_capture_req.c (what
 * /tern/capture/start asks for), ctl_capture_file.c (one capture: its
 * file, its pool and rings, handing them to the workers and back) and
 * ctl_capture_write.c (the writer: the rings into the file, in time order).
 */
#ifndef TERN_CTL_CAPTURE_H
#define TERN_CTL_CAPTURE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_pcapng.h>

#include "core/capture.h"
#include "ctl_internal.h"

#define CAP_SNAPLEN_MAX 262144        /* tcpdump's default and largest snapshot */

/* /tern/capture/start, validated. */
struct cap_req {
	struct tern_capture_filter filter;
	uint32_t snaplen;            /* 0: whole frames */
	uint64_t count;              /* packets to write; 0: no limit */
	uint64_t seconds;            /* how long; 0: no limit */
	char path[PATH_MAX];         /* absolute */
	char text[160];              /* the filter in tcpdump's words */
};

/* "PORT,HOST,TCPPORT,SNAPLEN,COUNT,SECONDS,FILE" (any for no filter); 0, or -1 with err. */
int cap_req_parse(const char *params, unsigned nports, struct cap_req *r, char *err,
		  size_t len);

#define CAP_DRAIN_BURST 64            /* copies the writer takes from one ring per round */

/* The writer's scratch space: a round of copies from every ring, and their merge. */
struct cap_merge {
	struct rte_mbuf *in[TERN_MAX_WORKERS][CAP_DRAIN_BURST];
	unsigned n[TERN_MAX_WORKERS], at[TERN_MAX_WORKERS];
	struct rte_mbuf *out[TERN_MAX_WORKERS * CAP_DRAIN_BURST];
};

/* One capture from its start to its end. */
struct cap_session {
	struct cap_req req;
	uint64_t id;
	const struct ctl_source *src;
	rte_pcapng_t *png;
	struct rte_mempool *pool;
	uint32_t snaplen;            /* what a copy holds at most */
	unsigned pool_size;
	unsigned ring_size;
	unsigned nworkers;
	unsigned attached;           /* workers w[0 .. attached-1] were handed their share */
	struct tern_capture *w[TERN_MAX_WORKERS];
	uint64_t written;            /* packets in the file */
	uint64_t written_port[TERN_MAX_PORTS];
	uint64_t start_tsc, start_ns, deadline_tsc;
	int error;                   /* errno of a failed write, or 0 */
	struct cap_merge *merge;     /* the writer's scratch space */
};

/* Creates the file (header and one interface per port), the pool and the rings. */
int cap_session_open(struct ctl *c, const struct cap_req *r, uint64_t id,
		     struct cap_session **out, char *err, size_t len);
/* Hands every worker its share; 0, or -1 with err (call cap_session_detach then). */
int cap_session_attach(struct cap_session *s, char *err, size_t len);
/* The writer's turn: what the rings hold into the file, in time order, up to the count. */
void cap_session_drain(struct cap_session *s);
/* Why the session should end now (count reached, time up, a write failed), or NULL. */
const char *cap_session_done(const struct cap_session *s, char *buf, size_t len);
/* Takes every share back; 1 when every worker let go (its pool and rings may then go). */
int cap_session_detach(struct cap_session *s);
/* Copies that matched and copies lost, over the workers (relaxed reads). */
void cap_session_counts(const struct cap_session *s, uint64_t *matched, uint64_t *drops);
/* Statistics blocks, then closes the file; frees the pool and rings when shared_free. */
void cap_session_close(struct cap_session *s, int shared_free);

#endif
