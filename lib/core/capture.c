/* Packet capture, the worker's side (see capture.h). */
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "capture.h"
#include "worker.h"

#define CAPTURE_CHUNK 32
#define CAPTURE_NS_PER_S 1000000000ull

/* The head of a pcapng Enhanced Packet Block (pcapng §4.3), as rte_pcapng_copy lays it out. */
struct epb_head {
	uint32_t block_type;
	uint32_t block_length;
	uint32_t interface_id;
	uint32_t timestamp_hi;
	uint32_t timestamp_lo;
	uint32_t capture_length;
	uint32_t original_length;
};

static int
arp_match(const struct tern_capture_filter *f, const uint8_t *l3, uint32_t len)
{
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)l3;

	if (f->has_l4port || len < sizeof(*arp))
		return 0;
	return !f->has_host || arp->arp_data.arp_sip == f->host || arp->arp_data.arp_tip == f->host;
}

/* The L4 ports of a TCP or UDP datagram that is not a later fragment. */
static int
l4port_match(const struct tern_capture_filter *f, const struct rte_ipv4_hdr *ip, uint32_t len)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	const rte_be16_t *ports = (const rte_be16_t *)((const uint8_t *)ip + ihl);

	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return 0;
	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0 || len < ihl + 4)
		return 0;
	return ports[0] == f->l4port || ports[1] == f->l4port;
}

int
tern_capture_match(const struct tern_capture_filter *f, const void *frame, uint32_t len)
{
	const struct rte_ether_hdr *eth = frame;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);

	if (!f->has_host && !f->has_l4port)
		return 1;
	if (len < sizeof(*eth))
		return 0;
	len -= sizeof(*eth);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return arp_match(f, (const uint8_t *)ip, len);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || len < sizeof(*ip) ||
	    (ip->version_ihl >> 4) != 4 || (ip->version_ihl & 0x0f) < 5)
		return 0;
	if (f->has_host && ip->src_addr != f->host && ip->dst_addr != f->host)
		return 0;
	return !f->has_l4port || l4port_match(f, ip, len);
}

static uint64_t
tsc_to_ns(uint64_t d, uint64_t hz)
{
	/* Whole seconds first: d * 1e9 would overflow after a few seconds. */
	return d / hz * CAPTURE_NS_PER_S + d % hz * CAPTURE_NS_PER_S / hz;
}

uint64_t
tern_capture_ns(const struct tern_capture *c, uint64_t tsc)
{
	if (tsc >= c->epoch_tsc)
		return c->epoch_ns + tsc_to_ns(tsc - c->epoch_tsc, c->tsc_hz);
	return c->epoch_ns - tsc_to_ns(c->epoch_tsc - tsc, c->tsc_hz);
}

/*
 * The copy's timestamp, and the checksums its frame left to the NIC.
 * rte_pcapng_copy of DPDK 22.11 converts the TSC through a clock base it
 * keeps in one static and moves forward a second at a time, unsynchronised;
 * a stamp older than that base (another lcore's copy moved it past this
 * one's) throws it, and every later timestamp, centuries off. The stamp is
 * written again from this capture's own epoch, which the workers only read.
 */
static void
copy_fixup(struct tern_worker *w, struct rte_mbuf *mc, uint64_t ns, enum rte_pcapng_direction dir)
{
	struct epb_head *epb = rte_pktmbuf_mtod(mc, struct epb_head *);

	epb->timestamp_hi = (uint32_t)(ns >> 32);
	epb->timestamp_lo = (uint32_t)ns;
	/* A truncated copy cannot be summed; it keeps what tern handed to the NIC. */
	if (dir != RTE_PCAPNG_DIRECTION_OUT || w->finalize == NULL ||
	    epb->capture_length != epb->original_length ||
	    !(mc->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)))
		return;
	rte_pktmbuf_adj(mc, sizeof(*epb));
	w->finalize(mc);
	rte_pktmbuf_prepend(mc, sizeof(*epb));
}

static void
account(struct tern_worker *w, struct tern_capture *c, uint16_t port, unsigned taken,
	unsigned lost)
{
	CNT_ADD(&w->cnt, CapturePackets, taken);
	CNT_ADD(&w->cnt, CaptureDrops, lost);
	c->packets[port] += taken;
	c->drops[port] += lost;
}

/* Up to CAPTURE_CHUNK frames of pkts. */
static void
capture_chunk(struct tern_worker *w, struct tern_capture *c, uint16_t port,
	      struct rte_mbuf *const *pkts, uint16_t n, enum rte_pcapng_direction dir,
	      uint64_t tsc, uint64_t ns)
{
	struct rte_mbuf *copies[CAPTURE_CHUNK];
	unsigned k = 0, lost = 0, taken;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mc;

		if (!tern_capture_match(&c->filter, rte_pktmbuf_mtod(pkts[i], const void *),
					rte_pktmbuf_data_len(pkts[i])))
			continue;
		mc = rte_pcapng_copy(w->ports[port].port_id, w->index, pkts[i], c->pool, c->snaplen,
				     tsc, dir);
		if (unlikely(mc == NULL)) {
			lost++;
			continue;
		}
		copy_fixup(w, mc, ns, dir);
		copies[k++] = mc;
	}
	taken = k == 0 ? 0 : rte_ring_sp_enqueue_burst(c->ring, (void **)copies, k, NULL);
	if (taken < k) {
		rte_pktmbuf_free_bulk(copies + taken, k - taken);
		lost += k - taken;
	}
	account(w, c, port, taken, lost);
}

void
tern_capture_burst(struct tern_worker *w, struct tern_capture *c, uint16_t port,
		   struct rte_mbuf *const *pkts, uint16_t n, enum rte_pcapng_direction dir)
{
	uint64_t tsc, ns;

	if (c->filter.port != TERN_CAPTURE_ANY_PORT && c->filter.port != port)
		return;
	/* The loop's TSC is older than the frames on a live clock; virtual clocks have only it. */
	tsc = w->live_clock ? rte_rdtsc() : w->now;
	ns = tern_capture_ns(c, tsc);
	for (uint16_t first = 0; first < n; first += CAPTURE_CHUNK)
		capture_chunk(w, c, port, pkts + first, RTE_MIN((uint16_t)(n - first),
			      (uint16_t)CAPTURE_CHUNK), dir, tsc, ns);
}
