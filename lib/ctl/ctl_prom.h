/*
 * Prometheus's text exposition format (version 0.0.4) as pure functions:
 * a growing text buffer, metric names from tern's CamelCase counter
 * names, # HELP and # TYPE lines, samples with escaped label values. No
 * I/O and no DPDK, so the unit tests drive them directly.
 */
#ifndef TERN_CTL_CTL_PROM_H
#define TERN_CTL_CTL_PROM_H

#include <stddef.h>
#include <stdint.h>

/* Text that grows as it is appended to; after a failed allocation it stays as it was. */
struct prom_buf {
	char *p;                 /* NUL-terminated once anything was appended */
	size_t len, cap;
	int failed;              /* an allocation failed: the text is incomplete */
};

struct prom_label {
	const char *name;
	const char *value;
};

void prom_buf_init(struct prom_buf *b);
void prom_buf_free(struct prom_buf *b);
/* Appends like printf. */
void prom_append(struct prom_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * snake_case of a CamelCase name: TcpInSegs -> tcp_in_segs. A run of
 * capitals is one word (PAWSEstab -> paws_estab) and keeps a plural s
 * (DelayedACKs -> delayed_acks, RTOs -> rtos); Linux's TcpExt names glue
 * TCP to the next acronym, so a run that starts with TCP splits after it
 * (TCPDSACKRecv -> tcp_dsack_recv). The length written, or -1 when out
 * (len bytes) is too small or name has a character other than [A-Za-z0-9].
 */
int prom_snake(const char *name, char *out, size_t len);

/* 1 when name is a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]* */
int prom_name_ok(const char *name);

/*
 * The name a counter is exposed as: tern_<snake>_total for counters (kinds
 * D and E), tern_<snake> for gauges (kind G); its type in *type. A word
 * promtool's lint takes for a unit is replaced (NotForUs: not_for_tern).
 * Length, or -1.
 */
int prom_counter_name(const char *name, char kind, char *out, size_t len, const char **type);

/* "# HELP name help" and "# TYPE name type" (help escaped: backslash, newline). */
void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help);

/* "name{l0="v0",...} value": label values escaped (backslash, quote, newline); nl may be 0. */
void prom_sample(struct prom_buf *b, const char *name, const struct prom_label *l, unsigned nl,
		 uint64_t value);

#endif
