/*
 * Frames of the modelled peers, and the check of every frame tern sends.
 * Checksums are computed here from RFC 1071 with no help from lib/net, so
 * the check of tern's output is independent of the code it checks.
 */
#include <arpa/inet.h>

#include "frames.h"
#include "fuzz.h"

const uint8_t fr_tern_mac[6] = { 0x02, 0x7e, 0x00, 0x00, 0x00, 0x01 };

void
fr_mac_of(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x9e;
	mac[2] = (uint8_t)(ip >> 24);
	mac[3] = (uint8_t)(ip >> 16);
	mac[4] = (uint8_t)(ip >> 8);
	mac[5] = (uint8_t)ip;
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static size_t
eth_header(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, type);
	return 14;
}

/* An IPv4 header of hlen bytes (options are NOPs) for a payload of len. */
static void
ip_header(uint8_t *ip, size_t hlen, uint32_t src, uint32_t dst, uint8_t proto, size_t len,
	  const struct fr_tcp *t)
{
	memset(ip, 0, hlen);
	ip[0] = (uint8_t)(0x40 | hlen / 4);
	ip[1] = t != NULL ? t->tos : 0;
	put16(ip + 2, (uint16_t)(hlen + len + (t != NULL ? t->tot_delta : 0)));
	put16(ip + 4, 0x1234);
	put16(ip + 6, t != NULL ? t->frag : 0x4000);
	ip[8] = t != NULL ? t->ttl : 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	memset(ip + 20, 1, hlen - 20);
	put16(ip + 10, fold(sum16(ip, hlen, 0)));
	if (t != NULL && t->bad_ip_cksum)
		ip[10] ^= 0x5a;
}

size_t
fr_build_tcp(uint8_t *buf, const struct fr_tcp *t)
{
	uint8_t smac[6], dmac[6];
	size_t iphl = 20 + (t->ip_optlen & ~3u), optl = (t->optlen + 3u) & ~3u;
	size_t thl = 20 + optl, off = 0;
	uint8_t *ip, *th;
	uint32_t s;

	fr_mac_of(t->src, smac);
	if (t->l2_dst_ip != 0)
		fr_mac_of(t->l2_dst_ip, dmac);
	else
		memcpy(dmac, fr_tern_mac, 6);
	off = eth_header(buf, dmac, smac, 0x0800);
	ip = buf + off;
	th = ip + iphl;
	memset(th, 0, thl);
	put16(th, t->sport);
	put16(th + 2, t->dport);
	put32(th + 4, t->seq);
	put32(th + 8, t->ack);
	th[12] = (uint8_t)((((thl / 4) + t->doff_delta) & 0xf) << 4);
	th[13] = t->flags;
	put16(th + 14, t->win);
	memcpy(th + 20, t->opts, t->optlen); /* the rest stays 0: EOL */
	if (t->len > 0)
		memcpy(th + thl, t->payload, t->len);
	/* The pseudo-header (RFC 9293 §3.1), then the segment. */
	s = (t->src >> 16) + (t->src & 0xffff) + (t->dst >> 16) + (t->dst & 0xffff) + 6 +
	    (uint32_t)(thl + t->len);
	put16(th + 16, fold(sum16(th, thl + t->len, s)));
	if (t->bad_tcp_cksum)
		th[17] ^= 0xa5;
	ip_header(ip, iphl, t->src, t->dst, 6, thl + t->len, t);
	off += iphl + thl + t->len;
	memset(buf + off, 0, t->pad);
	return off + t->pad;
}

size_t
fr_build_arp(uint8_t *buf, uint16_t op, uint32_t sip, const uint8_t sha[6], uint32_t tip,
	     const uint8_t tha[6], const uint8_t eth_dst[6])
{
	size_t off = eth_header(buf, eth_dst, sha, 0x0806);
	uint8_t *a = buf + off;

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	put32(a + 14, sip);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tip);
	return off + 28;
}

size_t
fr_build_icmp(uint8_t *buf, uint32_t src, uint8_t type, uint8_t code, uint32_t rest,
	      const uint8_t *payload, uint16_t len, int bad_cksum)
{
	uint8_t smac[6];
	size_t off;
	uint8_t *ic;

	fr_mac_of(src, smac);
	off = eth_header(buf, fr_tern_mac, smac, 0x0800);
	ic = buf + off + 20;
	ic[0] = type;
	ic[1] = code;
	put16(ic + 2, 0);
	put32(ic + 4, rest);
	memcpy(ic + 8, payload, len);
	put16(ic + 2, fold(sum16(ic, 8u + len, 0)));
	if (bad_cksum)
		ic[3] ^= 1;
	ip_header(buf + off, 20, src, FR_TERN, 1, 8u + len, NULL);
	return off + 20 + 8 + len;
}

/* ---- what tern sends ------------------------------------------------------------------- */

static int
is_tern_addr(uint32_t a)
{
	return a == FR_TERN || a == FR_VIP;
}

static void
check_arp(struct fr_world *wd, const uint8_t *f, uint32_t len)
{
	const uint8_t *a = f + 14;
	uint32_t sip, tip;

	FUZZ_CHECK(len == 42, "an ARP frame of %u bytes", len);
	FUZZ_CHECK(get16(a) == 1 && get16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4 &&
		   (get16(a + 6) == 1 || get16(a + 6) == 2), "a malformed ARP frame");
	FUZZ_CHECK(memcmp(a + 8, fr_tern_mac, 6) == 0, "ARP from another sender MAC");
	sip = get32(a + 14);
	tip = get32(a + 24);
	FUZZ_CHECK(is_tern_addr(sip), "ARP for a sender address not ours: %08x", sip);
	if (get16(a + 6) == 1 && tip != sip)
		wd->arp_asked[wd->narp++ % RTE_DIM(wd->arp_asked)] = tip;
}

/* Options as RFC 9293 §3.1 lays them out; returns the timestamp value or 0. */
static uint32_t
check_options(const uint8_t *o, size_t n, int syn, uint16_t *mss)
{
	uint32_t tsval = 0;

	for (size_t i = 0; i < n;) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		FUZZ_CHECK(i + 1 < n && o[i + 1] >= 2 && i + o[i + 1] <= n,
			   "option %u runs past the header", o[i]);
		if (o[i] == 2) {
			FUZZ_CHECK(syn && o[i + 1] == 4, "MSS outside a SYN");
			*mss = get16(o + i + 2);
		}
		if (o[i] == 3 || o[i] == 4)
			FUZZ_CHECK(syn, "option %u outside a SYN", o[i]);
		if (o[i] == 3)
			FUZZ_CHECK(o[i + 2] <= 14, "window scale %u", o[i + 2]);
		if (o[i] == 5)
			FUZZ_CHECK(!syn && (o[i + 1] - 2) % 8 == 0 && o[i + 1] <= 34, "SACK option");
		if (o[i] == 8 && o[i + 1] == 10)
			tsval = get32(o + i + 2);
		i += o[i + 1];
	}
	return tsval;
}

static int
after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* The model learns what tern sent on the flow. */
static void
learn_tcp(struct fr_world *wd, uint32_t src, uint32_t dst, const uint8_t *th, uint32_t plen,
	  uint32_t tsval)
{
	uint16_t sport = get16(th), dport = get16(th + 2);
	uint32_t seq = get32(th + 4), ack = get32(th + 8);
	uint8_t fl = th[13];
	struct fr_flow *fw = fr_flow_find(wd, dst, dport, src, sport);

	if (fw == NULL && (fl & 0x12) == 0x02)
		fw = fr_flow_add(wd, dst, dport, src, sport); /* an active open: a client, the proxy */
	if (fw == NULL)
		return;
	if (fl & 0x02) {
		fw->tern_syn = 1;
		fw->tern_isn = seq;
		fw->tern_nxt = seq;
		fw->reset = 0;
	}
	if (after(seq + plen + !!(fl & 0x02) + !!(fl & 0x01), fw->tern_nxt))
		fw->tern_nxt = seq + plen + !!(fl & 0x02) + !!(fl & 0x01);
	if (fl & 0x10)
		fw->tern_ack = ack;
	if (fl & 0x04)
		fw->reset = 1;
	if (tsval != 0)
		fw->tern_tsval = tsval;
	fw->tern_bytes += plen;
}

static void
check_tcp(struct fr_world *wd, uint32_t src, uint32_t dst, const uint8_t *th, uint32_t len)
{
	uint32_t thl = (uint32_t)(th[12] >> 4) * 4, s, tsval;
	uint16_t mss = 0;
	uint8_t fl;

	FUZZ_CHECK(len >= 20 && thl >= 20 && thl <= len, "TCP header of %u in %u bytes", thl, len);
	s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + len;
	FUZZ_CHECK(fold(sum16(th, len, s)) == 0, "a bad TCP checksum");
	fl = th[13];
	FUZZ_CHECK(!((fl & 0x02) && (fl & 0x05)), "SYN with FIN or RST (flags %02x)", fl);
	FUZZ_CHECK((fl & 0x14) || (fl & 0x02), "a segment with neither ACK, SYN nor RST: %02x", fl);
	FUZZ_CHECK(!((fl & 0x04) && len > thl), "data on a RST");
	tsval = check_options(th + 20, thl - 20, fl & 0x02, &mss);
	if (fl & 0x02)
		FUZZ_CHECK(mss >= 64 || mss == 0, "MSS %u", mss);
	if (fr_trace())
		fprintf(stderr, "out %08x:%u > %u %02x seq %u ack %u len %u\n", dst, get16(th + 2), get16(th),
			fl, get32(th + 4), get32(th + 8), len - thl);
	learn_tcp(wd, src, dst, th, len - thl, tsval);
}

static void
check_ipv4(struct fr_world *wd, const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14;
	uint32_t tot, src, dst;

	FUZZ_CHECK(len >= 34 && ip[0] == 0x45, "IPv4 header %02x in %u bytes", len > 14 ? ip[0] : 0,
		   len);
	tot = get16(ip + 2);
	FUZZ_CHECK(tot == len - 14, "IP total length %u in a frame of %u", tot, len);
	FUZZ_CHECK(tot <= 1500, "a datagram of %u bytes over the MTU", tot);
	FUZZ_CHECK(fold(sum16(ip, 20, 0)) == 0, "a bad IP header checksum");
	FUZZ_CHECK(ip[8] > 0, "TTL 0");
	src = get32(ip + 12);
	dst = get32(ip + 16);
	FUZZ_CHECK(is_tern_addr(src), "from an address not ours: %08x", src);
	FUZZ_CHECK(dst != 0 && dst != UINT32_MAX && (dst >> 28) < 0xe && !is_tern_addr(dst),
		   "to %08x", dst);
	if (ip[9] == 6) {
		check_tcp(wd, src, dst, ip + 20, tot - 20);
	} else {
		FUZZ_CHECK(ip[9] == 1, "protocol %u", ip[9]);
		FUZZ_CHECK(tot >= 28 && fold(sum16(ip + 20, tot - 20, 0)) == 0, "a bad ICMP checksum");
	}
}

void
fr_check_out(struct fr_world *wd, unsigned worker, const uint8_t *f, uint32_t len)
{
	static const uint8_t zero[6];

	(void)worker;
	wd->frames_out++;
	FUZZ_CHECK(len >= 14, "a frame of %u bytes", len);
	FUZZ_CHECK(memcmp(f + 6, fr_tern_mac, 6) == 0, "a frame from another MAC");
	FUZZ_CHECK(memcmp(f, zero, 6) != 0, "a frame to MAC 0 (sent before resolution?)");
	switch (get16(f + 12)) {
	case 0x0806:
		check_arp(wd, f, len);
		break;
	case 0x0800:
		check_ipv4(wd, f, len);
		break;
	default:
		FUZZ_CHECK(0, "ether type %04x", get16(f + 12));
	}
}
