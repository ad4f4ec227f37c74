/* Runs one parsed script against a fresh in-memory tern. */
#ifndef PKT_RUNNER_H
#define PKT_RUNNER_H

#include "pkt_opts.h"
#include "result.h"
#include "script.h"

/*
 * Runs s with the command line's options (the script's header options
 * apply on top). Fills r: kind F_NONE when every line held. Returns -1
 * only when the stack could not be set up at all.
 */
int run_script(const struct script *s, const struct pkt_opts *global, struct pkt_result *r);

#endif
