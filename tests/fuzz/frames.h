/*
 * The frame harness's world (fuzz_frames.c): one or two whole tern workers
 * built in memory by the composition root (stack_build) from a
 * configuration text, with a listener per service (http :80, echo :7,
 * discard :9), two client services (one toward a resolved neighbour, one
 * toward an unresolved one) and optionally the proxy (three frontends on a
 * virtual IP, a backend with health checks, its control side included).
 * The peers are modelled, not built: the harness writes their frames and
 * reads what tern sends back, keeping per flow the sequence numbers both
 * sides are at, so the fuzzer's segments can be placed relative to them
 * (an ACK of what tern sent, SACK blocks inside its flight, data at the
 * next expected byte). Every frame tern sends is checked (checksums,
 * lengths, addresses) and freed; after each input everything is torn down
 * and no mbuf or DPDK heap allocation may remain.
 */
#ifndef TERN_FUZZ_FRAMES_H
#define TERN_FUZZ_FRAMES_H

#include <stdint.h>
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "core/config.h"
#include "core/port.h"
#include "proxy/proxy_main.h"
#include "stack/stack.h"

#define FR_IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define FR_TERN FR_IP(10, 0, 0, 1)      /* the port's address */
#define FR_PEER FR_IP(10, 0, 0, 2)      /* a neighbour known from the start */
#define FR_STRANGER FR_IP(10, 0, 0, 3)  /* a neighbour tern has to resolve */
#define FR_TARGET2 FR_IP(10, 0, 0, 9)   /* the second client's server: unresolved */
#define FR_VIP FR_IP(10, 0, 0, 10)      /* the proxy's frontends */
#define FR_SERVER2 FR_IP(10, 0, 0, 20)  /* the proxy's second server: unresolved */
#define FR_GATEWAY FR_IP(10, 0, 0, 254)
#define FR_FAR FR_IP(192, 0, 2, 7)      /* off link: through the gateway */

#define FR_MAX_WORKERS 2
#define FR_MAX_FLOWS 64
#define FR_FRAME_MAX 9216
#define FR_RX_MAX 64                    /* frames queued for one delivery */

/* Variant bits: the input's first byte. */
#define FRV_TWO_WORKERS 0x01   /* two workers: steering through the Toeplitz hash */
#define FRV_PLAIN_TCP 0x02     /* no SACK, timestamps or window scaling offered */
#define FRV_NEWRENO 0x04
#define FRV_PROXY 0x08         /* frontends, a checked backend, the proxy's control side */
#define FRV_RX_OFFLOAD 0x10    /* checksum status from the "NIC" (per-frame flags) */
#define FRV_SMALL_BUFS 0x20    /* 4 KiB buffers, few out-of-order mbufs, no Nagle */
#define FRV_IMPAIR 0x40        /* the impairment layer on both directions */
#define FRV_KEEPALIVE 0x80     /* keepalives and short idle timers */
#define FR_VARIANTS 256

/* One TCP connection as the peer side sees it (sequence numbers in host order). */
struct fr_flow {
	uint32_t peer_ip, tern_ip;       /* host order */
	uint16_t peer_port, tern_port;
	uint8_t tern_syn;                /* tern's SYN seen: tern_isn is known */
	uint8_t peer_syn;                /* the peer's SYN sent: peer_isn is known */
	uint8_t reset;                   /* tern sent RST */
	uint8_t wscale;                  /* the peer's window scale offer (applied by tern) */
	uint32_t tern_isn, tern_nxt;     /* tern's first and highest-sent sequence numbers */
	uint32_t tern_ack;               /* tern's last ACK: the byte it expects */
	uint32_t tern_tsval;             /* tern's last timestamp (the peer echoes it) */
	uint32_t peer_isn, peer_nxt;     /* the peer's ISN and next byte to send */
	uint32_t peer_acked;             /* the peer's highest ACK sent */
	uint64_t tern_bytes;             /* payload bytes tern sent (retransmissions too) */
	uint32_t peer_shift;             /* bytes a seed's requests added before the script's stream */
};

struct fr_world {
	unsigned variant;
	unsigned nworkers;
	struct tern_config *cfg;
	struct tern_port port;
	struct stack_worker *sw[FR_MAX_WORKERS];
	struct tern_worker *peers[FR_MAX_WORKERS];
	struct proxy_main *pm;           /* the proxy's control side (FRV_PROXY) */
	uint64_t now;                    /* virtual TSC, 1 tick = 1 ns */
	struct rte_mbuf *rx[FR_MAX_WORKERS][FR_RX_MAX];
	uint16_t nrx[FR_MAX_WORKERS];
	uint8_t rxq;                     /* the queue frames arrive on (two workers) */
	struct fr_flow flows[FR_MAX_FLOWS];
	unsigned nflows;
	uint32_t arp_asked[8];           /* the last addresses tern asked about (host order) */
	unsigned narp;
	uint64_t frames_out;
	uint32_t ip_id;
	int script_flow;                 /* the flow op_script's new-flow SYN made, or -1 */
};

/* FUZZ_FRAMES_TRACE=1: every segment in and out on stderr (for writing seeds). */
static inline int
fr_trace(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FUZZ_FRAMES_TRACE") != NULL;
	return on;
}

/* frames_world.c */
void fr_global_init(void);
int fr_world_open(struct fr_world *wd, unsigned variant);
/* Tears everything down and checks nothing leaked (aborts on a leak). */
void fr_world_close(struct fr_world *wd);
/* One loop of every worker at the current time (twice: steered frames get through). */
void fr_poll(struct fr_world *wd);
/* Moves time on by dt_ns in steps (timers fire near their time), polling. */
void fr_advance(struct fr_world *wd, uint64_t dt_ns);
/* Queues a frame for the next poll; split > 0 chains it in two mbufs at that offset. */
void fr_queue(struct fr_world *wd, const uint8_t *frame, size_t len, unsigned split,
	      uint64_t ol_flags);
struct fr_flow *fr_flow_find(struct fr_world *wd, uint32_t peer_ip, uint16_t peer_port,
			     uint32_t tern_ip, uint16_t tern_port);
struct fr_flow *fr_flow_add(struct fr_world *wd, uint32_t peer_ip, uint16_t peer_port,
			    uint32_t tern_ip, uint16_t tern_port);
/* A control request to worker i (served in its next loop); the reply is freed when it comes. */
void fr_control(struct fr_world *wd, unsigned i, uint8_t what, uint32_t arg);

/* frames_net.c: what the peers send, and the check of what tern sends. */
void fr_mac_of(uint32_t ip, uint8_t mac[6]);
extern const uint8_t fr_tern_mac[6];

struct fr_tcp {
	uint32_t src, dst;               /* host order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint8_t opts[40];
	uint8_t optlen;                  /* a multiple of 4 is not required: padded with EOL */
	const uint8_t *payload;
	uint16_t len;
	uint8_t ttl, tos;
	uint16_t frag;                   /* host order, flags and offset */
	uint8_t ip_optlen;               /* 0..40 bytes of IP options (NOPs) */
	uint8_t bad_ip_cksum, bad_tcp_cksum;
	int16_t tot_delta;               /* added to the IP total length */
	uint8_t doff_delta;              /* added to the data offset (mod 16) */
	uint8_t pad;                     /* Ethernet padding after the datagram */
	uint32_t l2_dst_ip;              /* 0: tern's MAC; else the MAC of this address */
};
/* Writes the frame into buf (FR_FRAME_MAX); returns its length. */
size_t fr_build_tcp(uint8_t *buf, const struct fr_tcp *t);
size_t fr_build_arp(uint8_t *buf, uint16_t op, uint32_t sip, const uint8_t sha[6], uint32_t tip,
		    const uint8_t tha[6], const uint8_t eth_dst[6]);
/* ICMP of type/code from src with payload (an echo's data, or the quoted datagram). */
size_t fr_build_icmp(uint8_t *buf, uint32_t src, uint8_t type, uint8_t code, uint32_t rest,
		     const uint8_t *payload, uint16_t len, int bad_cksum);
/* Checks one frame tern sent; the model learns from it. */
void fr_check_out(struct fr_world *wd, unsigned worker, const uint8_t *f, uint32_t len);

#endif
