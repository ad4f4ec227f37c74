/*
 * Ethernet/IPv4/TCP frames as bytes: the runner builds what the remote
 * peer sends and takes apart what tern sends. Independent of tern's own
 * header and checksum code, so it can judge it.
 */
#ifndef PKT_FRAME_H
#define PKT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "script.h"

#define FRAME_MAX 16384 /* inbound segments may exceed the MTU, as a test peer's may */
#define TCP_OPTS_MAX 40

/* The lab addresses (RFC 2544 range): tern and the scripted peer. */
#define TERN_IP 0xc6120001u   /* 198.18.0.1 */
#define PEER_IP 0xc6120002u   /* 198.18.0.2 */
extern const uint8_t tern_mac[6], peer_mac[6];

/* A segment from the peer, with live (not script) numbers. */
struct frame_in {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, urg;
	uint8_t ecn;
	uint8_t opts[TCP_OPTS_MAX];
	unsigned optlen;
	const uint8_t *payload;
	uint32_t len;
};

/*
 * An ICMP message from the peer's side (RFC 792). An error quotes the
 * IPv4 header of a datagram tern sent and its first 8 bytes (ports and, for
 * TCP, the sequence number), then up to RFC 1812 §4.3.2.3's 576 bytes.
 */
struct icmp_in {
	uint8_t type, code;
	uint32_t rest;           /* header bytes 4-7: next-hop MTU, echo id and sequence */
	uint8_t quote;           /* ICMP_QUOTE_*: the quoted datagram's protocol, or raw data */
	uint16_t qsport, qdport; /* the quoted datagram's ports (tern's, the peer's) */
	uint32_t qseq;           /* its TCP sequence number (live) */
	uint32_t qlen;           /* its payload length (raw: the data length) */
};

/* A segment tern sent, as captured (an ICMP message: proto 1, the icmp_ fields). */
struct wire_seg {
	int64_t time_us;         /* virtual time it left tern */
	uint8_t proto;           /* IP protocol: 6 TCP, 1 ICMP */
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_rest;      /* header bytes 4-7 */
	int icmp_cksum_ok;
	uint32_t saddr, daddr;   /* host order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t reserved;        /* the 4 bits between data offset and flags */
	uint16_t win, urg;
	uint8_t tos;
	uint8_t opts[TCP_OPTS_MAX];
	unsigned optlen;
	uint8_t *payload;        /* malloc'd */
	uint32_t len;
	int ip_cksum_ok, tcp_cksum_ok;
};

/* Writes the frame into buf (FRAME_MAX); returns its length, 0 when it does not fit. */
size_t frame_build(const struct frame_in *in, uint8_t *buf);

/* The ICMP frame in buf (FRAME_MAX); returns its length. */
size_t frame_build_icmp(const struct icmp_in *in, uint8_t *buf);

/* 1: buf holds an IPv4 TCP or ICMP frame, now in out; 0: something else (ARP...). -1: malformed. */
int frame_parse(const uint8_t *buf, size_t len, struct wire_seg *out);
void wire_seg_free(struct wire_seg *s);

/* Options as written in a script -> bytes (padded with EOL to 4 bytes). */
unsigned opts_encode(const struct opt_spec *o, int n, uint8_t *buf);
/* Bytes -> options; -1 when malformed. */
int opts_decode(const uint8_t *b, unsigned len, struct opt_spec *o, int max);

#endif
