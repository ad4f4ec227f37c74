/* Shared by the control plane's files. */
#ifndef TERN_CTL_INTERNAL_H
#define TERN_CTL_INTERNAL_H

#include <rte_telemetry.h>

#include "ctl.h"

struct ctl {
	const struct tern_config *cfg;
	struct ctl_source src;
};

/* The running instance, held against ctl_stop until ctl_leave; NULL: none (not held). */
struct ctl *ctl_enter(void);
void ctl_leave(void);

/* Registers every /tern/ command; 0, or -1 when one failed (logged). */
int ctl_register_commands(void);
int ctl_register_stats(void);
int ctl_register_conns(void);
int ctl_register_proxy(void);

/* ---- replies (ctl_json.c) ---- */

/* An error reply: {"error": "..."}; returns 0 so the telemetry library sends it. */
int ctl_error(struct rte_tel_data *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The parameters split at commas into at most max words (in buf); how many. */
unsigned ctl_params(const char *params, char *buf, size_t len, char **words, unsigned max);
/* A decimal number from 0 to max; 0, or -1. */
int ctl_number(const char *s, uint64_t max, uint64_t *out);

#endif
