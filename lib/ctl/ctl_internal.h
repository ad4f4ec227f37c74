/* Shared by the control plane's files. */
#ifndef TERN_CTL_INTERNAL_H
#define TERN_CTL_INTERNAL_H

#include <rte_telemetry.h>

#include "ctl.h"

struct ctl_metrics;
struct ctl_capture;

struct ctl {
	const struct tern_config *cfg;
	struct ctl_source src;
	struct ctl_metrics *metrics;   /* ctl_metrics.c: NULL when [ctl] metrics is off */
	struct ctl_capture *capture;   /* ctl_capture.c: NULL when out of memory */
};

/* The running instance, held against ctl_stop until ctl_leave; NULL: none (not held). */
struct ctl *ctl_enter(void);
void ctl_leave(void);

/* Registers every /tern/ command; 0, or -1 when one failed (logged). */
int ctl_register_commands(void);
int ctl_register_stats(void);
int ctl_register_conns(void);
int ctl_register_proxy(void);
int ctl_register_capture(void);

/* Prometheus (ctl_metrics.c): opened by ctl_start, served by ctl_poll. 0 or -1 (logged). */
int ctl_metrics_open(struct ctl *c);
void ctl_metrics_poll(struct ctl *c);
void ctl_metrics_close(struct ctl *c);

/*
 * Packet capture (ctl_capture.c): its state (opened by ctl_start: 0, or -1
 * logged), the writer's share of ctl_poll, and its end.
 */
int ctl_capture_open(struct ctl *c);
void ctl_capture_poll(struct ctl *c);
void ctl_capture_close(struct ctl *c);

/* ---- replies (ctl_json.c) ---- */

/* An error reply: {"error": "..."}; returns 0 so the telemetry library sends it. */
int ctl_error(struct rte_tel_data *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The parameters split at commas into at most max words (in buf); how many. */
unsigned ctl_params(const char *params, char *buf, size_t len, char **words, unsigned max);
/* A decimal number from 0 to max; 0, or -1. */
int ctl_number(const char *s, uint64_t max, uint64_t *out);

#endif
