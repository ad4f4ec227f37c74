/*
 * Does a segment tern sent match the script's outbound line? Field by field
 * as packetdrill's verify_outbound_live_packet: flags (strict; PSH relaxed
 * on request), seq (mapped), length, ack (0 when the line has none), window
 * (only when written), options in order (none expected when none written,
 * none checked with <...>), and tern-pkt's own payload check.
 */
#ifndef PKT_MATCHER_H
#define PKT_MATCHER_H

#include <stddef.h>

#include "flow.h"
#include "frame.h"
#include "pkt_opts.h"
#include "result.h"
#include "script.h"

/*
 * Compares with f's mappings (the caller has learned the ISN of a SYN and
 * the TS val into f first). Returns F_NONE, or the kind with a reason.
 */
enum fail_kind seg_compare(const struct flow *f, const struct pkt_opts *o,
			   const struct pkt_spec *exp, const struct wire_seg *seg,
			   char *why, size_t len);

/*
 * One outbound line may describe one TSO-sized send ("P. 1:5841(5840)")
 * that tern puts on the wire as MSS-sized segments, as packetdrill
 * aggregates them: does seg begin such a send? (Data, at the line's start,
 * shorter than the line.)
 */
int tso_first_piece(const struct flow *f, const struct pkt_spec *exp, const struct wire_seg *seg);
/*
 * What the segment carrying seg_len bytes at offset done of the line's range
 * must look like: the line's header and options, as a TSO engine splits a
 * segment: PSH and FIN on the last piece only, CWR on the first only.
 */
void tso_piece(const struct pkt_spec *exp, uint32_t done, uint32_t seg_len,
	       struct pkt_spec *piece);

/* The segment in script terms, as a script line would write it. */
void seg_format(const struct flow *f, const struct wire_seg *seg, char *buf, size_t len);

#endif
