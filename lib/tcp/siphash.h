/* SipHash-2-4 (Aumasson and Bernstein), the keyed hash behind RFC 6528 ISNs. */
#ifndef TERN_TCP_SIPHASH_H
#define TERN_TCP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint64_t key[2], const void *data, size_t len);

#endif
