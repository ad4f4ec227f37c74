/*
 * tern-bench: in-memory benchmarks of one tern worker. A simulated peer
 * (the "client") builds frames from templates, the worker's real input path
 * processes them, and what the worker transmits is counted and freed in its
 * tx_hook. See bench/README.md for the method.
 */
#ifndef TERN_BENCH_H
#define TERN_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "core/config.h"
#include "core/port.h"
#include "pair.h"
#include "stack/stack.h"

#define BENCH_BURST 32              /* frames per loop, as TERN_RX_BURST */
#define BENCH_MSS 1448              /* our SYN offers 1460; timestamps take 12 */
#define BENCH_LISTEN_PORT 9
#define BENCH_MAX_FLOW_COUNTS 8
#define BENCH_MAX_RUNS 15

/* Frame layout of every template: Ethernet, IPv4 without options, TCP. */
#define OFF_IP 14
#define OFF_TCP 34
#define OFF_OPT 54

enum bench_scenario {
	SC_ACK = 0,     /* pure ACKs advancing SND.UNA; the app keeps the send queue full */
	SC_DATA64,      /* in-order 64-byte segments to a discard app */
	SC_DATA1448,    /* in-order 1448-byte segments to a discard app */
	SC_SYN,         /* SYN to a listener (answered SYN,ACK); an untimed RST cleans up */
	SC_OOO,         /* 1448-byte segments in swapped pairs: every other one out of order */
	SC_MAX
};

extern const char *const bench_scenario_names[SC_MAX];

struct bench_opts {
	double seconds;                 /* each timed measurement */
	double warmup;                  /* TCP path before the runs (at least one pass over the flows) */
	unsigned runs;
	int json;
	int sw_cksum;                   /* port without checksum offloads: checksums computed and verified */
	int no_ring;                    /* skip the net_ring ceiling */
	int tcp_only;                   /* skip both ceilings (profiling) */
	double virtual_ns;              /* > 0: the worker's clock advances this much per packet */
	uint32_t flows[BENCH_MAX_FLOW_COUNTS];
	unsigned nflows;
	unsigned scenarios;             /* bit mask of enum bench_scenario */
	unsigned core;
	unsigned mem_mb;                /* 0: computed */
	const char *hugepages;          /* "auto", "yes", "no" */
	/* conn */
	unsigned conn_modes;            /* bit 0: rps, bit 1: cps */
	unsigned conn_mode;             /* enum tern_client_mode of the current run */
	uint32_t concurrency;
	uint32_t conn_bytes;            /* answer body */
	const char *linux_conn;         /* tern-linux-conn for the baseline; NULL: none */
	int two_cores;                  /* --layout two-cores: the server on lcore core2 */
	int wire;                       /* --wire: enum pair_wire_kind (one-core layouts) */
	uint32_t rate;                  /* --rate: proxy, a fixed offered load (req/s); 0: closed loop */
	unsigned core2;                 /* the second CPU (and lcore) of two-cores */
};

/* What the simulated client knows about one connection. */
struct peer_flow {
	uint32_t seq;       /* next sequence number the client sends (host order) */
	uint32_t ack;       /* last acknowledgment number it sent */
	uint32_t tsoff;     /* tern's timestamp = tern's tick + tsoff */
	uint32_t ecr;       /* timestamp to echo next */
};

/* One frame template and the checksum bases for software checksum mode. */
struct frame_tmpl {
	uint8_t b[1600];
	uint16_t len;
	uint32_t ip_sum;    /* raw 16-bit sum of the IPv4 header without src and checksum */
	uint32_t tcp_sum;   /* raw sum of pseudo-header and segment without the patched fields */
	int has_ts;
	uint16_t ts_off;    /* offset of TSval in the frame */
};

/* A worker, its port, pool and the client side of N connections. */
struct bench_env {
	enum bench_scenario sc;
	uint32_t nflows;
	const struct bench_opts *o;
	struct tern_config cfg;
	struct tern_port port;
	struct stack_worker *sw;        /* the worker under test (net + tcp + services) */
	struct rte_mempool *pool;
	uint64_t tsc_hz, tsc_per_ms;
	/* client */
	struct peer_flow *peer;
	uint32_t *order;                /* random permutation: the order flows are visited */
	uint32_t cursor;
	struct peer_flow *synp;         /* SYN scenario: tuples outside the established ones */
	uint32_t *syn_order;
	uint32_t nsyn, syn_cursor;
	uint32_t syn_batch[BENCH_BURST];
	uint32_t nsyn_batch;
	struct frame_tmpl t_main;       /* what the scenario sends */
	struct frame_tmpl t_syn;
	struct frame_tmpl t_ack;        /* completes handshakes */
	struct frame_tmpl t_rst;
	uint16_t payload;               /* data scenarios: bytes per segment */
	/* transmit side */
	int capture;                    /* learn ISS and TSval from SYN,ACKs */
	long trace;                     /* frames still to print (TERN_BENCH_TRACE) */
	uint32_t captured;
	uint32_t tick_at_rx;            /* tern's TCP tick while it processed the last input */
	struct rte_mbuf **feed;         /* the burst the next worker loop receives */
	uint16_t nfeed;
	uint64_t tx_frames;
	/* virtual clock (profiling): TSC units per packet; off: the TSC */
	int vclock_on;
	double vclock, vclock_per_pkt;
	/* net_ring ceiling */
	int ring_port;                  /* -1 when absent */
	struct rte_ring *rxr, *txr;
	/* EAL heap and process RSS around the stack's set-up (mem) */
	uint64_t heap_before, heap_after_init;
	uint64_t rss_before, rss_after_init;
};

/* One timed measurement. */
struct bench_sample {
	uint64_t packets;
	uint64_t cycles;
	uint64_t out_frames;
	uint64_t drops;
	double cpu_share;   /* thread CPU time / wall time: below 1 when other processes ran */
};

/* env.c */
struct bench_env *bench_env_create(const struct bench_opts *o, enum bench_scenario sc,
				   uint32_t nflows, char *err, size_t errlen);
/* max_conns: [tcp] max_connections (0: nflows plus room for SYN embryos). */
struct bench_env *bench_env_create_ex(const struct bench_opts *o, enum bench_scenario sc,
				      uint32_t nflows, uint32_t max_conns, char *err, size_t errlen);
void bench_env_destroy(struct bench_env *e);
/* EAL memory an environment needs (for -m). */
uint64_t bench_env_bytes(enum bench_scenario sc, uint32_t nflows);
/* Opens e->nflows connections through the real input path. Returns 0 or -1. */
int bench_establish(struct bench_env *e, char *err, size_t errlen);
void bench_poll_tail(struct bench_env *e);
/* One worker loop (tern_worker_poll) at TSC now, receiving the n frames of pkts. */
void bench_loop(struct bench_env *e, struct rte_mbuf **pkts, uint16_t n, uint64_t now);
uint64_t bench_drop_count(const struct bench_env *e);
int bench_ring_port(struct rte_ring **rxr, struct rte_ring **txr);

/* gen.c */
void tmpl_build(struct frame_tmpl *t, const struct bench_env *e, uint8_t flags,
		uint16_t payload, int syn_opts, int ts);
uint32_t flow_ip(uint32_t idx);         /* host order */
uint16_t flow_port(uint32_t idx);
uint32_t syn_ip(uint32_t idx);
uint16_t syn_port(uint32_t idx);
int flow_of(uint32_t ip, uint16_t port, uint32_t *idx);
/* Fills n fresh mbufs with frames of the scenario (the client advances its state). */
unsigned gen_burst(struct bench_env *e, struct rte_mbuf **pkts, unsigned n);
/* SYN scenario: RSTs for the last SYN burst. */
unsigned gen_rst_burst(struct bench_env *e, struct rte_mbuf **pkts);
/* Handshake frames for flows [first, first + n). */
unsigned gen_handshake(struct bench_env *e, struct rte_mbuf **pkts, uint32_t first,
		       unsigned n, int final_ack);
void gen_shuffle(uint32_t *a, uint32_t n, uint64_t seed);

/* pps.c / mem.c */
int bench_pps(const struct bench_opts *o, FILE *out);
int bench_mem(const struct bench_opts *o, FILE *out);

/* main.c */
double bench_median(double *v, unsigned n);
uint64_t bench_rss_bytes(void);
uint64_t bench_heap_bytes(void);   /* EAL heap in use */
extern int bench_huge;             /* EAL runs on hugepages */

/* conn: two tern stacks back to back in memory, client and http server. */
int bench_conn(const struct bench_opts *o, FILE *out);
int bench_proxy(const struct bench_opts *o, FILE *out);

#endif
