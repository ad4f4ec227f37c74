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

/* The segment in script terms, as a script line would write it. */
void seg_format(const struct flow *f, const struct wire_seg *seg, char *buf, size_t len);

#endif
