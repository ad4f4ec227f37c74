/*
 * The bytes of each direction's stream. Scripts only give lengths, so the
 * runner fills payloads from a fixed pattern by stream offset: what tern
 * sends must be the pattern at the segment's offset (retransmissions carry
 * the right bytes), and what read() returns must be the peer's pattern at
 * the read offset (reassembly put the bytes in the right place).
 */
#ifndef PKT_STREAM_H
#define PKT_STREAM_H

#include <stdint.h>

/* Written by the app through the shim; checked on the wire. */
static inline uint8_t
stream_out_byte(uint64_t off)
{
	return (uint8_t)(((off + 1) * 0x85ebca6bu) >> 24);
}

/* Sent by the scripted peer; checked in read(). */
static inline uint8_t
stream_in_byte(uint64_t off)
{
	return (uint8_t)(((off + 1) * 0x9e3779b1u) >> 24);
}

#endif
