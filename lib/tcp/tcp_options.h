/*
 * TCP options (RFC 9293 §3.1-3.2, RFC 7323, RFC 2018): parsed once into a
 * struct at the edge, built from a struct on output.
 */
#ifndef TERN_TCP_OPTIONS_H
#define TERN_TCP_OPTIONS_H

#include <stdint.h>

#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TIMESTAMP 8

#define TCP_OPT_MAX_LEN 40
#define TCP_MAX_SACK_BLOCKS 4
/* RFC 7323 §2.3: shifts above 14 are used as 14. */
#define TCP_MAX_WSCALE 14

enum tcp_opt_flags {
	TCP_OPTF_MSS = 1 << 0,
	TCP_OPTF_WSCALE = 1 << 1,
	TCP_OPTF_SACK_PERM = 1 << 2,
	TCP_OPTF_SACK = 1 << 3,
	TCP_OPTF_TS = 1 << 4,
};

struct tcp_sack_block {
	uint32_t start, end;
};

struct tcp_opts {
	uint32_t flags;          /* TCP_OPTF_* present */
	uint16_t mss;
	uint8_t wscale;          /* clamped to TCP_MAX_WSCALE */
	uint8_t nsack;
	uint32_t ts_val, ts_ecr;
	struct tcp_sack_block sack[TCP_MAX_SACK_BLOCKS];
};

/*
 * Parses len bytes of options. Unknown kinds are skipped by their length.
 * Returns 0, or -1 for a malformed list (a length below 2 or past the end,
 * or a known option with the wrong length): RFC 9293 §3.1 lets such a
 * segment be dropped, and tern drops and counts it.
 */
int tcp_opts_parse(const uint8_t *p, unsigned len, struct tcp_opts *out);

/*
 * Writes the options in o to buf (room for TCP_OPT_MAX_LEN bytes), padded
 * with NOPs to a multiple of 4 in the layout Linux uses, so that the
 * common cases align on 32 bits. Returns the length written. SACK blocks
 * beyond what fits after the other options are left out.
 */
unsigned tcp_opts_build(const struct tcp_opts *o, uint8_t *buf);

#endif
