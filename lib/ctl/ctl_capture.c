/*
 * Packet capture to pcapng while tern runs:
 *   /tern/capture/start,PORT,HOST,TCPPORT,SNAPLEN,COUNT,SECONDS,FILE
 *   /tern/capture/stop[,ID]
 *   /tern/capture/status
 * One capture at a time. start (on the telemetry thread) creates the file,
 * the pool and the rings and hands each worker its share through the
 * control channel; the writer (ctl_capture_poll, on the main lcore, every
 * millisecond while a capture runs) moves the copies into the file and
 * ends the capture when its count or time is reached, a write fails or
 * stop asked for it: it takes the shares back (the workers' answers are
 * the barrier after which nothing of the capture is used by a worker),
 * writes what is left, closes the file and frees the pool and rings.
 * status reports the running capture, or the last one once it ended.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "core/log.h"
#include "ctl_capture.h"

#define CAP_POLL_US 1000              /* the writer's pace while a capture runs */

enum cap_state { CAP_IDLE, CAP_STARTING, CAP_RUNNING };

/* How the last capture ended, for status. */
struct cap_result {
	uint64_t id, packets, matched, drops, seconds_ms;
	char path[PATH_MAX];
	char reason[160];
};

struct ctl_capture {
	pthread_mutex_t lock;     /* the telemetry thread's commands against the writer */
	int state;                /* enum cap_state; read without the lock by ctl_poll_us */
	int stop;                 /* stop asked: the writer ends the capture on its next turn */
	uint64_t next_id;
	struct cap_session *s;    /* while running */
	struct cap_result last;
};

/* Main lcore (or the start that failed), under the lock: the end of the running capture. */
static void
end_capture(struct ctl_capture *cap, struct cap_session *s, const char *reason)
{
	struct cap_result *r = &cap->last;
	int let_go = cap_session_detach(s);

	cap_session_drain(s); /* what the workers put on the rings before they let go */
	*r = (struct cap_result){ .id = s->id, .packets = s->written };
	cap_session_counts(s, &r->matched, &r->drops);
	r->seconds_ms = (rte_rdtsc() - s->start_tsc) * 1000 / rte_get_tsc_hz();
	snprintf(r->path, sizeof(r->path), "%s", s->req.path);
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	TLOG(NOTICE, "capture %llu to %s ended (%s): %llu packets written, %llu copies lost",
	     (unsigned long long)r->id, r->path, reason, (unsigned long long)r->packets,
	     (unsigned long long)r->drops);
	cap_session_close(s, let_go);
	cap->s = NULL;
	__atomic_store_n(&cap->state, CAP_IDLE, __ATOMIC_RELEASE);
}

int
ctl_capture_open(struct ctl *c)
{
	c->capture = calloc(1, sizeof(*c->capture));
	if (c->capture == NULL) {
		TLOG(ERR, "ctl: out of memory: no packet capture");
		return -1;
	}
	pthread_mutex_init(&c->capture->lock, NULL);
	return 0;
}

void
ctl_capture_poll(struct ctl *c)
{
	struct ctl_capture *cap = c->capture;
	const char *reason;
	char why[PATH_MAX + 64];

	if (cap == NULL || __atomic_load_n(&cap->state, __ATOMIC_ACQUIRE) != CAP_RUNNING)
		return;
	pthread_mutex_lock(&cap->lock);
	if (cap->state == CAP_RUNNING) {
		cap_session_drain(cap->s);
		reason = cap_session_done(cap->s, why, sizeof(why));
		if (reason == NULL && cap->stop)
			reason = "stopped";
		if (reason != NULL)
			end_capture(cap, cap->s, reason);
	}
	pthread_mutex_unlock(&cap->lock);
}

unsigned
ctl_poll_us(struct ctl *c)
{
	if (c == NULL || c->capture == NULL)
		return 0;
	return __atomic_load_n(&c->capture->state, __ATOMIC_ACQUIRE) == CAP_IDLE ? 0 : CAP_POLL_US;
}

void
ctl_capture_close(struct ctl *c)
{
	struct ctl_capture *cap = c->capture;

	if (cap == NULL)
		return;
	pthread_mutex_lock(&cap->lock);
	if (cap->state == CAP_RUNNING)
		end_capture(cap, cap->s, "tern is stopping");
	pthread_mutex_unlock(&cap->lock);
	pthread_mutex_destroy(&cap->lock);
	free(cap);
	c->capture = NULL;
}

/* Reserves the capture slot; 0 with the new id, or -1 with an error in d. */
static int
reserve(struct ctl_capture *cap, uint64_t *id, struct rte_tel_data *d)
{
	pthread_mutex_lock(&cap->lock);
	if (cap->state != CAP_IDLE) {
		ctl_error(d, "a capture is already running (capture %llu to %s, %llu packets so "
			  "far): stop it first (ternctl capture --stop)", (unsigned long long)
			  (cap->s ? cap->s->id : cap->next_id), cap->s ? cap->s->req.path : "?",
			  (unsigned long long)(cap->s ? cap->s->written : 0));
		pthread_mutex_unlock(&cap->lock);
		return -1;
	}
	cap->state = CAP_STARTING;
	cap->stop = 0;
	*id = ++cap->next_id;
	pthread_mutex_unlock(&cap->lock);
	return 0;
}

static void
start_reply(const struct cap_session *s, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "id", s->id);
	rte_tel_data_add_dict_string(d, "file", s->req.path);
	rte_tel_data_add_dict_string(d, "filter", s->req.text);
	rte_tel_data_add_dict_u64(d, "snaplen", s->snaplen);
	rte_tel_data_add_dict_u64(d, "count", s->req.count);
	rte_tel_data_add_dict_u64(d, "seconds", s->req.seconds);
	rte_tel_data_add_dict_u64(d, "ring", s->ring_size);
	rte_tel_data_add_dict_u64(d, "pool", s->pool_size);
}

/* The capture is set up without the lock (the writer keeps its pace), then published. */
static void
start(struct ctl *c, struct ctl_capture *cap, const struct cap_req *r, struct rte_tel_data *d)
{
	char err[PATH_MAX + 128];
	struct cap_session *s;
	uint64_t id;

	if (reserve(cap, &id, d) != 0)
		return;
	if (cap_session_open(c, r, id, &s, err, sizeof(err)) != 0) {
		ctl_error(d, "%s", err);
		__atomic_store_n(&cap->state, CAP_IDLE, __ATOMIC_RELEASE);
		return;
	}
	if (cap_session_attach(s, err, sizeof(err)) != 0) {
		ctl_error(d, "%s", err);
		pthread_mutex_lock(&cap->lock);
		end_capture(cap, s, "start failed");
		pthread_mutex_unlock(&cap->lock);
		return;
	}
	TLOG(NOTICE, "capture %llu to %s started (%s, snaplen %u)", (unsigned long long)id,
	     r->path, r->text, s->snaplen);
	start_reply(s, d);
	pthread_mutex_lock(&cap->lock);
	cap->s = s;
	__atomic_store_n(&cap->state, CAP_RUNNING, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cap->lock);
}

static int
cmd_start(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	struct cap_req *r;
	char err[PATH_MAX + 128];

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	r = malloc(sizeof(*r));
	if (r == NULL)
		ctl_error(d, "out of memory");
	else if (c->capture == NULL)
		ctl_error(d, "packet capture is not available (out of memory at start)");
	else if (cap_req_parse(params, c->src.nports, r, err, sizeof(err)) != 0)
		ctl_error(d, "%s", err);
	else
		start(c, c->capture, r, d);
	free(r);
	ctl_leave();
	return 0;
}

static int
cmd_stop(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	struct ctl_capture *cap;
	uint64_t id = 0;

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	cap = c->capture;
	if (params != NULL && *params && ctl_number(params, UINT64_MAX >> 1, &id) != 0) {
		ctl_error(d, "expected a capture id, got '%s'", params);
	} else if (cap != NULL) {
		pthread_mutex_lock(&cap->lock);
		if (cap->state == CAP_IDLE || (id != 0 && id != cap->next_id))
			ctl_error(d, id ? "capture %llu is not running" : "no capture is running",
				  (unsigned long long)id);
		else {
			cap->stop = 1;
			rte_tel_data_start_dict(d);
			rte_tel_data_add_dict_u64(d, "id", cap->next_id);
			rte_tel_data_add_dict_string(d, "result", "stopping");
		}
		pthread_mutex_unlock(&cap->lock);
	} else
		ctl_error(d, "no capture is running");
	ctl_leave();
	return 0;
}

static void
status_running(const struct cap_session *s, struct rte_tel_data *d)
{
	uint64_t matched, drops;

	cap_session_counts(s, &matched, &drops);
	rte_tel_data_add_dict_u64(d, "running", 1);
	rte_tel_data_add_dict_u64(d, "id", s->id);
	rte_tel_data_add_dict_string(d, "file", s->req.path);
	rte_tel_data_add_dict_string(d, "filter", s->req.text);
	rte_tel_data_add_dict_u64(d, "packets", s->written);
	rte_tel_data_add_dict_u64(d, "matched", matched);
	rte_tel_data_add_dict_u64(d, "dropped", drops);
	rte_tel_data_add_dict_u64(d, "ms", (rte_rdtsc() - s->start_tsc) * 1000 / rte_get_tsc_hz());
}

static void
status_last(const struct cap_result *r, struct rte_tel_data *d)
{
	rte_tel_data_add_dict_u64(d, "running", 0);
	if (r->id == 0)
		return;
	rte_tel_data_add_dict_u64(d, "id", r->id);
	rte_tel_data_add_dict_string(d, "file", r->path);
	rte_tel_data_add_dict_u64(d, "packets", r->packets);
	rte_tel_data_add_dict_u64(d, "matched", r->matched);
	rte_tel_data_add_dict_u64(d, "dropped", r->drops);
	rte_tel_data_add_dict_u64(d, "ms", r->seconds_ms);
	rte_tel_data_add_dict_string(d, "ended", r->reason);
}

static int
cmd_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	struct ctl_capture *cap;

	(void)cmd;
	(void)params;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	cap = c->capture;
	rte_tel_data_start_dict(d);
	if (cap != NULL) {
		pthread_mutex_lock(&cap->lock);
		if (cap->state == CAP_RUNNING)
			status_running(cap->s, d);
		else if (cap->state == CAP_STARTING)
			rte_tel_data_add_dict_u64(d, "running", 1);
		else
			status_last(&cap->last, d);
		pthread_mutex_unlock(&cap->lock);
	}
	ctl_leave();
	return 0;
}

int
ctl_register_capture(void)
{
	int rc = 0;

	/* DPDK 22.11 refuses a help text of 128 characters or more. */
	rc |= rte_telemetry_register_cmd("/tern/capture/start", cmd_start,
		"tern: capture to pcapng. Parameters: port|any,host|any,tcp/udp port|any,"
		"snaplen,count,seconds (0: no limit),absolute path");
	rc |= rte_telemetry_register_cmd("/tern/capture/stop", cmd_stop,
		"tern: stop the running capture. Parameters: capture id (optional)");
	rc |= rte_telemetry_register_cmd("/tern/capture/status", cmd_status,
		"tern: the running capture, or how the last one ended");
	return rc;
}
