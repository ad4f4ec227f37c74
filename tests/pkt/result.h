/* What running a script found: ok, or the first failure with its line and the two segments. */
#ifndef PKT_RESULT_H
#define PKT_RESULT_H

#include <stddef.h>

/* Failure kinds; their names are what "//! expect-fail:" markers state. */
enum fail_kind {
	F_NONE = 0,
	F_PARSE,          /* "parse" */
	F_UNSUPPORTED,    /* "unsupported" */
	F_SEQ,            /* "wrong-seq" */
	F_ACK,            /* "wrong-ack" */
	F_FLAGS,          /* "wrong-flags" */
	F_WIN,            /* "wrong-window" */
	F_OPTIONS,        /* "wrong-options" */
	F_LENGTH,         /* "wrong-length" */
	F_PAYLOAD,        /* "wrong-payload": bytes sent are not the bytes written */
	F_ECN,            /* "wrong-ecn" */
	F_MISSING,        /* "missing": an expected segment never came */
	F_UNEXPECTED,     /* "unexpected": a segment the script does not list */
	F_TOO_EARLY,      /* "too-early" */
	F_TOO_LATE,       /* "too-late" */
	F_RESULT,         /* "wrong-result": a system call's return value */
	F_ERRNO,          /* "wrong-errno" */
	F_VALUE,          /* "wrong-value": an output argument (getsockopt, ioctl) */
	F_BLOCKING,       /* "blocking": a call returned at the wrong time or never */
	F_READ_DATA,      /* "wrong-data": read() returned bytes the peer did not send there */
	F_CHECKSUM,       /* "checksum" */
	F_LEAK,           /* "mbuf-leak" */
	F_SCRIPT,         /* "script": the script is inconsistent (time goes backward...) */
	F_ICMP,           /* "wrong-icmp": an ICMP message's type, code or MTU */
	F_NIC,            /* "nic-refused": a frame the modelled port would not send, or unparsable */
	F_NKINDS
};

const char *fail_kind_name(enum fail_kind k);
/* The kind named s, or F_NONE. */
enum fail_kind fail_kind_parse(const char *s);

#define RESULT_NOTES 8

struct pkt_result {
	enum fail_kind kind;
	int line;
	char msg[512];
	char expected[512];   /* segment lines, when a segment was compared */
	char actual[512];
	int nnotes;
	char notes[RESULT_NOTES][160];
};

/* Records the first failure only; later calls are ignored. Returns -1 for "stop". */
int result_fail(struct pkt_result *r, enum fail_kind k, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void result_note(struct pkt_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
