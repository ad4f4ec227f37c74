/*
 * The frame harness's world (frames.h): EAL without hugepages, one mbuf
 * pool, a configuration per variant (text, loaded as a file would be),
 * workers built and torn down through the composition root, the proxy's
 * control side, the hooks, and the leak checks.
 */
#include <stdarg.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "core/clock.h"
#include "core/eal.h"
#include "frames.h"
#include "fuzz.h"
#include "net/arp_cache.h"
#include "proxy/proxy.h"

#define FR_HZ 1000000000ull          /* 1 TSC tick = 1 ns */
#define FR_START (1000ull * FR_HZ)   /* nothing starts at time 0 */
#define FR_MBUFS 8191

static struct rte_mempool *pool;
static struct tern_config *configs[FR_VARIANTS];
static char runtime_dir[512];

static void
global_exit(void)
{
	rte_eal_cleanup();
	tern_eal_remove_own_dir(runtime_dir);
}

void
fr_global_init(void)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "--file-prefix=tern-fuzz-%d", (int)getpid());
	char *argv[] = { "fuzz-frames", "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
			 "--no-telemetry", "-l", "0", "--log-level", "error", prefix, NULL };
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "fuzz-frames: rte_eal_init failed\n");
		exit(1);
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(global_exit);
	tern_clock_init(FR_HZ);
	pool = rte_pktmbuf_pool_create("fuzz_frames", FR_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "fuzz-frames: cannot create the mbuf pool\n");
		exit(1);
	}
}

/* ---- configuration ------------------------------------------------------------------- */

static size_t
cat(char *buf, size_t cap, size_t used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t
cat(char *buf, size_t cap, size_t used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
	FUZZ_CHECK(n >= 0 && (size_t)n < cap - used, "configuration text too long");
	return used + (size_t)n;
}

static size_t
config_tcp(char *b, size_t cap, size_t u, unsigned v)
{
	u = cat(b, cap, u, "[tcp]\nmax_connections = 32\nbacklog = 4\nmsl_ms = 2000\n"
		"fin_wait2_ms = 5000\nsyn_retries = 3\nsynack_retries = 2\nretries = 5\n"
		"initial_rto_ms = 300\nmin_rto_ms = 50\nmax_rto_ms = 2000\n"
		"challenge_ack_limit = 10\ncc = %s\n", v & FRV_NEWRENO ? "newreno" : "cubic");
	if (v & FRV_PLAIN_TCP)
		u = cat(b, cap, u, "sack = no\ntimestamps = no\nwindow_scaling = no\n");
	if (v & FRV_SMALL_BUFS)
		u = cat(b, cap, u, "rcvbuf = 4096\nsndbuf = 4096\nooo_mbufs = 8\nnagle = no\n");
	else
		u = cat(b, cap, u, "rcvbuf = 65536\nsndbuf = 65536\nooo_mbufs = 256\n");
	if (v & FRV_KEEPALIVE)
		u = cat(b, cap, u, "keepalive = yes\nkeepalive_idle_ms = 1000\n"
			"keepalive_interval_ms = 200\nkeepalive_probes = 3\n");
	return u;
}

static size_t
config_proxy(char *b, size_t cap, size_t u, unsigned v)
{
	const char *balance = v & FRV_NEWRENO ? "maglev" : v & FRV_PLAIN_TCP ? "leastconn" :
			      "roundrobin";

	u = cat(b, cap, u, "[frontend.web]\nbind = 10.0.0.10:80\nbackend = b\nclient_ms = 3000\n"
		"[frontend.pp1]\nbind = 10.0.0.10:81\nbackend = b\naccept_proxy = v1\n"
		"[frontend.pp2]\nbind = 10.0.0.10:82\nbackend = b\naccept_proxy = v2\nmaxconn = 2\n");
	u = cat(b, cap, u, "[backend.b]\nserver.s1 = 10.0.0.2:8000\n"
		"server.s2 = 10.0.0.20:8000 maxconn 1\nserver.s3 = 192.0.2.7:8000 backup\n"
		"balance = %s\nmaglev_size = 13\nsend_proxy = %s\ncheck = %s\n"
		"check_interval_ms = 300\ncheck_timeout_ms = 200\nrise = 1\nfall = 1\n"
		"connect_ms = 500\nserver_ms = 2000\nqueue_ms = 300\nretries = 1\n", balance,
		v & FRV_SMALL_BUFS ? "v2" : "v1", v & FRV_KEEPALIVE ? "tcp" : "http");
	return cat(b, cap, u, "[proxy]\ngrace_ms = 0\n");
}

static void
config_text(char *b, size_t cap, unsigned v)
{
	size_t u = 0;

	u = cat(b, cap, u, "[tern]\nworkers = %u\nmbufs = 1024\n", v & FRV_TWO_WORKERS ? 2u : 1u);
	u = cat(b, cap, u, "[port0]\ndevice = net_null0\naddress = 10.0.0.1/24\n"
		"gateway = 10.0.0.254\nmtu = 1500\noffloads = no\n");
	if (v & FRV_IMPAIR) /* no corruption on transmit: what tern sends is checked */
		u = cat(b, cap, u, "[impair.port0]\nseed = 7\nrx_loss = 3\nrx_duplicate = 3\n"
			"rx_reorder = 5\nrx_reorder_gap_ms = 2\nrx_corrupt = 3\ntx_loss = 3\n"
			"tx_duplicate = 3\ntx_reorder = 5\ntx_delay_ms = 1\ntx_jitter_ms = 1\n");
	u = cat(b, cap, u, "[arp]\nentries = 16\ntimeout_ms = 5000\nretry_ms = 100\nretries = 3\n"
		"queue = 4\n[icmp]\nerror_rate = 100\nerror_burst = 5\n");
	u = config_tcp(b, cap, u, v);
	u = cat(b, cap, u, "[service.http]\ntype = http\nport = 80\n"
		"[service.echo]\ntype = echo\nport = 7\n"
		"[service.discard]\ntype = discard\nport = 9\n"
		"[service.cl]\ntype = client\ntarget = 10.0.0.2\nport = 80\nconcurrency = 2\n"
		"start_ms = 0\nduration_ms = 0\npath = /bytes/3000\n"
		"[service.cl2]\ntype = client\ntarget = 10.0.0.9\nport = 8080\nconcurrency = 1\n"
		"start_ms = 5\nduration_ms = 0\nmode = cps\npath = /\n");
	if (v & FRV_PROXY)
		u = config_proxy(b, cap, u, v);
}

/* The variant's configuration, loaded once through the file loader. */
static struct tern_config *
config_of(unsigned v)
{
	char text[4096], err[512], path[64];
	int fd;

	if (configs[v] != NULL)
		return configs[v];
	config_text(text, sizeof(text), v);
	fd = memfd_create("tern-fuzz-frames", 0);
	FUZZ_CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "memfd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	configs[v] = calloc(1, sizeof(struct tern_config));
	FUZZ_CHECK(configs[v] != NULL, "out of memory");
	FUZZ_CHECK(tern_config_load(path, &stack_schema, configs[v], err, sizeof(err)) == 0,
		   "variant %02x: %s", v, err);
	close(fd);
	return configs[v];
}

/* ---- hooks ---------------------------------------------------------------------------- */

static uint16_t
fr_rx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t max)
{
	struct fr_world *wd = w->hook_ctx;

	(void)port;
	return tern_rx_take(wd->rx[w->index], &wd->nrx[w->index], pkts, max);
}

static void
fr_tx(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	static uint8_t buf[FR_FRAME_MAX];
	struct fr_world *wd = w->hook_ctx;

	FUZZ_CHECK(port == 0, "a frame on port %u", port);
	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
		const uint8_t *p;

		FUZZ_CHECK(len <= sizeof(buf), "a frame of %u bytes", len);
		p = rte_pktmbuf_read(pkts[i], 0, len, buf);
		FUZZ_CHECK(p != NULL, "an unreadable frame of %u bytes", len);
		fr_check_out(wd, w->index, p, len);
		rte_pktmbuf_free(pkts[i]);
	}
}

/* ---- the proxy's control side --------------------------------------------------------- */

static void
emit(void *ctx, const struct proxy_event *ev)
{
	struct fr_world *wd = ctx;
	struct stack_event se = { .kind = STACK_EV_PROXY, .len = sizeof(*ev) };

	memcpy(se.data, ev, sizeof(*ev));
	tern_chan_broadcast(wd->peers, wd->nworkers, STACK_MSG_EVENT, &se, sizeof(se));
}

/* What the main lcore does every turn: notes in, events out, replies taken. */
static void
control_side(struct fr_world *wd)
{
	int idle = 1;

	for (unsigned i = 0; i < wd->nworkers; i++) {
		struct tern_worker *w = wd->peers[i];
		struct tern_msg *m;

		while ((m = tern_chan_note(w)) != NULL) {
			if (wd->pm != NULL && m->type == STACK_NOTE_PROXY &&
			    m->len == sizeof(struct proxy_note))
				proxy_main_note(wd->pm, (const struct proxy_note *)m->body, emit, wd);
			tern_msg_free(m);
		}
		while ((m = tern_chan_reply(w)) != NULL)
			tern_msg_free(m);
		idle &= rte_ring_empty(w->chan.req);
	}
	/* Every worker served every event sent before: retired Maglev tables can go. */
	if (wd->pm != NULL && idle && proxy_main_retired(wd->pm) > 0)
		proxy_main_free_retired(wd->pm);
}

void
fr_control(struct fr_world *wd, unsigned i, uint8_t what, uint32_t arg)
{
	static const char *const servers[] = { "s1", "s2", "s3", "s4" };
	static const char *const how[] = { "ready", "drain", "maint", "0", "1", "256", "257", "x" };
	struct tern_worker *w = wd->peers[i % wd->nworkers];
	size_t cap = 0;
	uint16_t type = 0;
	struct tern_msg *m;

	switch (what % 8) {
	case 0: type = TERN_MSG_COUNTERS, cap = stack_counters()->total * sizeof(uint64_t); break;
	case 1: type = TERN_MSG_LOOP_STATS, cap = sizeof(struct tern_loop_stats); break;
	case 2: case 3: type = STACK_MSG_CONNS, cap = stack_conns_size(arg >> 24 & 7); break;
	case 4: type = STACK_MSG_TCP_STATES, cap = sizeof(struct stack_tcp_states); break;
	case 5: type = STACK_MSG_PROXY_STATS, cap = stack_proxy_stats_size(arg >> 24 & 7); break;
	case 6: {
		struct stack_event se = { .kind = STACK_EV_PING, .arg = arg };

		tern_chan_broadcast(wd->peers, wd->nworkers, STACK_MSG_EVENT, &se, sizeof(se));
		return;
	}
	default:
		if (wd->pm != NULL)
			proxy_main_set(wd->pm, arg & 0x10 ? "nobackend" : "b", servers[arg & 3],
				       how[arg >> 8 & 7], emit, wd);
		return;
	}
	if ((m = tern_msg_new(type, cap)) == NULL)
		return;
	if (type == STACK_MSG_CONNS) {
		struct stack_conns *c = (struct stack_conns *)m->body;

		c->listeners = what % 8 == 3;
		c->cursor = arg & 0xff;
		c->max_rows = arg >> 24 & 7;
	} else if (type == STACK_MSG_PROXY_STATS) {
		struct stack_proxy_stats *ps = (struct stack_proxy_stats *)m->body;

		ps->backend = arg & 0x100 ? PROXY_STATS_FRONTENDS : arg & 3;
		ps->max = arg >> 24 & 7;
	}
	m->len = cap;
	if (tern_chan_send(w, m) != 0)
		tern_msg_free(m);
}

/* ---- time ----------------------------------------------------------------------------- */

void
fr_poll(struct fr_world *wd)
{
	for (int round = 0; round < 2; round++)
		for (unsigned i = 0; i < wd->nworkers; i++)
			tern_worker_poll(&wd->sw[i]->w, wd->now);
	control_side(wd);
}

void
fr_advance(struct fr_world *wd, uint64_t dt)
{
	uint64_t until = wd->now + dt, step = RTE_MAX(dt / 64, 1000000ull);

	while (wd->now < until) {
		wd->now = RTE_MIN(wd->now + step, until);
		fr_poll(wd);
	}
}

void
fr_queue(struct fr_world *wd, const uint8_t *frame, size_t len, unsigned split,
	 uint64_t ol_flags)
{
	unsigned q = wd->rxq % wd->nworkers;
	size_t room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *head = NULL, *tail = NULL;
	size_t off = 0;

	if (wd->nrx[q] == FR_RX_MAX)
		fr_poll(wd);
	if (split == 0 || split >= len)
		split = (unsigned)RTE_MIN(len, room);
	while (off < len || head == NULL) {
		size_t k = RTE_MIN(off == 0 ? split : len - off, room);
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		FUZZ_CHECK(m != NULL, "the mbuf pool ran out (%u in use)",
			   rte_mempool_in_use_count(pool));
		memcpy(rte_pktmbuf_append(m, (uint16_t)k), frame + off, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += (uint32_t)k;
		}
		tail = m;
	}
	head->ol_flags = wd->variant & FRV_RX_OFFLOAD ? ol_flags : 0;
	wd->rx[q][wd->nrx[q]++] = head;
}

/* ---- flows ---------------------------------------------------------------------------- */

struct fr_flow *
fr_flow_find(struct fr_world *wd, uint32_t peer_ip, uint16_t peer_port, uint32_t tern_ip,
	     uint16_t tern_port)
{
	for (unsigned i = 0; i < wd->nflows; i++) {
		struct fr_flow *f = &wd->flows[i];

		if (f->peer_ip == peer_ip && f->peer_port == peer_port && f->tern_ip == tern_ip &&
		    f->tern_port == tern_port)
			return f;
	}
	return NULL;
}

struct fr_flow *
fr_flow_add(struct fr_world *wd, uint32_t peer_ip, uint16_t peer_port, uint32_t tern_ip,
	    uint16_t tern_port)
{
	struct fr_flow *f = fr_flow_find(wd, peer_ip, peer_port, tern_ip, tern_port);
	unsigned slot = wd->nflows < FR_MAX_FLOWS ? wd->nflows++ : wd->nflows % FR_MAX_FLOWS;

	if (f != NULL)
		return f;
	f = &wd->flows[slot];
	*f = (struct fr_flow){ .peer_ip = peer_ip, .peer_port = peer_port, .tern_ip = tern_ip,
		.tern_port = tern_port, .wscale = 7 };
	/* The peer's ISN: anything, as long as it is the same for the same input. */
	f->peer_isn = f->peer_nxt = f->peer_acked = 0x1000000u * (slot + 1) + peer_port;
	return f;
}

/* ---- build and teardown --------------------------------------------------------------- */

static void
port_setup(struct fr_world *wd)
{
	struct tern_port *p = &wd->port;

	memset(p, 0, sizeof(*p));
	memcpy(p->mac.addr_bytes, fr_tern_mac, 6);
	p->addr = rte_cpu_to_be_32(FR_TERN);
	p->netmask = rte_cpu_to_be_32(0xffffff00u);
	p->gateway = rte_cpu_to_be_32(FR_GATEWAY);
	p->mtu = 1500;
	p->nb_queues = (uint16_t)wd->nworkers;
	p->reta_size = 128;
	for (unsigned i = 0; i < p->reta_size; i++)
		p->reta[i] = (uint16_t)(i % wd->nworkers);
	p->rx_ip_cksum = p->rx_l4_cksum = !!(wd->variant & FRV_RX_OFFLOAD);
	p->cfg = &wd->cfg->ports[0];
}

static unsigned
heap_allocs(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(0, &st) != 0)
		return 0;
	return st.alloc_count;
}

static unsigned heap_base;

int
fr_world_open(struct fr_world *wd, unsigned variant)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *out[8];
	int rc;

	memset(wd, 0, sizeof(*wd));
	wd->variant = variant;
	wd->cfg = config_of(variant);
	wd->nworkers = wd->cfg->workers;
	wd->now = FR_START;
	heap_base = heap_allocs();
	port_setup(wd);
	for (unsigned i = 0; i < wd->nworkers; i++) {
		wd->sw[i] = rte_zmalloc("fuzz_worker", sizeof(struct stack_worker), RTE_CACHE_LINE_SIZE);
		FUZZ_CHECK(wd->sw[i] != NULL, "out of memory");
		wd->peers[i] = &wd->sw[i]->w;
	}
	for (unsigned i = 0; i < wd->nworkers; i++) {
		struct tern_worker_env env = { .index = (uint16_t)i, .nworkers = (uint16_t)wd->nworkers,
			.ports = &wd->port, .nports = 1, .pool = pool, .socket = SOCKET_ID_ANY,
			.peers = wd->peers, .now = wd->now, .rx_hook = fr_rx, .tx_hook = fr_tx,
			.hook_ctx = wd };

		rc = stack_build(wd->sw[i], wd->cfg, &env, 0);
		FUZZ_CHECK(rc == 0, "stack_build of worker %u: %d", i, rc);
		/* The ISNs and timestamp offsets: the same for the same input. */
		wd->sw[i]->tcp.isn_key[0] = 0x0123456789abcdefull;
		wd->sw[i]->tcp.isn_key[1] = 0xfedcba9876543210ull + i;
		fr_mac_of(FR_PEER, mac.addr_bytes);
		arp_cache_learn(wd->sw[i]->net.arp, 0, rte_cpu_to_be_32(FR_PEER), &mac, wd->now, 1,
				out, RTE_DIM(out));
	}
	if (proxy_configured(wd->cfg))
		wd->pm = proxy_main_create(wd->cfg);
	return 0;
}

void
fr_world_close(struct fr_world *wd)
{
	unsigned used, heap;

	control_side(wd);
	/* Notes and messages still in the channels are freed with them. */
	for (unsigned i = 0; i < wd->nworkers; i++)
		stack_teardown(wd->sw[i]);
	for (unsigned i = 0; i < wd->nworkers; i++) {
		rte_pktmbuf_free_bulk(wd->rx[i], wd->nrx[i]);
		wd->nrx[i] = 0;
		rte_free(wd->sw[i]);
		wd->sw[i] = NULL;
	}
	if (wd->pm != NULL) {
		proxy_main_free_retired(wd->pm);
		proxy_main_free(wd->pm);
		wd->pm = NULL;
	}
	used = rte_mempool_in_use_count(pool);
	FUZZ_CHECK(used == 0, "%u mbufs not returned after teardown", used);
	heap = heap_allocs();
	FUZZ_CHECK(heap == heap_base, "%d DPDK heap allocations not freed after teardown",
		   (int)(heap - heap_base));
}
