/*
 * The simulated client: frame templates and the per-burst generator. Every
 * frame is a fresh mbuf from the worker's pool with the template copied in
 * and the per-flow fields patched (source address and port, SEQ, ACK,
 * TSval, TSecr), as a PMD would hand over a received frame. The ceiling
 * loops call the same generator, so their per-packet work is the same.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "bench.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))
#define FLOW_NET IP4(198, 19, 0, 0)     /* established flows: 198.19.0.0/17 */
#define SYN_NET IP4(198, 19, 128, 0)    /* SYN scenario tuples: 198.19.128.0/17 */
#define PORT_BASE 1024
#define PORTS_PER_IP 4096

uint32_t
flow_ip(uint32_t idx)
{
	return FLOW_NET | ((idx / PORTS_PER_IP) + 1);
}

uint16_t
flow_port(uint32_t idx)
{
	return (uint16_t)(PORT_BASE + idx % PORTS_PER_IP);
}

uint32_t
syn_ip(uint32_t idx)
{
	return SYN_NET | ((idx / PORTS_PER_IP) + 1);
}

uint16_t
syn_port(uint32_t idx)
{
	return (uint16_t)(PORT_BASE + idx % PORTS_PER_IP);
}

int
flow_of(uint32_t ip, uint16_t port, uint32_t *idx)
{
	if ((ip & 0xffff8000u) != FLOW_NET || (ip & 0x7fff) == 0 || port < PORT_BASE ||
	    port >= PORT_BASE + PORTS_PER_IP)
		return -1;
	*idx = ((ip & 0x7fff) - 1) * PORTS_PER_IP + (port - PORT_BASE);
	return 0;
}

void
gen_shuffle(uint32_t *a, uint32_t n, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (uint32_t i = 0; i < n; i++)
		a[i] = i;
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		j = (uint32_t)(x % i);
		uint32_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static uint32_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/*
 * Builds a frame from the client (behind the gateway) to tern's listener.
 * Source address, source port, SEQ, ACK and the timestamps are left zero
 * and patched per packet.
 */
void
tmpl_build(struct frame_tmpl *t, const struct bench_env *e, uint8_t flags, uint16_t payload,
	   int syn_opts, int ts)
{
	static const struct rte_ether_addr gw_mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0xfe } };
	struct rte_ether_hdr *eth = (void *)t->b;
	struct rte_ipv4_hdr *ip = (void *)(t->b + OFF_IP);
	struct rte_tcp_hdr *th = (void *)(t->b + OFF_TCP);
	uint8_t *o = t->b + OFF_OPT;
	unsigned olen = 0;
	uint16_t wnd;

	memset(t, 0, sizeof(*t));
	eth->dst_addr = e->port.mac;
	eth->src_addr = gw_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (syn_opts) {
		/* Linux's SYN: MSS, SACK-permitted, timestamps, NOP, window scale 0. */
		o[0] = 2, o[1] = 4, o[2] = 1460 >> 8, o[3] = 1460 & 0xff;
		o[4] = 4, o[5] = 2;
		o[6] = 8, o[7] = 10;
		o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 0;
		olen = 20;
		t->has_ts = 1;
		t->ts_off = OFF_OPT + 8;
	} else if (ts) {
		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
		olen = 12;
		t->has_ts = 1;
		t->ts_off = OFF_OPT + 4;
	}
	memset(o + olen, 0x5a, payload);
	t->len = (uint16_t)(OFF_OPT + olen + payload);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(t->len - OFF_IP));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->dst_addr = e->port.addr;
	th->dst_port = rte_cpu_to_be_16(BENCH_LISTEN_PORT);
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->tcp_flags = flags;
	/* The ACK scenario's window is two segments, so every ACK releases one. */
	wnd = (flags & RTE_TCP_RST_FLAG) ? 0 : e->sc == SC_ACK && !(flags & RTE_TCP_SYN_FLAG) ?
		2 * BENCH_MSS : 65535;
	th->rx_win = rte_cpu_to_be_16(wnd);
	/* Checksum bases with every patched field zero. */
	t->ip_sum = rte_raw_cksum(ip, sizeof(*ip));
	t->tcp_sum = rte_ipv4_phdr_cksum(ip, 0) + rte_raw_cksum(th, t->len - OFF_TCP);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static inline uint32_t
halves(uint32_t v)
{
	return (v & 0xffff) + (v >> 16);
}

/* Copies the template into m and patches it; all values in host order. */
static inline void
emit(const struct bench_env *e, struct rte_mbuf *m, const struct frame_tmpl *t, uint32_t ip,
     uint16_t port, uint32_t seq, uint32_t ack, uint32_t tsval, uint32_t ecr)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t ip_be = rte_cpu_to_be_32(ip), seq_be = rte_cpu_to_be_32(seq);
	uint32_t ack_be = rte_cpu_to_be_32(ack), tsv_be = rte_cpu_to_be_32(tsval);
	uint32_t ecr_be = rte_cpu_to_be_32(ecr);
	uint16_t port_be = rte_cpu_to_be_16(port);

	rte_memcpy(p, t->b, t->len);
	m->data_len = t->len;
	m->pkt_len = t->len;
	m->port = 0;
	put32(p + OFF_IP + 12, ip_be);
	put16(p + OFF_TCP, port_be);
	put32(p + OFF_TCP + 4, seq_be);
	put32(p + OFF_TCP + 8, ack_be);
	if (t->has_ts) {
		put32(p + t->ts_off, tsv_be);
		put32(p + t->ts_off + 4, ecr_be);
	}
	if (e->o->sw_cksum) {
		uint32_t s = t->ip_sum + halves(ip_be);

		put16(p + OFF_IP + 10, (uint16_t)~fold(s));
		s = t->tcp_sum + halves(ip_be) + port_be + halves(seq_be) + halves(ack_be);
		if (t->has_ts)
			s += halves(tsv_be) + halves(ecr_be);
		put16(p + OFF_TCP + 16, (uint16_t)~fold(s));
		m->ol_flags = 0;
	} else {
		/* What a NIC with RX checksum offload reports (tern's production ports). */
		m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
}

static inline uint32_t
next_flow(struct bench_env *e)
{
	uint32_t f = e->order[e->cursor];
	uint32_t ahead = e->cursor + 8 < e->nflows ? e->cursor + 8 : (e->cursor + 8) % e->nflows;

	rte_prefetch0(&e->peer[e->order[ahead]]);
	if (++e->cursor == e->nflows)
		e->cursor = 0;
	return f;
}

unsigned
gen_burst(struct bench_env *e, struct rte_mbuf **pkts, unsigned n)
{
	struct stack_worker *sw = e->sw;
	uint32_t now_ms = (uint32_t)(sw->w.now / e->tsc_per_ms);
	uint32_t tick = (uint32_t)sw->tcp.tick;

	if (rte_pktmbuf_alloc_bulk(e->pool, pkts, n) != 0)
		return 0;
	switch (e->sc) {
	case SC_ACK:
		for (unsigned i = 0; i < n; i++) {
			uint32_t f = next_flow(e);
			struct peer_flow *p = &e->peer[f];

			/* One more segment acknowledged; echo the TSval tern sent it with. */
			p->ack += BENCH_MSS;
			emit(e, pkts[i], &e->t_main, flow_ip(f), flow_port(f), p->seq, p->ack, now_ms,
			     p->ecr);
			p->ecr = tick + p->tsoff;
		}
		break;
	case SC_DATA64:
	case SC_DATA1448:
		for (unsigned i = 0; i < n; i++) {
			uint32_t f = next_flow(e);
			struct peer_flow *p = &e->peer[f];

			emit(e, pkts[i], &e->t_main, flow_ip(f), flow_port(f), p->seq, p->ack, now_ms,
			     tick + p->tsoff);
			p->seq += e->payload;
		}
		break;
	case SC_OOO:
		for (unsigned i = 0; i + 1 < n; i += 2) {
			uint32_t f = next_flow(e);
			struct peer_flow *p = &e->peer[f];

			/* The second segment first, then the one that fills the hole. */
			emit(e, pkts[i], &e->t_main, flow_ip(f), flow_port(f), p->seq + e->payload,
			     p->ack, now_ms, tick + p->tsoff);
			emit(e, pkts[i + 1], &e->t_main, flow_ip(f), flow_port(f), p->seq, p->ack,
			     now_ms, tick + p->tsoff);
			p->seq += 2u * e->payload;
		}
		if (n & 1)
			rte_pktmbuf_free(pkts[--n]);
		break;
	case SC_SYN:
		e->nsyn_batch = 0;
		for (unsigned i = 0; i < n; i++) {
			uint32_t s = e->syn_order[e->syn_cursor];

			if (++e->syn_cursor == e->nsyn)
				e->syn_cursor = 0;
			emit(e, pkts[i], &e->t_syn, syn_ip(s), syn_port(s), e->synp[s].seq, 0, now_ms, 0);
			e->syn_batch[e->nsyn_batch++] = s;
		}
		break;
	default:
		break;
	}
	return n;
}

unsigned
gen_rst_burst(struct bench_env *e, struct rte_mbuf **pkts)
{
	unsigned n = e->nsyn_batch;

	if (n == 0 || rte_pktmbuf_alloc_bulk(e->pool, pkts, n) != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = e->syn_batch[i];

		/* RST at RCV.NXT of the embryo: it goes back to LISTEN (RFC 9293 §3.10.7.4). */
		emit(e, pkts[i], &e->t_rst, syn_ip(s), syn_port(s), e->synp[s].seq + 1, 0, 0, 0);
	}
	e->nsyn_batch = 0;
	return n;
}

unsigned
gen_handshake(struct bench_env *e, struct rte_mbuf **pkts, uint32_t first, unsigned n,
	      int final_ack)
{
	struct stack_worker *sw = e->sw;
	uint32_t now_ms = (uint32_t)(sw->w.now / e->tsc_per_ms);

	if (rte_pktmbuf_alloc_bulk(e->pool, pkts, n) != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t f = first + i;
		struct peer_flow *p = &e->peer[f];

		if (!final_ack)
			emit(e, pkts[i], &e->t_syn, flow_ip(f), flow_port(f), p->seq - 1, 0, now_ms, 0);
		else {
			/*
			 * ACK scenario: the client acknowledges each flow once per pass over
			 * all of them, so its RTT is that pass, not this in-memory
			 * handshake's microseconds. The handshake's TSecr pretends so (an
			 * estimate of 10 us per flow); otherwise SRTT starts tiny and the
			 * tail loss probe (2 SRTT) fires between visits.
			 */
			uint32_t ecr = p->ecr;

			if (e->sc == SC_ACK)
				ecr -= RTE_MAX(e->nflows / 100, 10u);
			emit(e, pkts[i], &e->t_ack, flow_ip(f), flow_port(f), p->seq, p->ack, now_ms,
			     ecr);
		}
	}
	return n;
}
