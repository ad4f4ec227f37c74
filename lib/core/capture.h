/*
 * Packet capture, the worker's side: while the control side has handed a
 * worker a struct tern_capture (TERN_MSG_CAPTURE), the worker copies the
 * frames that match its filter with rte_pcapng_copy into the capture's
 * pool and puts the copies on the capture's ring (this worker the only
 * producer, the writer on the main lcore the only consumer). The frame
 * itself is only read, never held: a full ring or an empty pool loses the
 * copy (CaptureDrops), never the frame.
 *
 * Frames are taken where they cross the port: on receive as rx_burst
 * returns them (before the RX impairment stage and before tern looks at
 * them), on transmit as they are handed to tx_burst (after the TX
 * impairment stage). Checksums a NIC would fill are filled in the copy,
 * so a capture shows what goes on the wire.
 *
 * With capture off the data path pays one branch per RX poll and per TX
 * burst: w->capture is NULL.
 */
#ifndef TERN_CORE_CAPTURE_H
#define TERN_CORE_CAPTURE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_ring.h>

#include "config.h"

#define TERN_CAPTURE_ANY_PORT UINT16_MAX

/* Which frames: tcpdump's "host H and port P" on one tern port or all. */
struct tern_capture_filter {
	uint16_t port;            /* tern port index, or TERN_CAPTURE_ANY_PORT */
	uint8_t has_host;
	uint8_t has_l4port;
	rte_be32_t host;          /* IPv4 source or destination (also ARP sender or target) */
	rte_be16_t l4port;        /* TCP or UDP source or destination port */
};

/*
 * One worker's share of a running capture. The control side fills it before
 * handing it over and frees it only after the worker has let go of it (the
 * reply to a TERN_MSG_CAPTURE with NULL).
 */
struct tern_capture {
	struct tern_capture_filter filter;
	struct rte_ring *ring;        /* copies, worker -> writer */
	struct rte_mempool *pool;     /* copies come from here (shared by the workers) */
	uint32_t snaplen;             /* bytes of a frame copied; one mbuf of pool holds them */
	uint64_t epoch_tsc;           /* a TSC reading ... */
	uint64_t epoch_ns;            /* ... and the wall clock (ns since 1970) at that moment */
	uint64_t tsc_hz;
	/* Written by the worker only; the control side reads them relaxed. */
	uint64_t packets[TERN_MAX_PORTS] __rte_cache_aligned; /* copies put on the ring */
	uint64_t drops[TERN_MAX_PORTS];                       /* copies lost */
} __rte_cache_aligned;

/* 1 when the frame (its first len bytes) passes the filter's host and port tests. */
int tern_capture_match(const struct tern_capture_filter *f, const void *frame, uint32_t len);

/* The wall clock of a TSC reading, in ns since 1970 (tsc may be before epoch_tsc). */
uint64_t tern_capture_ns(const struct tern_capture *c, uint64_t tsc);

struct tern_worker;

/*
 * Worker side: copies the frames of pkts (received on, or about to be sent
 * on, tern port `port`) that match c's filter onto c's ring. pkts are only
 * read. Counts CapturePackets and CaptureDrops.
 */
void tern_capture_burst(struct tern_worker *w, struct tern_capture *c, uint16_t port,
			struct rte_mbuf *const *pkts, uint16_t n, enum rte_pcapng_direction dir);

#endif
