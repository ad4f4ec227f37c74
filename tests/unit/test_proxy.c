/*
 * The proxy in memory (bench/lab.c): a tern client, a tern proxy and tern
 * servers, each a whole worker built by stack_build, on virtual time.
 * Bodies are checked byte for byte by the client service (/bytes/N has a
 * known pattern); every pool must be whole at the end.
 *
 * Where the client service or the built-in services cannot say what a test
 * needs, the test writes its own connections (struct tconn, tcp.h's API on
 * a node's TCP worker) and listeners; for health checks it plays the
 * control side itself (proxy_main fed with the proxy worker's notes, its
 * events applied to the worker directly: one thread, no channel).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <rte_ether.h>
#include <rte_tcp.h>

#include "../bench/lab.h"
#include "core/clock.h"
#include "proxy/proxy.h"
#include "proxy/proxy_config.h"
#include "proxy/proxy_main.h"
#include "proxy/proxy_proto.h"
#include "stack/stack.h"
#include "svc/client.h"
#include "svc/latency.h"
#include "svc/svc.h"
#include "tcp/tcb.h"
#include "tcp/tcp_worker.h"
#include "test_eal.h"

int bench_huge; /* bench/pair.c sizes its pools for 4 KiB pages when 0 */

/* ---- configurations ----------------------------------------------------------------- */

/* Small tables: several workers share the unit tests' 128 MB of EAL memory. */
#define TCP_SMALL(extra) "[tcp]\nmax_connections = 1024\nooo_mbufs = 256\n" extra \
			 "[arp]\nentries = 64\n"
#define SMALL TCP_SMALL("")
#define CLIENT_NET SMALL "[port0]\ndevice = lab\naddress = 198.18.0.2/24\n"
#define PROXY_NETS_WITH(tcp) tcp "[port0]\ndevice = lab\naddress = 198.18.0.1/24\n" \
				    "[port1]\ndevice = lab\naddress = 198.18.1.1/24\n"
#define PROXY_NETS PROXY_NETS_WITH(SMALL)
#define NODE(addr, svc) SMALL "[port0]\ndevice = lab\naddress = " addr "/24\n" svc
#define HTTP_SERVER(addr) NODE(addr, "[service.http]\ntype = http\nport = 80\n")
#define ECHO_SERVER(addr) NODE(addr, "[service.echo]\ntype = echo\nport = 7\n")
#define DISCARD_SERVER(addr) NODE(addr, "[service.discard]\ntype = discard\nport = 9\n")
#define BARE_SERVER(addr) NODE(addr, "") /* nothing listens: SYNs are answered by RST */

/* Frontend web on 198.18.0.10:PORT to backend app, with extra keys for each section. */
#define PROXY_WITH(tcp, port, fe, be) PROXY_NETS_WITH(tcp) "[frontend.web]\n" \
	"bind = 198.18.0.10:" #port "\nbackend = app\n" fe "[backend.app]\n" be
#define PROXY_ON(port, fe, be) PROXY_WITH(SMALL, port, fe, be)
#define PROXY(fe, be) PROXY_ON(80, fe, be)

#define CLIENT_RUN(mode, conc, reqs, ms, start, path) CLIENT_NET \
	"[service.load]\ntype = client\ntarget = 198.18.0.10\nport = 80\nmode = " mode "\n" \
	"concurrency = " #conc "\nrequests = " #reqs "\nduration_ms = " #ms "\n" \
	"start_ms = " #start "\npath = " path "\n"
#define CLIENT(mode, conc, reqs, path) CLIENT_RUN(mode, conc, reqs, 0, 0, path)

/* RTE_IPV4 shifts an int: undefined for addresses above 127.255.255.255. */
#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define VIP IPV4(198, 18, 0, 10)
#define MS 1000000ull                  /* virtual TSC ticks (ns) per millisecond */

static struct lab lab;
static char err[512];

#define CLIENT_NODE (&lab.node[0])
#define PROXY_NODE (&lab.node[1])
#define SERVER_NODE(i) (&lab.node[2 + (i)])

static struct lab_node *
add(const char *name, const char *ini)
{
	struct lab_node *x = lab_add(&lab, name, ini, 4096, err, sizeof(err));

	if (x == NULL)
		fail_msg("lab_add %s: %s", name, err);
	return x;
}

/* client -- segment 0 -- proxy -- segment 1 -- servers */
static struct lab_node *
topology(const char *client, const char *proxy, const char *const *servers, unsigned nservers)
{
	struct lab_node *c = add("client", client), *p = add("proxy", proxy);

	lab_attach(c, 0, 0);
	lab_attach(p, 0, 0);
	lab_attach(p, 1, 1);
	for (unsigned i = 0; i < nservers; i++)
		lab_attach(add("server", servers[i]), 0, 1);
	return p;
}

/* ---- running the lab ---------------------------------------------------------------- */

static void
run_until(int (*done)(void *), void *ctx, unsigned max_ms)
{
	assert_int_equal(lab_run(&lab, done, ctx, max_ms), 0);
}

static int
never(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Lets ms of virtual time pass. */
static void
idle(unsigned ms)
{
	assert_int_equal(lab_run(&lab, never, NULL, ms), -1);
}

static int
flag_set(void *ctx)
{
	return *(const int *)ctx != 0;
}

struct at_least {
	const uint64_t *v;
	uint64_t n;
};

static int
reached(void *ctx)
{
	const struct at_least *a = ctx;

	return *a->v >= a->n;
}

static void
run_until_ge(const uint64_t *v, uint64_t n, unsigned max_ms)
{
	struct at_least a = { v, n };

	run_until(reached, &a, max_ms);
}

static uint64_t
cnt(const struct lab_node *x, const char *name)
{
	return stack_counter(x->sw, name);
}

struct counter_wait {
	const struct lab_node *x;
	const char *name;
	uint64_t n;
};

static int
counter_reached(void *ctx)
{
	const struct counter_wait *w = ctx;

	return cnt(w->x, w->name) >= w->n;
}

static void
run_until_counter(const struct lab_node *x, const char *name, uint64_t n, unsigned max_ms)
{
	struct counter_wait w = { x, name, n };

	run_until(counter_reached, &w, max_ms);
}

static int
no_sessions(void *ctx)
{
	return proxy_sessions(((struct lab_node *)ctx)->sw->proxy) == 0;
}

/* Every session of the proxy ends within max_ms. */
static void
sessions_drain(struct lab_node *p, unsigned max_ms)
{
	run_until(no_sessions, p, max_ms);
}

static int
client_finished(void *ctx)
{
	return client_done(svc_client(((struct lab_node *)ctx)->sw->svc, 0));
}

static const struct client_result *
run_client(unsigned max_ms)
{
	struct lab_node *c = CLIENT_NODE;

	run_until(client_finished, c, max_ms);
	return client_result(svc_client(c->sw->svc, 0));
}

/* The client service answered n requests or more, every one whole. */
static void
assert_all_answered(const struct client_result *r, uint64_t n)
{
	assert_true(r->requests >= n);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->bad_bodies, 0);
}

/* Server i of backend be as the proxy worker counted it. */
static struct proxy_stats
srv_stats(const struct lab_node *p, unsigned be, unsigned i)
{
	struct proxy_stats st[8];
	unsigned n = proxy_stats_copy(p->sw->proxy, be, st, RTE_DIM(st));

	assert_true(i + 1 < n && i + 1 < RTE_DIM(st));
	return st[i + 1];
}

static struct proxy_stats
fe_stats(const struct lab_node *p, unsigned fe)
{
	struct proxy_stats st[4];
	unsigned n = proxy_stats_copy(p->sw->proxy, PROXY_STATS_FRONTENDS, st, RTE_DIM(st));

	assert_true(fe < n && fe < RTE_DIM(st));
	return st[fe];
}

/* ---- connections the test writes itself --------------------------------------------- */

#define RX_KEEP 1024                   /* first bytes a connection keeps */
#define NCONNS 128

struct tconn {
	struct tcb *c;                     /* NULL once closed */
	int opened, peer_fin, closed;
	enum tern_close_reason why;
	uint64_t opened_at, closed_at;     /* lab time */
	uint8_t rx[RX_KEEP];               /* the first bytes received */
	uint32_t rxlen;
	uint64_t rx_bytes;                 /* every byte received */
	int check_rx;                      /* received bytes must follow the pattern */
	uint64_t rx_bad;                   /* those that did not */
	uint64_t rx_at_fin, rx_at_shut;
	uint64_t upload_to;                /* send the pattern up to here as space allows */
	uint64_t sent;
	int shut_after;                    /* tern_shutdown once upload_to is queued */
	int shut;
	int close_on_fin;                  /* tern_close when the peer's FIN comes */
	int hold;                          /* keep received mbufs: consumed by the poll hook */
	struct rte_mbuf *held, *held_tail; /* segments linked by next */
	uint16_t held_off;                 /* bytes of held's first segment consumed */
};

static struct tconn conns[NCONNS];
static unsigned nconns;
static uint32_t consume_per_poll;      /* bytes a holding connection consumes per lab_poll */

static uint8_t
pattern(uint64_t off)
{
	return (uint8_t)(off % 251);
}

static struct tconn *
tconn_new(const struct tconn *proto)
{
	struct tconn *t;

	assert_true(nconns < NCONNS);
	t = &conns[nconns++];
	*t = proto != NULL ? *proto : (struct tconn){ 0 };
	return t;
}

/* Queues what is left of the upload; shuts down after it when asked. */
static void
tx_pump(struct tconn *t)
{
	uint8_t buf[8192];

	while (t->c != NULL && t->sent < t->upload_to) {
		uint64_t want = RTE_MIN(t->upload_to - t->sent, (uint64_t)sizeof(buf));
		uint32_t n = (uint32_t)RTE_MIN(want, (uint64_t)tern_send_space(t->c)), got;

		for (uint32_t i = 0; i < n; i++)
			buf[i] = pattern(t->sent + i);
		got = n > 0 ? tern_send_bytes(t->c, buf, n) : 0;
		t->sent += got;
		if (got == 0 || got < n) {
			tern_notify_writable(t->c);
			return;
		}
	}
	if (t->c != NULL && t->shut_after && !t->shut && t->sent == t->upload_to) {
		t->shut = 1;
		t->rx_at_shut = t->rx_bytes;
		tern_shutdown(t->c);
	}
}

/* Bytes that must all be taken at once (a fresh connection has the room). */
static void
tconn_write(struct tconn *t, const void *p, uint32_t len)
{
	assert_non_null(t->c);
	assert_int_equal(tern_send_bytes(t->c, p, len), len);
}

static void
keep(struct tconn *t, const uint8_t *p, uint32_t n)
{
	uint32_t k = RTE_MIN(n, RX_KEEP - t->rxlen);

	memcpy(t->rx + t->rxlen, p, k);
	t->rxlen += k;
	for (uint32_t i = 0; t->check_rx && i < n; i++)
		t->rx_bad += p[i] != pattern(t->rx_bytes + i);
	t->rx_bytes += n;
}

static void
t_open(struct tcb *c, void *ctx)
{
	struct tconn *t = ctx;

	t->opened = 1;
	t->opened_at = lab.now;
	tern_set_nodelay(c, 1);
	tx_pump(t);
}

static void
t_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct tconn *t = ctx;

	if (t->hold) {
		if (t->held_tail != NULL)
			t->held_tail->next = m;
		else
			t->held = m;
		t->held_tail = rte_pktmbuf_lastseg(m);
		return;
	}
	for (struct rte_mbuf *seg = m; seg != NULL; seg = seg->next)
		keep(t, rte_pktmbuf_mtod(seg, const uint8_t *), seg->data_len);
	tern_consumed(c, rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_free(m);
}

static void
t_writable(struct tcb *c, void *ctx)
{
	(void)c;
	tx_pump(ctx);
}

static void
t_peer_fin(struct tcb *c, void *ctx)
{
	struct tconn *t = ctx;

	t->peer_fin = 1;
	t->rx_at_fin = t->rx_bytes;
	if (t->close_on_fin)
		tern_close(c);
}

static void
t_closed(struct tcb *c, void *ctx, enum tern_close_reason why)
{
	struct tconn *t = ctx;

	(void)c;
	t->closed = 1;
	t->why = why;
	t->closed_at = lab.now;
	t->c = NULL;
	rte_pktmbuf_free(t->held); /* follows next through every segment */
	t->held = t->held_tail = NULL;
}

static const struct tern_conn_ops tconn_ops = {
	.on_open = t_open,
	.on_data = t_data,
	.on_writable = t_writable,
	.on_peer_fin = t_peer_fin,
	.on_closed = t_closed,
};

/* Consumes up to budget held bytes (checked like received ones), freeing whole segments. */
static void
slow_consume(struct tconn *t, uint32_t budget)
{
	uint32_t done = 0;

	while (t->held != NULL && done < budget) {
		struct rte_mbuf *seg = t->held;
		uint32_t k = RTE_MIN(budget - done, (uint32_t)seg->data_len - t->held_off);

		keep(t, rte_pktmbuf_mtod_offset(seg, const uint8_t *, t->held_off), k);
		t->held_off = (uint16_t)(t->held_off + k);
		done += k;
		if (t->held_off < seg->data_len)
			break;
		t->held = seg->next;
		if (t->held == NULL)
			t->held_tail = NULL;
		t->held_off = 0;
		seg->next = NULL;
		seg->nb_segs = 1;
		rte_pktmbuf_free_seg(seg);
	}
	if (done > 0)
		tern_consumed(t->c, done);
}

/* A test connection from the client node to the VIP. */
static struct tconn *
client_connect(uint16_t port, const struct tconn *proto)
{
	struct tconn *t = tconn_new(proto);

	t->c = tern_connect(&CLIENT_NODE->sw->tcp, rte_cpu_to_be_32(VIP), port, &tconn_ops, t);
	assert_non_null(t->c);
	return t;
}

static struct tconn *
client_open(uint16_t port, const struct tconn *proto)
{
	struct tconn *t = client_connect(port, proto);

	run_until(flag_set, &t->opened, 100);
	return t;
}

/* A listener of the test's on a server node: each connection a tconn made from proto. */
struct tlisten {
	struct tconn proto;
	unsigned accepted;
	struct tconn *last;
};

static struct tlisten listeners[4];
static unsigned nlisteners;

static int
t_accept(struct tcb *c, void *listen_ctx, const struct tern_conn_ops **ops, void **ctx)
{
	struct tlisten *l = listen_ctx;
	struct tconn *t = tconn_new(&l->proto);

	t->c = c;
	l->accepted++;
	l->last = t;
	*ops = &tconn_ops;
	*ctx = t;
	return 0;
}

static struct tlisten *
server_listen(struct lab_node *x, uint16_t port, const struct tconn *proto)
{
	struct tlisten *l;

	assert_true(nlisteners < RTE_DIM(listeners));
	l = &listeners[nlisteners++];
	*l = (struct tlisten){ .proto = proto != NULL ? *proto : (struct tconn){ 0 } };
	assert_int_equal(tern_listen(&x->sw->tcp, port, t_accept, l), 0);
	return l;
}

/* The established connection of node x on local port lport (the documented test door). */
static struct tcb *
find_tcb(struct lab_node *x, uint16_t lport)
{
	struct tcp_worker *tw = &x->sw->tcp;

	for (uint32_t i = 0; i < tw->ntcbs; i++) {
		struct tcb *c = &tw->tcbs[i];

		if (!(c->flags & TF_FREED) && c->state == TCPS_ESTABLISHED &&
		    c->lport == rte_cpu_to_be_16(lport))
			return c;
	}
	return NULL;
}

/* ---- the control side, played by the test ------------------------------------------- */

#define CTL_BE 4
#define CTL_SRV 4

struct ctl {
	struct proxy_main *pm;
	struct lab_node *p;
	int state[CTL_BE][CTL_SRV];        /* last state broadcast, -1: none yet */
	char what[CTL_BE][CTL_SRV][40];    /* last check result */
	unsigned ok_row[CTL_BE][CTL_SRV];
	unsigned events, tables;           /* broadcast; of them, Maglev tables */
};

static struct ctl ctl;

/* proxy_emit_fn: the broadcast, to the one worker there is. */
static void
ctl_emit(void *ctx, const struct proxy_event *ev)
{
	struct ctl *k = ctx;

	k->events++;
	k->tables += ev->kind == PROXY_EV_MAGLEV;
	if (ev->kind == PROXY_EV_SERVER && ev->backend < CTL_BE && ev->server < CTL_SRV)
		k->state[ev->backend][ev->server] = ev->state;
	proxy_event(k->p->sw->proxy, ev);
}

/* The proxy worker's notes into proxy_main; tables it replaced are no longer used. */
static void
ctl_pump(struct ctl *k)
{
	struct tern_msg *m;

	while ((m = tern_chan_note(&k->p->sw->w)) != NULL) {
		const struct proxy_note *n = (const struct proxy_note *)m->body;

		assert_int_equal(m->type, STACK_NOTE_PROXY);
		assert_int_equal(m->len, sizeof(*n));
		if (n->kind == PROXY_NOTE_CHECK && n->backend < CTL_BE && n->server < CTL_SRV) {
			unsigned *row = &k->ok_row[n->backend][n->server];

			snprintf(k->what[n->backend][n->server], 40, "%s", n->what);
			*row = n->ok ? *row + 1 : 0;
		}
		proxy_main_note(k->pm, n, ctl_emit, k);
		tern_msg_free(m);
	}
	proxy_main_free_retired(k->pm);
}

static void
ctl_start(struct lab_node *p)
{
	ctl.p = p;
	ctl.pm = proxy_main_create(&p->cfg);
	assert_non_null(ctl.pm);
}

static unsigned
fetch_one(void *ctx, uint32_t backend, struct proxy_stats *out, unsigned max)
{
	return proxy_stats_copy(((struct ctl *)ctx)->p->sw->proxy, backend, out, max);
}

/* The status column proxy_main prints for "BACKEND/SERVER" (its effective state). */
static void
pm_status(const char *name, char *status, size_t len)
{
	char *text = NULL, *line, *save = NULL, first[64], second[16];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	proxy_main_print(ctl.pm, f, fetch_one, &ctl);
	fclose(f);
	snprintf(status, len, "?");
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s %15s", first, second) == 2 && strcmp(first, name) == 0)
			snprintf(status, len, "%s", second);
	free(text);
}

static void
assert_pm_status(const char *name, const char *want)
{
	char st[16];

	pm_status(name, st, sizeof(st));
	assert_string_equal(st, want);
}

struct state_wait {
	unsigned be, srv;
	int state;
};

static int
state_is(void *ctx)
{
	const struct state_wait *w = ctx;

	return ctl.state[w->be][w->srv] == w->state;
}

static void
run_until_state(unsigned be, unsigned srv, int state, unsigned max_ms)
{
	struct state_wait w = { be, srv, state };

	run_until(state_is, &w, max_ms);
}

/* ---- between loops: the control side, slow readers, samplers ------------------------ */

struct sampler {
	unsigned every, polls, n;
	struct rte_mempool *pool[2];
	unsigned used[2][512];
};

static struct sampler *sampling;

static void
after_poll(void *ctx)
{
	(void)ctx;
	if (ctl.pm != NULL)
		ctl_pump(&ctl);
	for (unsigned i = 0; consume_per_poll != 0 && i < nconns; i++)
		if (conns[i].hold && conns[i].c != NULL)
			slow_consume(&conns[i], consume_per_poll);
	if (sampling != NULL && ++sampling->polls % sampling->every == 0 &&
	    sampling->n < RTE_DIM(sampling->used[0])) {
		for (unsigned k = 0; k < 2; k++)
			sampling->used[k][sampling->n] =
				rte_mempool_in_use_count(sampling->pool[k]);
		sampling->n++;
	}
}

static int
setup(void **state)
{
	(void)state;
	tern_clock_init(1000000000ull); /* the lab's virtual TSC: 1 tick = 1 ns */
	lab_init(&lab);
	lab.after_poll = after_poll;
	memset(&ctl, 0, sizeof(ctl));
	memset(ctl.state, 0xff, sizeof(ctl.state)); /* -1 */
	nconns = nlisteners = 0;
	consume_per_poll = 0;
	sampling = NULL;
	return 0;
}

static int
teardown(void **state)
{
	unsigned leaked;

	(void)state;
	leaked = lab_destroy(&lab);
	proxy_main_free(ctl.pm);
	ctl.pm = NULL;
	assert_int_equal(leaked, 0);
	return 0;
}

/* ---- 0. keep-alive ------------------------------------------------------------------ */

/* Keep-alive requests through the proxy: every body whole, one session per client connection. */
static void
test_get_keepalive(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("rps", 4, 200, "/bytes/10000"),
		PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	const struct client_result *r;

	(void)state;
	r = run_client(20000);
	assert_all_answered(r, 200);
	assert_int_equal(cnt(p, "ProxySessions"), 4);
	assert_int_equal(cnt(p, "ProxyConnectFailures"), 0);
}

/* A fixed offered load (rate): as many requests as the schedule has, on kept-alive connections. */
static void
test_paced_keepalive(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_RUN("rps", 8, 0, 1000, 0, "/bytes/100") "rate = 2000\n",
		PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	const struct client_result *r;

	(void)state;
	r = run_client(20000);
	assert_all_answered(r, 1995);
	assert_true(r->requests <= 2001); /* 1 s at 2 000/s, not as many as the path allows */
	assert_true(r->unsent <= 1);
	assert_int_equal(r->connections, 8);
	assert_int_equal(cnt(p, "ProxySessions"), 8);
	assert_true(lat_quantile(&r->lat, 0.99) < 1 * MS); /* below saturation: no waiting */
}

/* New connections at a fixed rate. */
static void
test_paced_cps(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	const struct client_result *r;

	(void)state;
	topology(CLIENT_RUN("cps", 8, 0, 1000, 0, "/bytes/100") "rate = 500\n",
		 PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	r = run_client(20000);
	assert_all_answered(r, 498);
	assert_true(r->connections <= 501);
}

/*
 * Offered beyond what one connection can carry: each request counts from
 * when it was due, so the queue behind the one connection shows in the
 * latencies (a closed loop would report each request's own few microseconds).
 */
static void
test_paced_overload_counts_the_wait(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	const struct client_result *r;

	(void)state;
	topology(CLIENT_RUN("rps", 1, 0, 50, 0, "/bytes/100") "rate = 1000000\n",
		 PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	r = run_client(20000);
	assert_all_answered(r, 100);
	assert_true(r->requests < 50000 / 2); /* the schedule asked for 50 000 */
	assert_true(r->unsent > 50000 / 2);   /* and says how many it never sent */
	assert_true(lat_quantile(&r->lat, 0.5) > 5 * MS);
	assert_true(lat_quantile(&r->lat, 0.99) > 20 * MS);
}

/* ---- 1. a connection per request ---------------------------------------------------- */

static void
test_cps(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("cps", 4, 120, "/bytes/3000"),
		PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	const struct client_result *r;

	(void)state;
	r = run_client(20000);
	assert_all_answered(r, 120);
	assert_int_equal(r->bytes, r->requests * 3000);
	assert_int_equal(cnt(p, "ProxySessions"), r->connections);
	assert_int_equal(srv_stats(p, 0, 0).stot, r->connections);
	/*
	 * The server's answer and FIN arrive in one segment and leave the proxy
	 * in one (its output waits for the end of the input burst): the client
	 * sees the FIN with the body, closes second and never waits in TIME-WAIT.
	 */
	assert_int_equal(cnt(CLIENT_NODE, "TcpExtTW"), 0);
	idle(3000);
	assert_int_equal(proxy_sessions(p->sw->proxy), 0);
	assert_int_equal(srv_stats(p, 0, 0).scur, 0);
}

/* ---- 2. large bodies ---------------------------------------------------------------- */

static void
test_large_body(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("rps", 1, 3, "/bytes/1048576"),
		PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	const struct client_result *r;

	(void)state;
	r = run_client(20000);
	assert_all_answered(r, 3);
	assert_int_equal(r->requests, 3);
	assert_int_equal(r->bytes, 3ull << 20);
	assert_true(srv_stats(p, 0, 0).bout > 3ull << 20);
}

/* ---- 3. loss ------------------------------------------------------------------------ */

struct lossy {
	uint64_t rng;
	int seg;                           /* the segment whose IPv4 frames are dropped */
	unsigned per_mille;
	uint64_t dropped;
};

/* lab_tamper_fn: a deterministic xorshift decides. */
static int
lossy_tamper(void *ctx, const struct lab_node *from, uint16_t port, const struct rte_mbuf *m)
{
	struct lossy *l = ctx;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (from->seg[port] != l->seg || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return 0;
	l->rng ^= l->rng << 13;
	l->rng ^= l->rng >> 7;
	l->rng ^= l->rng << 17;
	if (l->rng % 1000 >= l->per_mille)
		return 0;
	l->dropped++;
	return 1;
}

static void
loss_on(int seg)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("rps", 4, 40, "/bytes/200000"),
		PROXY("", "server.s1 = 198.18.1.2:80\n"), servers, 1);
	struct lossy loss = { .rng = 0x9e3779b97f4a7c15ull, .seg = seg, .per_mille = 10 };
	const struct client_result *r;

	lab.tamper = lossy_tamper;
	lab.tamper_ctx = &loss;
	r = run_client(60000);
	lab.tamper = NULL;
	assert_all_answered(r, 40);
	assert_int_equal(r->bytes, r->requests * 200000);
	assert_true(loss.dropped > 20);
	/* The losses were repaired by the legs on that side. */
	assert_true(cnt(seg == 1 ? SERVER_NODE(0) : CLIENT_NODE, "TcpRetransSegs") +
		    cnt(p, "TcpRetransSegs") > 0);
	assert_int_equal(cnt(p, "ProxyClientAborts") + cnt(p, "ProxyServerAborts"), 0);
}

static void
test_loss_server_side(void **state)
{
	(void)state;
	loss_on(1);
}

static void
test_loss_client_side(void **state)
{
	(void)state;
	loss_on(0);
}

/* ---- 4. retries and redispatch ------------------------------------------------------ */

static void
test_retry_redispatch(void **state)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2"),
					       HTTP_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT("cps", 2, 40, "/bytes/1000"),
		PROXY("", "server.s1 = 198.18.1.2:80\nserver.s2 = 198.18.1.3:80\n"), servers, 2);
	const struct client_result *r;
	struct proxy_stats bad, good;

	(void)state;
	r = run_client(20000);
	assert_all_answered(r, 40);
	bad = srv_stats(p, 0, 0);
	good = srv_stats(p, 0, 1);
	assert_true(cnt(p, "ProxyRetries") > 0);
	assert_true(cnt(p, "ProxyRedispatches") > 0);
	assert_true(bad.econ > 0);
	assert_int_equal(bad.econ, cnt(p, "ProxyConnectFailures"));
	assert_int_equal(cnt(p, "ProxyConnectGiveUp"), 0);
	assert_int_equal(good.stot, r->connections); /* every session ended on the good one */
	assert_int_equal(good.econ, 0);
}

/* ---- 5. every server refuses -------------------------------------------------------- */

static void
test_all_refuse(void **state)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2"),
					       BARE_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT_RUN("cps", 2, 0, 30, 0, "/"),
		PROXY("", "server.s1 = 198.18.1.2:80\nserver.s2 = 198.18.1.3:80\nretries = 2\n"),
		servers, 2);
	const struct client_result *r;
	uint64_t give_up;

	(void)state;
	r = run_client(10000);
	give_up = cnt(p, "ProxyConnectGiveUp");
	assert_int_equal(r->requests, 0);
	assert_true(give_up > 0);
	assert_int_equal(give_up, cnt(p, "ProxySessions"));
	assert_int_equal(give_up, r->connections);
	assert_int_equal(r->errors, r->connections); /* each one reset */
	assert_int_equal(cnt(p, "ProxyConnectFailures"), 3 * give_up); /* the first try, 2 more */
	assert_int_equal(cnt(p, "ProxyRetries"), 2 * give_up);
	sessions_drain(p, 1000);
}

/* ---- 6. maxconn and the queue ------------------------------------------------------- */

static void
test_maxconn_queue(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("cps", 4, 60, "/bytes/5000"),
		PROXY("", "server.s1 = 198.18.1.2:80 maxconn 1\n"), servers, 1);
	const struct client_result *r;
	struct proxy_stats s;

	(void)state;
	r = run_client(20000);
	assert_all_answered(r, 60);
	s = srv_stats(p, 0, 0);
	assert_int_equal(s.smax, 1);            /* never two connections at once */
	assert_true(s.qmax >= 1);
	assert_int_equal(s.qcur, 0);
	assert_int_equal(cnt(p, "ProxyQueueFull"), 0);
	assert_int_equal(cnt(p, "ProxyQueueTimeouts"), 0);
}

static void
test_queue_full(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("cps", 8, 60, "/bytes/5000"),
		PROXY("", "server.s1 = 198.18.1.2:80 maxconn 1 maxqueue 1\n"), servers, 1);
	const struct client_result *r;
	struct proxy_stats s;
	uint64_t full;

	(void)state;
	r = run_client(20000);
	full = cnt(p, "ProxyQueueFull");
	s = srv_stats(p, 0, 0);
	assert_true(full > 0);
	assert_int_equal(r->errors, full);       /* the overflow was reset, nothing else failed */
	assert_true(r->requests >= 60);
	assert_int_equal(r->bad_bodies, 0);
	assert_int_equal(s.dcon, full);
	assert_int_equal(s.qmax, 1);
	assert_int_equal(s.smax, 1);
	sessions_drain(p, 1000);
}

/* ---- 7. half-close ------------------------------------------------------------------ */

static void
test_half_close(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	/* Small buffers on the proxy: data still waits there when each FIN comes. */
	struct lab_node *p = topology(CLIENT_NET, PROXY_WITH(TCP_SMALL("rcvbuf = 16384\n"
		"sndbuf = 16384\n"), 7, "", "server.s1 = 198.18.1.2:7\n"), servers, 1);
	const uint64_t n = 300000;
	struct tconn *t = client_connect(7, &(struct tconn){ .check_rx = 1, .upload_to = n,
							      .shut_after = 1 });

	(void)state;
	run_until(flag_set, &t->closed, 5000);
	assert_true(t->shut);
	assert_true(t->rx_at_shut < n);          /* it shut down before the echo came back */
	assert_int_equal(t->rx_bytes, n);
	assert_int_equal(t->rx_bad, 0);
	assert_true(t->peer_fin);
	assert_int_equal(t->rx_at_fin, n);       /* the FIN came after every byte */
	assert_int_equal(t->why, TERN_CLOSE_NORMAL);
	sessions_drain(p, 1000);
	assert_int_equal(cnt(p, "ProxyClientAborts"), 0);
	assert_int_equal(cnt(p, "ProxyServerAborts"), 0);
	assert_int_equal(cnt(p, "TcpOutRsts"), 0);
}

/* lab_tamper_fn: drops the first SYN on segment 1 (the proxy's first try waits an RTO). */
static int
drop_first_syn(void *ctx, const struct lab_node *from, uint16_t port, const struct rte_mbuf *m)
{
	int *dropped = ctx;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *ip = (const uint8_t *)(eth + 1);
	const uint8_t *tcp = ip + (ip[0] & 15) * 4;

	if (*dropped || from->seg[port] != 1 ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ip[9] != IPPROTO_TCP ||
	    (tcp[13] & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) != RTE_TCP_SYN_FLAG)
		return 0;
	*dropped = 1;
	return 1;
}

/* A request and the client's FIN while the server leg is still connecting: both wait for it. */
static void
test_fin_before_server(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	static const char get[] = "GET /bytes/50000 HTTP/1.0\r\n\r\n";
	struct lab_node *p = topology(CLIENT_NET, PROXY("", "server.s1 = 198.18.1.2:80\n"),
				      servers, 1);
	struct tconn *t;
	int dropped = 0;

	(void)state;
	lab.tamper = drop_first_syn;
	lab.tamper_ctx = &dropped;
	t = client_open(80, NULL);
	tconn_write(t, get, sizeof(get) - 1);
	tern_shutdown(t->c);
	idle(900); /* the SYN is resent after the initial RTO (1 s) */
	assert_true(dropped);
	assert_int_equal(cnt(SERVER_NODE(0), "TcpPassiveOpens"), 0);
	run_until(flag_set, &t->closed, 1000);
	assert_int_equal(t->why, TERN_CLOSE_NORMAL);
	assert_true(t->peer_fin);
	assert_true(t->rx_bytes > 50000);
	assert_memory_equal(t->rx, "HTTP/1.1 200", 12);
	sessions_drain(p, 1000);
	assert_int_equal(cnt(p, "ProxyClientAborts") + cnt(p, "ProxyServerAborts"), 0);
}

/* ---- 8. resets ---------------------------------------------------------------------- */

static const char big_get[] = "GET /bytes/1000000000 HTTP/1.1\r\nHost: 198.18.0.10\r\n\r\n";

/* A download under way through the proxy to the http server. */
static struct tconn *
downloading(void)
{
	struct tconn *t = client_open(80, NULL);

	tconn_write(t, big_get, sizeof(big_get) - 1);
	run_until_ge(&t->rx_bytes, 500000, 2000);
	assert_false(t->closed);
	return t;
}

static void
test_client_abort(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, PROXY("", "server.s1 = 198.18.1.2:80\n"),
				      servers, 1);
	struct tconn *t;

	(void)state;
	t = downloading();
	assert_int_equal(cnt(SERVER_NODE(0), "TcpEstabResets"), 0);
	tern_abort(t->c);
	assert_true(t->closed);
	run_until_counter(SERVER_NODE(0), "TcpEstabResets", 1, 5); /* promptly */
	assert_int_equal(cnt(p, "ProxyClientAborts"), 1);
	assert_int_equal(cnt(p, "ProxyServerAborts"), 0);
	assert_int_equal(fe_stats(p, 0).cli_abrt, 1);
	sessions_drain(p, 100);
}

static void
test_server_abort(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, PROXY("", "server.s1 = 198.18.1.2:80\n"),
				      servers, 1);
	struct tconn *t;
	struct tcb *c;

	(void)state;
	t = downloading();
	c = find_tcb(SERVER_NODE(0), 80);
	assert_non_null(c);
	tern_abort(c);
	run_until(flag_set, &t->closed, 5); /* promptly */
	assert_int_equal(t->why, TERN_CLOSE_RESET);
	assert_int_equal(cnt(p, "ProxyServerAborts"), 1);
	assert_int_equal(cnt(p, "ProxyClientAborts"), 0);
	assert_int_equal(srv_stats(p, 0, 0).srv_abrt, 1);
	sessions_drain(p, 100);
}

/* ---- 9. PROXY protocol out ---------------------------------------------------------- */

static const char hello[] = "hello through the proxy\n";

/* h as the specification spells it (written out here, not by lib/proxy's builders). */
static size_t
spelled_header(int version, const struct pp_header *h, uint8_t *out, size_t cap)
{
	static const uint8_t sig[12] = { '\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T',
					 '\n' };
	uint32_t src = rte_be_to_cpu_32(h->src.v4), dst = rte_be_to_cpu_32(h->dst.v4);

	if (version == 1)
		return (size_t)snprintf((char *)out, cap,
			"PROXY TCP4 %u.%u.%u.%u %u.%u.%u.%u %u %u\r\n",
			src >> 24, (src >> 16) & 255, (src >> 8) & 255, src & 255,
			dst >> 24, (dst >> 16) & 255, (dst >> 8) & 255, dst & 255,
			rte_be_to_cpu_16(h->src_port), rte_be_to_cpu_16(h->dst_port));
	memcpy(out, sig, sizeof(sig));
	out[12] = 0x21;                 /* version 2, PROXY */
	out[13] = 0x11;                 /* TCP over IPv4 */
	out[14] = 0;
	out[15] = 12;                   /* two addresses, two ports */
	memcpy(out + 16, &h->src.v4, 4);
	memcpy(out + 20, &h->dst.v4, 4);
	memcpy(out + 24, &h->src_port, 2);
	memcpy(out + 26, &h->dst_port, 2);
	return 28;
}

/* The server's first bytes are exactly the header h of `version`, then exactly the data. */
static void
assert_header_then(const struct tconn *srv, int version, const struct pp_header *h,
		   const char *data)
{
	uint8_t want[128];
	size_t n = spelled_header(version, h, want, sizeof(want));
	struct pp_header got;

	assert_int_equal(srv->rx_bytes, n + strlen(data));
	assert_memory_equal(srv->rx, want, n);
	assert_memory_equal(srv->rx + n, data, strlen(data));
	assert_int_equal(pp_parse(srv->rx, srv->rxlen, PP_V2_MAX_DEFAULT, &got), (int)n);
	assert_int_equal(got.version, version);
	assert_int_equal(got.command, PP_CMD_PROXY);
	assert_int_equal(got.family, PP_FAM_INET);
	assert_int_equal(got.src.v4, h->src.v4);
	assert_int_equal(got.src_port, h->src_port);
	assert_int_equal(got.dst.v4, h->dst.v4);
	assert_int_equal(got.dst_port, h->dst_port);
}

static void
pp_out(const char *proxy_ini, int version)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, proxy_ini, servers, 1);
	struct tlisten *l = server_listen(SERVER_NODE(0), 80, NULL);
	struct tconn *t = client_open(80, NULL);
	struct pp_header h = { .command = PP_CMD_PROXY, .family = PP_FAM_INET,
		.dst.v4 = rte_cpu_to_be_32(VIP), .dst_port = rte_cpu_to_be_16(80) };
	rte_be32_t raddr;
	rte_be16_t rport;
	uint8_t hdr[128];

	tern_conn_addrs(t->c, &h.src.v4, &h.src_port, &raddr, &rport);
	assert_int_equal(h.src.v4, rte_cpu_to_be_32(IPV4(198, 18, 0, 2)));
	tconn_write(t, hello, sizeof(hello) - 1);
	run_until(flag_set, &l->accepted, 100);
	run_until_ge(&l->last->rx_bytes, spelled_header(version, &h, hdr, sizeof(hdr)) +
		     sizeof(hello) - 1, 100);
	idle(50); /* nothing more comes */
	assert_header_then(l->last, version, &h, hello);
	assert_int_equal(l->accepted, 1);
	assert_int_equal(proxy_sessions(p->sw->proxy), 1);
}

static void
test_pp_out_v1(void **state)
{
	(void)state;
	pp_out(PROXY("", "server.s1 = 198.18.1.2:80\nsend_proxy = v1\n"), 1);
}

static void
test_pp_out_v2(void **state)
{
	(void)state;
	pp_out(PROXY("", "server.s1 = 198.18.1.2:80\nsend_proxy = v2\n"), 2);
}

/* The first server refuses: the second one gets the header and the data, once each. */
static void
test_pp_out_after_retry(void **state)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2"),
					       BARE_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT_NET, PROXY("", "server.s1 = 198.18.1.2:80\n"
		"server.s2 = 198.18.1.3:80\nsend_proxy = v1\n"), servers, 2);
	struct tlisten *l = server_listen(SERVER_NODE(1), 80, NULL);
	struct tconn *t = client_open(80, NULL);
	struct pp_header h = { .command = PP_CMD_PROXY, .family = PP_FAM_INET,
		.dst.v4 = rte_cpu_to_be_32(VIP), .dst_port = rte_cpu_to_be_16(80) };
	rte_be32_t raddr;
	rte_be16_t rport;

	(void)state;
	tern_conn_addrs(t->c, &h.src.v4, &h.src_port, &raddr, &rport);
	tconn_write(t, hello, sizeof(hello) - 1); /* arrives while the first attempt is under way */
	run_until(flag_set, &l->accepted, 100);
	idle(50);
	assert_int_equal(cnt(p, "ProxyRetries"), 1);
	assert_int_equal(srv_stats(p, 0, 0).econ, 1);
	assert_header_then(l->last, 1, &h, hello);
}

/* ---- 10. PROXY protocol in ---------------------------------------------------------- */

#define PP_IN_INI PROXY("accept_proxy = v1\n", "server.s1 = 198.18.1.2:80\nsend_proxy = v1\n")
static const char pp_line[] = "PROXY TCP4 203.0.113.7 198.18.0.10 1111 80\r\n";

static struct tlisten *
pp_in_lab(void)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2") };

	topology(CLIENT_NET, PP_IN_INI, servers, 1);
	return server_listen(SERVER_NODE(0), 80, NULL);
}

/*
 * The header from the client, cut after `cut` bytes into two segments (0: header and data
 * in one): the server sees the original client's address in its own header, then the data.
 */
static void
pp_in(unsigned cut)
{
	struct tlisten *l = pp_in_lab();
	struct tconn *t = client_open(80, NULL);
	struct pp_header h = { .command = PP_CMD_PROXY, .family = PP_FAM_INET,
		.src.v4 = rte_cpu_to_be_32(IPV4(203, 0, 113, 7)),
		.src_port = rte_cpu_to_be_16(1111),
		.dst.v4 = rte_cpu_to_be_32(VIP), .dst_port = rte_cpu_to_be_16(80) };
	char all[sizeof(pp_line) + sizeof(hello)];
	uint32_t len = (uint32_t)snprintf(all, sizeof(all), "%s%s", pp_line, hello);

	if (cut > 0) {
		tconn_write(t, all, cut);
		idle(60); /* acknowledged (delayed ACK) before the rest: two segments */
		assert_int_equal(l->accepted, 0); /* no server before the whole header */
		assert_int_equal(cnt(PROXY_NODE, "ProxyBadProxyHeader"), 0);
	}
	tconn_write(t, all + cut, len - cut);
	run_until(flag_set, &l->accepted, 100);
	run_until_ge(&l->last->rx_bytes, len, 100);
	idle(50);
	assert_header_then(l->last, 1, &h, hello);
	assert_memory_equal(l->last->rx, pp_line, sizeof(pp_line) - 1); /* as the client wrote it */
	assert_int_equal(cnt(PROXY_NODE, "ProxyBadProxyHeader"), 0);
}

static void
test_pp_in(void **state)
{
	(void)state;
	pp_in(0);
}

static void
test_pp_in_split(void **state)
{
	(void)state;
	pp_in(17);
}

/* A bad header resets the client, counted; no server connection is made. */
static void
pp_bad(struct tlisten *l, const void *bytes, uint32_t len, uint64_t nth)
{
	struct tconn *t = client_open(80, NULL);

	tconn_write(t, bytes, len);
	run_until(flag_set, &t->closed, 20);
	assert_int_equal(t->why, TERN_CLOSE_RESET);
	assert_int_equal(cnt(PROXY_NODE, "ProxyBadProxyHeader"), nth);
	assert_int_equal(fe_stats(PROXY_NODE, 0).ereq, nth);
	assert_int_equal(l->accepted, 0);
}

static void
test_pp_in_bad(void **state)
{
	static const char garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct tlisten *l = pp_in_lab();
	char unended[200];

	(void)state;
	pp_bad(l, garbage, sizeof(garbage) - 1, 1);
	memset(unended, 'a', sizeof(unended));
	memcpy(unended, "PROXY UNKNOWN ", 14); /* valid so far, but no CRLF within 107 bytes */
	pp_bad(l, unended, sizeof(unended), 2);
	sessions_drain(PROXY_NODE, 100);
}

/* ---- 11. timeouts ------------------------------------------------------------------- */

/* ms since t opened when it closed. */
static uint64_t
lifetime_ms(const struct tconn *t)
{
	return (t->closed_at - t->opened_at) / MS;
}

static void
test_client_timeout(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET,
		PROXY_ON(7, "client_ms = 300\n", "server.s1 = 198.18.1.2:7\n"), servers, 1);
	struct tconn *t = client_open(7, NULL);

	(void)state;
	idle(280);
	assert_false(t->closed);
	run_until(flag_set, &t->closed, 100);
	assert_int_equal(t->why, TERN_CLOSE_RESET);
	assert_in_range(lifetime_ms(t), 299, 305);
	assert_int_equal(cnt(p, "ProxyClientTimeouts"), 1);
	assert_int_equal(cnt(p, "ProxyServerTimeouts"), 0);
	assert_int_equal(fe_stats(p, 0).timeouts, 1);
	sessions_drain(p, 100);
}

static void
test_server_timeout(void **state)
{
	static const char *const servers[] = { DISCARD_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET,
		PROXY_ON(9, "", "server.s1 = 198.18.1.2:9\nserver_ms = 300\n"), servers, 1);
	struct tconn *t = client_open(9, NULL);

	(void)state;
	tconn_write(t, hello, sizeof(hello) - 1); /* the server takes it and never answers */
	idle(280);
	assert_false(t->closed);
	run_until(flag_set, &t->closed, 100);
	assert_int_equal(t->why, TERN_CLOSE_RESET);
	assert_in_range(lifetime_ms(t), 299, 305);
	assert_int_equal(cnt(p, "ProxyServerTimeouts"), 1);
	assert_int_equal(cnt(p, "ProxyClientTimeouts"), 0);
	sessions_drain(p, 100);
}

/* s1's address answers no ARP: each attempt on it ends after connect_ms and goes to s2. */
static void
test_connect_timeout(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT("cps", 1, 6, "/bytes/100"),
		PROXY("", "server.s1 = 198.18.1.99:80\nserver.s2 = 198.18.1.3:80\n"
		      "connect_ms = 200\n"),
		servers, 1);
	const struct client_result *r;
	uint64_t slowest;

	(void)state;
	r = run_client(10000);
	assert_all_answered(r, 6);
	slowest = lat_quantile(&r->lat, 1.0) / MS;
	assert_in_range(slowest, 200, 260);      /* connect_ms, then the good server */
	assert_true(srv_stats(p, 0, 0).econ >= 1);
	assert_int_equal(srv_stats(p, 0, 0).econ, cnt(p, "ProxyRetries"));
	assert_int_equal(cnt(p, "ProxyConnectGiveUp"), 0);
	assert_int_equal(srv_stats(p, 0, 1).stot, r->connections);
}

/* ---- 12. health checks -------------------------------------------------------------- */

#define CHECKED(kind) "check = " kind "\ncheck_interval_ms = 100\nrise = 2\nfall = 2\n"

static void
test_check_tcp(void **state)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2"),
					       HTTP_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT_RUN("cps", 2, 40, 0, 1000, "/bytes/100"),
		PROXY("", "server.s1 = 198.18.1.2:80\nserver.s2 = 198.18.1.3:80\n" CHECKED("tcp")),
		servers, 2);
	const struct client_result *r;
	unsigned stot;

	(void)state;
	ctl_start(p);
	run_until_state(0, 0, PROXY_SRV_DOWN, 400);
	assert_pm_status("app/s1", "DOWN");
	assert_pm_status("app/s2", "UP");
	assert_string_equal(ctl.what[0][0], "L4CON");
	assert_int_equal(ctl.state[0][1], -1);          /* s2 never changed */
	r = run_client(10000);                          /* it starts at 1000 ms, s1 down */
	assert_all_answered(r, 40);
	assert_string_equal(ctl.what[0][1], "L4OK");
	assert_int_equal(srv_stats(p, 0, 0).stot, 0);   /* nothing went to s1 */
	assert_int_equal(srv_stats(p, 0, 1).stot, r->connections);
	assert_int_equal(cnt(p, "ProxyRetries"), 0);
	/* s1 comes to life: `rise` good checks bring it back. */
	server_listen(SERVER_NODE(0), 80, &(struct tconn){ .close_on_fin = 1 });
	run_until_state(0, 0, PROXY_SRV_UP, 400);
	assert_true(ctl.ok_row[0][0] >= 2);
	assert_pm_status("app/s1", "UP");
	/* The worker has it again: of two new connections, round-robin sends one there. */
	stot = (unsigned)srv_stats(p, 0, 0).stot;
	client_open(80, NULL);
	client_open(80, NULL);
	assert_int_equal(srv_stats(p, 0, 0).stot, stot + 1);
}

#define HTTP_CHECK_INI PROXY_NETS \
	"[frontend.web]\nbind = 198.18.0.10:80\nbackend = good\n" \
	"[frontend.web2]\nbind = 198.18.0.11:80\nbackend = bad\n" \
	"[backend.good]\nserver.s1 = 198.18.1.2:80\n" CHECKED("http") "check_path = /\n" \
	"[backend.bad]\nserver.s1 = 198.18.1.2:80\n" CHECKED("http") "check_path = /nope\n"

static void
test_check_http(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, HTTP_CHECK_INI, servers, 1);

	(void)state;
	ctl_start(p);
	run_until_state(1, 0, PROXY_SRV_DOWN, 400);
	assert_string_equal(ctl.what[1][0], "L7STS 404");
	assert_pm_status("bad/s1", "DOWN");
	idle(300);
	assert_string_equal(ctl.what[0][0], "L7OK 200");
	assert_int_equal(ctl.state[0][0], -1);           /* never went down */
	assert_true(ctl.ok_row[0][0] >= 5);
	assert_pm_status("good/s1", "UP");
	assert_true(cnt(p, "ProxyChecks") >= 10);
}

/* ---- 13. Maglev --------------------------------------------------------------------- */

#define MAGLEV_SERVERS "balance = maglev\nserver.s1 = 198.18.1.2:80\n" \
	"server.s2 = 198.18.1.3:80\nserver.s3 = 198.18.1.4:80\n"

/* Runs 60 connections from one client address; returns the servers that took any. */
static unsigned
maglev_spread(const char *proxy_ini)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2"), HTTP_SERVER("198.18.1.3"),
					       HTTP_SERVER("198.18.1.4") };
	struct lab_node *p = topology(CLIENT("cps", 2, 60, "/bytes/100"), proxy_ini, servers, 3);
	const struct client_result *r = run_client(20000);
	unsigned used = 0;
	uint64_t total = 0;

	assert_all_answered(r, 60);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t n = srv_stats(p, 0, i).stot;

		used += n > 0;
		total += n;
	}
	assert_int_equal(total, cnt(p, "ProxySessions"));
	assert_int_equal(total, r->connections);
	return used;
}

static void
test_maglev_source(void **state)
{
	(void)state;
	assert_int_equal(maglev_spread(PROXY("", MAGLEV_SERVERS)), 1);
}

static void
test_maglev_tuple(void **state)
{
	(void)state;
	assert_true(maglev_spread(PROXY("", MAGLEV_SERVERS "maglev_key = tuple\n")) >= 2);
}

/* A server found down gets no slot in the table the control side rebuilds. */
static void
test_maglev_down(void **state)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2"), HTTP_SERVER("198.18.1.3"),
					       HTTP_SERVER("198.18.1.4") };
	struct lab_node *p = topology(CLIENT_RUN("cps", 2, 40, 0, 500, "/bytes/100"),
		PROXY("", MAGLEV_SERVERS "maglev_size = 251\n" CHECKED("tcp")), servers, 3);
	const struct client_result *r;
	uint64_t s2, s3;

	(void)state;
	ctl_start(p);
	run_until_state(0, 0, PROXY_SRV_DOWN, 400);
	assert_int_equal(ctl.tables, 1);
	r = run_client(10000);
	assert_all_answered(r, 40);
	s2 = srv_stats(p, 0, 1).stot;
	s3 = srv_stats(p, 0, 2).stot;
	assert_int_equal(srv_stats(p, 0, 0).stot, 0);
	assert_true((s2 == 0) != (s3 == 0));     /* one server for the one client address */
	assert_int_equal(s2 + s3, r->connections);
	assert_int_equal(cnt(p, "ProxyRetries"), 0);
}

/* ---- 14. backpressure --------------------------------------------------------------- */

#define BP_BUF 65536
#define BP_TCP TCP_SMALL("rcvbuf = 65536\nsndbuf = 65536\nrcvbuf_max = 65536\nsndbuf_max = 65536\n")
#define BP_PAYLOAD 1448                /* bytes in a full segment (MTU 1500, timestamps) */

static unsigned
max_of(const unsigned *v, unsigned from, unsigned to)
{
	unsigned m = 0;

	for (unsigned i = from; i < to; i++)
		m = RTE_MAX(m, v[i]);
	return m;
}

/*
 * A client uploads as fast as its send space allows; the server reads
 * 1 KB per loop, 20 times less than the path could carry. Every pool stays
 * bounded by the connections' buffers and does not grow; the bytes that
 * arrive are the bytes sent.
 */
static void
test_backpressure(void **state)
{
	static const char *const servers[] = {
		BP_TCP "[port0]\ndevice = lab\naddress = 198.18.1.2/24\n" };
	struct lab_node *p = topology(BP_TCP "[port0]\ndevice = lab\naddress = 198.18.0.2/24\n",
		BP_TCP "[port0]\ndevice = lab\naddress = 198.18.0.1/24\n"
		"[port1]\ndevice = lab\naddress = 198.18.1.1/24\n"
		"[frontend.web]\nbind = 198.18.0.10:80\nbackend = app\n"
		"[backend.app]\nserver.s1 = 198.18.1.2:80\n", servers, 1);
	struct tlisten *l = server_listen(SERVER_NODE(0), 80, &(struct tconn){ .hold = 1,
									 .check_rx = 1 });
	static struct sampler s;
	/*
	 * A full segment costs a pool at most 3 mbufs (its data, the clone that carried it,
	 * the header mbuf the receiver emptied). The client's bytes wait in four buffers
	 * (client send, proxy receive and send, server receive), the proxy's clones in the
	 * last two; 64 more for the frames on the wire and ACKs.
	 */
	const unsigned bound[2] = { 3 * 2 * BP_BUF / BP_PAYLOAD + 64,
				    3 * 4 * BP_BUF / BP_PAYLOAD + 64 };
	struct tconn *t;
	unsigned n, early, late;

	(void)state;
	t = client_open(80, &(struct tconn){ .upload_to = UINT64_MAX });
	s = (struct sampler){ .every = 500, .pool = { p->pool, CLIENT_NODE->pool } };
	sampling = &s;
	consume_per_poll = 1024;
	idle(300);
	sampling = NULL;
	n = s.n;
	assert_true(n >= 290);
	for (unsigned k = 0; k < 2; k++) {
		early = max_of(s.used[k], n / 10, n / 2);
		late = max_of(s.used[k], n / 2, n);
		print_message("backpressure: pool %s: in use at most %u (first half), %u (second), "
			      "bound %u\n", k == 0 ? "proxy" : "client", early, late, bound[k]);
		assert_true(late <= bound[k]);
		assert_true(late <= early + 16);     /* no growth */
	}
	assert_int_equal(l->accepted, 1);
	assert_int_equal(l->last->rx_bad, 0);
	assert_true(l->last->rx_bytes > 150000ull * 1024 * 9 / 10); /* the reader was the limit */
	assert_true(t->sent - l->last->rx_bytes <= 4 * BP_BUF + 16384); /* held back by windows */
	assert_int_equal(cnt(p, "ProxyPendingOverflow"), 0);
}

/* ---- 15. graceful stop -------------------------------------------------------------- */

static void
test_refuse_then_abort(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, PROXY_ON(7, "", "server.s1 = 198.18.1.2:7\n"),
				      servers, 1);
	struct tconn *a = client_open(7, &(struct tconn){ .check_rx = 1, .upload_to = 1000 }), *b;
	uint64_t closed_port;

	(void)state;
	run_until_ge(&a->rx_bytes, 1000, 100);
	proxy_event(p->sw->proxy, &(struct proxy_event){ .kind = PROXY_EV_REFUSE });
	closed_port = cnt(p, "TcpInClosedPort");
	b = client_connect(7, NULL);
	run_until(flag_set, &b->closed, 100);
	assert_int_equal(b->why, TERN_CLOSE_REFUSED);
	assert_false(b->opened);
	assert_true(cnt(p, "TcpInClosedPort") > closed_port);
	assert_int_equal(cnt(p, "ProxySessions"), 1);
	/* The open session goes on. */
	a->upload_to = 5000;
	tx_pump(a);
	run_until_ge(&a->rx_bytes, 5000, 100);
	assert_int_equal(a->rx_bad, 0);
	assert_false(a->closed);
	proxy_event(p->sw->proxy, &(struct proxy_event){ .kind = PROXY_EV_ABORT_ALL });
	run_until(flag_set, &a->closed, 20);
	assert_int_equal(a->why, TERN_CLOSE_RESET);
	assert_int_equal(cnt(p, "ProxyStopAborts"), 1);
	sessions_drain(p, 100);
}

/* ---- more: queue edges, frontend maxconn, sessions, passive health, check timeouts, drain */

#define ONE_SLOT PROXY_ON(7, "", "server.s1 = 198.18.1.2:7 maxconn 1 maxqueue 4\nqueue_ms = 200\n")

/* n more pattern bytes on t, echoed back whole. */
static void
echo_more(struct tconn *t, uint64_t n)
{
	t->check_rx = 1;
	t->upload_to += n;
	tx_pump(t);
	run_until_ge(&t->rx_bytes, t->upload_to, 100);
	assert_int_equal(t->rx_bad, 0);
}

/* A session waiting for a server slot is reset after queue_ms. */
static void
test_queue_timeout(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, ONE_SLOT, servers, 1);
	struct tconn *a = client_open(7, NULL), *b;

	(void)state;
	echo_more(a, 1000);
	b = client_open(7, NULL);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 1);
	run_until(flag_set, &b->closed, 300);
	assert_int_equal(b->why, TERN_CLOSE_RESET);
	assert_in_range(lifetime_ms(b), 199, 205);
	assert_int_equal(cnt(p, "ProxyQueueTimeouts"), 1);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 0);
	echo_more(a, 1000);                      /* the one with the slot goes on */
}

/* One leaving the middle of the queue: the others keep their turn. */
static void
test_queue_leave(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, ONE_SLOT, servers, 1);
	struct tconn *a = client_open(7, NULL), *b = client_open(7, NULL);
	struct tconn *c = client_open(7, NULL), *d = client_open(7, NULL);

	(void)state;
	assert_int_equal(srv_stats(p, 0, 0).qcur, 3);
	tern_abort(c->c);
	idle(1);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 2);
	tern_abort(a->c);                        /* its slot goes to b, the head */
	echo_more(b, 1000);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 1);
	tern_abort(b->c);
	echo_more(d, 1000);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 0);
	assert_int_equal(cnt(p, "ProxyClientAborts"), 3);
	assert_int_equal(cnt(p, "ProxyQueueTimeouts"), 0);
}

/* Past the frontend's maxconn, connections are reset and counted. */
static void
test_frontend_maxconn(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, PROXY_ON(7, "maxconn = 2\n",
		"server.s1 = 198.18.1.2:7\n"), servers, 1);
	struct tconn *a = client_open(7, NULL), *b = client_open(7, NULL), *c;

	(void)state;
	c = client_connect(7, NULL);
	run_until(flag_set, &c->closed, 100);
	assert_true(c->why == TERN_CLOSE_RESET || c->why == TERN_CLOSE_REFUSED);
	assert_int_equal(cnt(p, "ProxyRefusedMaxconn"), 1);
	assert_int_equal(fe_stats(p, 0).dcon, 1);
	echo_more(a, 500);
	echo_more(b, 500);
	tern_abort(a->c);
	c = client_open(7, NULL);                 /* room again */
	echo_more(c, 500);
}

/* With every session slot taken ([proxy] sessions), connections are reset and counted. */
static void
test_no_session(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT_NET, PROXY_ON(7, "",
		"server.s1 = 198.18.1.2:7\n[proxy]\nsessions = 1\n"), servers, 1);
	struct tconn *a = client_open(7, NULL), *b = client_connect(7, NULL);

	(void)state;
	run_until(flag_set, &b->closed, 100);
	assert_int_equal(cnt(p, "ProxyRefusedNoSession"), 1);
	echo_more(a, 500);
	tern_abort(a->c);
	sessions_drain(p, 10);
	echo_more(client_open(7, NULL), 500);     /* the slot is free again */
}

/* Without checks due for a while, failed connections seen by the worker take a server down. */
static void
test_passive_down(void **state)
{
	static const char *const servers[] = { BARE_SERVER("198.18.1.2"),
					       HTTP_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT("cps", 1, 20, "/bytes/100"),
		PROXY("", "server.s1 = 198.18.1.2:80\nserver.s2 = 198.18.1.3:80\n"
		      "check = tcp\ncheck_interval_ms = 60000\nrise = 2\nfall = 2\n"), servers, 2);
	const struct client_result *r;

	(void)state;
	ctl_start(p);
	r = run_client(10000);
	assert_all_answered(r, 20);
	assert_int_equal(ctl.state[0][0], PROXY_SRV_DOWN);
	assert_pm_status("app/s1", "DOWN");
	assert_int_equal(srv_stats(p, 0, 0).econ, 2); /* the second one of `fall` was the last */
}

/* A server whose address nobody answers: the check times out (L4TOUT). */
static void
test_check_timeout(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT_NET, PROXY("", "server.s1 = 198.18.1.99:80\n"
		"server.s2 = 198.18.1.3:80\n" CHECKED("tcp") "check_timeout_ms = 50\n"),
		servers, 1);

	(void)state;
	ctl_start(p);
	run_until_state(0, 0, PROXY_SRV_DOWN, 400);
	assert_string_equal(ctl.what[0][0], "L4TOUT");
	idle(500);
	assert_int_equal(ctl.state[0][1], -1);
	assert_int_equal(ctl.state[0][0], PROXY_SRV_DOWN);
	assert_true(cnt(p, "ProxyChecksFailed") >= 6);
}

/* The operator drains the server a session is on: it goes on, new ones go elsewhere. */
static void
test_drain(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2"),
					       ECHO_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT_NET, PROXY_ON(7, "", "server.s1 = 198.18.1.2:7\n"
		"server.s2 = 198.18.1.3:7\n"), servers, 2);
	struct tconn *a = client_open(7, NULL);
	unsigned on = srv_stats(p, 0, 0).stot == 1 ? 0 : 1;
	char name[16];

	(void)state;
	ctl_start(p);
	snprintf(name, sizeof(name), "s%u", on + 1);
	assert_int_equal(proxy_main_set(ctl.pm, "app", name, "drain", ctl_emit, &ctl), 0);
	assert_int_equal(ctl.state[0][on], PROXY_SRV_DRAIN);
	snprintf(name, sizeof(name), "app/s%u", on + 1);
	assert_pm_status(name, "DRAIN");
	echo_more(client_open(7, NULL), 100);
	echo_more(client_open(7, NULL), 100);
	echo_more(a, 1000);
	assert_int_equal(srv_stats(p, 0, on).stot, 1);
	assert_int_equal(srv_stats(p, 0, !on).stot, 2);
	assert_int_equal(srv_stats(p, 0, on).scur, 1);
}

/* Sessions queued on a server that goes into maintenance choose again (here: the backup). */
static void
test_queue_moves_off_a_server_going_down(void **state)
{
	static const char *const servers[] = { ECHO_SERVER("198.18.1.2"),
					       ECHO_SERVER("198.18.1.3") };
	struct lab_node *p = topology(CLIENT_NET, PROXY_ON(7, "", "server.s1 = 198.18.1.2:7 "
		"maxconn 1\nserver.s2 = 198.18.1.3:7 backup\n"), servers, 2);
	struct tconn *a = client_open(7, NULL), *b;

	(void)state;
	echo_more(a, 1000);
	b = client_open(7, NULL);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 1);
	ctl_start(p);
	assert_int_equal(proxy_main_set(ctl.pm, "app", "s1", "maint", ctl_emit, &ctl), 0);
	assert_int_equal(srv_stats(p, 0, 0).qcur, 0);
	echo_more(b, 1000);                      /* long before queue_ms */
	assert_int_equal(srv_stats(p, 0, 1).stot, 1);
	assert_int_equal(cnt(p, "ProxyQueueTimeouts"), 0);
	echo_more(a, 1000);                      /* what s1 had finishes there */
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_get_keepalive),
		T(test_paced_keepalive),
		T(test_paced_cps),
		T(test_paced_overload_counts_the_wait),
		T(test_cps),
		T(test_large_body),
		T(test_loss_server_side),
		T(test_loss_client_side),
		T(test_retry_redispatch),
		T(test_all_refuse),
		T(test_maxconn_queue),
		T(test_queue_full),
		T(test_queue_moves_off_a_server_going_down),
		T(test_half_close),
		T(test_fin_before_server),
		T(test_client_abort),
		T(test_server_abort),
		T(test_pp_out_v1),
		T(test_pp_out_v2),
		T(test_pp_out_after_retry),
		T(test_pp_in),
		T(test_pp_in_split),
		T(test_pp_in_bad),
		T(test_client_timeout),
		T(test_server_timeout),
		T(test_connect_timeout),
		T(test_check_tcp),
		T(test_check_http),
		T(test_maglev_source),
		T(test_maglev_tuple),
		T(test_maglev_down),
		T(test_backpressure),
		T(test_refuse_then_abort),
		T(test_queue_timeout),
		T(test_queue_leave),
		T(test_frontend_maxconn),
		T(test_no_session),
		T(test_passive_down),
		T(test_check_timeout),
		T(test_drain),
	};
#undef T

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
