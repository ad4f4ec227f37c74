/*
 * The script model: what the parser builds and the runner executes. One
 * event per script line (packetdrill's "event_time action").
 */
#ifndef PKT_SCRIPT_H
#define PKT_SCRIPT_H

#include <stdint.h>

#include "lexer.h"
#include "result.h"

/* packetdrill's event_time forms (Syntax.md rules 18-22). */
enum time_kind {
	T_ABS,        /* 0.100 */
	T_REL,        /* +.1 */
	T_ANY,        /* * (outbound packets only) */
	T_ABS_RANGE,  /* 0.3~0.4 */
	T_REL_RANGE,  /* +.3~+.4 */
};

struct ev_time {
	enum time_kind kind;
	int64_t us, end_us;  /* end_us for ranges */
};

#define SPEC_MAX_OPTS 20
#define SPEC_MAX_SACK 4

/* One TCP option as written in a script. */
struct opt_spec {
	uint8_t kind;        /* TCP option kind (0 eol, 1 nop, 2 mss, 3 wscale, 4 sackOK, 5 sack, 8 TS) */
	uint16_t mss;
	uint8_t wscale;
	uint8_t nsack;
	uint32_t sack[SPEC_MAX_SACK][2];
	uint32_t ts_val, ts_ecr;
};

/* IP ECN field check of an outbound packet ("[ect0]"). */
enum ecn_check { ECN_ANY = 0, ECN_NOECN, ECN_ECT0, ECN_ECT1, ECN_CE, ECN_ECT01 };

/*
 * An ICMP line (packetdrill's icmp_packet_spec, RFC 792): "icmp unreachable
 * frag_needed mtu 1200 [1:1461(1460)]". The bracket names the datagram an
 * error quotes: a TCP range of the connection's local sequence space,
 * "udp (N)", or "raw (N)" (N bytes of data, for echo messages).
 */
#define ICMP_QUOTE_NONE 0
#define ICMP_QUOTE_TCP 6
#define ICMP_QUOTE_UDP 17
#define ICMP_QUOTE_RAW 255

struct icmp_spec {
	uint8_t type, code;
	int32_t mtu;         /* -1 when not written (unreachable frag_needed only) */
	int32_t id;          /* -1 when not written (echo) */
	uint8_t quote;       /* ICMP_QUOTE_*, NONE when no bracket was written */
	uint32_t quote_seq, quote_len;
};

struct pkt_spec {
	char dir;            /* '<' inbound, '>' outbound */
	int icmp;            /* an ICMP line: ic below; the TCP fields are unused */
	struct icmp_spec ic;
	uint8_t flags;       /* TCP header flag bits */
	uint32_t seq;        /* start */
	uint32_t len;        /* payload bytes */
	uint32_t ack;        /* 0 when not written (packetdrill's default) */
	int has_ack;
	int has_win;
	uint16_t win;
	uint16_t urg;
	int opts_any;        /* <...>: options not checked */
	int nopts;
	struct opt_spec opts[SPEC_MAX_OPTS];
	enum ecn_check ecn;
	uint16_t sport, dport; /* explicit "sport>dport", 0 when not written */
};

enum expr_kind {
	E_ELLIPSIS, E_INT, E_WORD, E_STRING, E_LIST, E_BRACES, E_OR, E_ASSIGN, E_CALL,
};

struct expr {
	enum expr_kind kind;
	int64_t num;         /* E_INT */
	char *str;           /* E_WORD, E_STRING, E_CALL (function), E_ASSIGN (name) */
	struct expr *lhs, *rhs; /* E_OR; E_ASSIGN rhs */
	struct expr **items; /* E_LIST, E_BRACES, E_CALL arguments */
	int nitems;
};

struct syscall_spec {
	char *name;
	struct expr **args;
	int nargs;
	int blocking;        /* "...end" written */
	int64_t end_us;      /* with blocking: when the call must return */
	int end_relative;    /* end written after a relative start time */
	struct expr *result;
	char *err_name;      /* "ECONNRESET", or NULL */
};

enum ev_kind { EV_PACKET, EV_SYSCALL, EV_COMMAND, EV_CODE, EV_OTHER_PACKET };

struct event {
	int line;
	struct ev_time t;
	int has_time;        /* commands may stand without one */
	enum ev_kind kind;
	struct pkt_spec pkt;
	struct syscall_spec sys;
	char *text;          /* commands, code, and unsupported packet lines */
};

/* "//! expect-fail: KIND [at line N]" or "//! pending: KIND [at line N] -- why". */
struct expectation {
	int active;
	int pending;         /* a known stack bug rather than a runner self-test */
	enum fail_kind kind;
	int line;            /* 0: any line */
	char why[256];
};

struct option_kv {
	char name[64];
	char value[256];
	int line;
};

struct script {
	char path[512];
	struct option_kv *options; /* the header's --name=value lines */
	int noptions;
	struct event *events;
	int nevents, cap;
	struct expectation expect;
};

void script_free(struct script *s);

/* A packet spec in script syntax ("S. 0:0(0) ack 1 win 65535 <mss 1460>"). */
void pkt_spec_format(const struct pkt_spec *p, char *buf, size_t len);
void opts_format(const struct opt_spec *o, int n, char *buf, size_t len);

/* ICMP type and code names as packetdrill writes them; "type_N"/"code_N" too. -1: unknown. */
int icmp_type_parse(const char *name);
int icmp_code_parse(uint8_t type, const char *name);
/* An ICMP error quotes a datagram (RFC 792); echo and the like do not. */
int icmp_is_error(uint8_t type);

#endif
