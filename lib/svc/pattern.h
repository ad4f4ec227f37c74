/*
 * The body of GET /bytes/N: byte i is i mod 251 (a prime, so the pattern
 * does not line up with segment or buffer sizes). The table holds i mod 251
 * for i up to 250 + BYTES_PATTERN_CHUNK, so any run of a body of up to
 * BYTES_PATTERN_CHUNK bytes starting at offset off is the slice
 * bytes_pattern + off % 251. The http service sends from it, the client
 * service checks against it.
 */
#ifndef TERN_SVC_PATTERN_H
#define TERN_SVC_PATTERN_H

#include <stdint.h>

#define BYTES_PATTERN_PERIOD 251
#define BYTES_PATTERN_CHUNK 2048

extern uint8_t bytes_pattern[BYTES_PATTERN_PERIOD + BYTES_PATTERN_CHUNK];

/* Fills the table; called at worker set-up, before any worker runs (idempotent). */
void bytes_pattern_init(void);

#endif
