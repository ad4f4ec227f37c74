/*
 * Active health checks, run by worker 0 for every server whose backend
 * has `check`: a TCP connect (L4), or an HTTP request whose status line is
 * compared with check_status (L7). Checks of one backend are spread over
 * its interval. Each result goes to the control side as a note; the
 * control side counts rise and fall and broadcasts the server's state to
 * every worker (worker 0 included), so all workers see one state.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "proxy_internal.h"
#include "proxy_proto.h"

#define RESP_KEEP 32             /* bytes of the answer kept: enough for its status line */

enum check_state { CK_IDLE, CK_CONNECTING, CK_SENT };

struct check_srv {
	struct wheel_timer timer;    /* first: the timer's owner is found from it */
	struct proxy_worker *pw;
	uint16_t be, srv;
	uint8_t state;
	uint8_t reported;            /* this round's result went out */
	uint16_t rlen;
	char resp[RESP_KEEP];
	struct tern_conn_ref ref;
	uint64_t started;
};

struct proxy_checks {
	unsigned n;
	struct check_srv c[];
};

static uint64_t
ticks(uint32_t ms)
{
	return (uint64_t)ms * 1000 / PROXY_TICK_US;
}

static const struct proxy_backend_cfg *
bcfg(const struct check_srv *k)
{
	return k->pw->be[k->be].cfg;
}

/* The round's verdict, once: to the control side; the next round is filed. */
static void
report(struct check_srv *k, int ok, const char *what)
{
	struct proxy_worker *pw = k->pw;
	struct proxy_note n = { .kind = PROXY_NOTE_CHECK, .backend = k->be, .server = k->srv,
				.ok = (uint8_t)ok };

	if (k->reported)
		return;
	k->reported = 1;
	if (!ok)
		CNT_INC(pw->cnt, ProxyChecksFailed);
	snprintf(n.what, sizeof(n.what), "%s", what);
	if (pw->notify != NULL)
		pw->notify(pw->w, &n);
	k->timer.tag = CHECK_TAG;
	wheel_arm(&pw->wheel, &k->timer, k->started + ticks(bcfg(k)->check_interval_ms));
}

/*
 * "HTTP/1.x NNN": the status against the expected one. Reports and returns
 * 1 once the status line is in (or the connection ended: complete says so).
 */
static int
http_verdict(struct check_srv *k, int complete)
{
	unsigned major, minor, status;
	char what[40];

	if (!complete && memchr(k->resp, '\n', k->rlen) == NULL && k->rlen < RESP_KEEP)
		return 0;
	k->resp[RTE_MIN(k->rlen, (uint16_t)(RESP_KEEP - 1))] = '\0';
	if (sscanf(k->resp, "HTTP/%u.%u %3u", &major, &minor, &status) != 3 || major != 1) {
		report(k, 0, "L7RSP");
		return 1;
	}
	snprintf(what, sizeof(what), "%s %u", status == bcfg(k)->check_status ? "L7OK" : "L7STS",
		 status);
	report(k, status == bcfg(k)->check_status, what);
	return 1;
}

static void
ck_data(struct tcb *c, void *ctx, struct rte_mbuf *m)
{
	struct check_srv *k = ctx;
	uint32_t len = rte_pktmbuf_pkt_len(m), take = RTE_MIN(len, (uint32_t)(RESP_KEEP - k->rlen));

	if (take > 0) {
		const void *p = rte_pktmbuf_read(m, 0, take, k->resp + k->rlen);

		if (p != k->resp + k->rlen)
			memcpy(k->resp + k->rlen, p, take);
		k->rlen += (uint16_t)take;
	}
	rte_pktmbuf_free(m);
	tern_consumed(c, len);
	if (!k->reported && http_verdict(k, 0))
		tern_abort(c); /* the status is all a check needs */
}

/* The PROXY header a check starts with (check_send_proxy): LOCAL, no addresses. */
static void
send_local_header(struct check_srv *k, struct tcb *c)
{
	struct pp_header h = { .command = PP_CMD_LOCAL, .family = PP_FAM_UNSPEC };
	uint8_t buf[64];
	int n = bcfg(k)->send_proxy == PROXY_PP_V1 ? pp_build_v1((char *)buf, sizeof(buf), &h)
						    : pp_build_v2(buf, sizeof(buf), &h);

	if (n > 0)
		tern_send_bytes(c, buf, (uint32_t)n);
}

static void
ck_open(struct tcb *c, void *ctx)
{
	struct check_srv *k = ctx;
	const struct proxy_backend_cfg *bc = bcfg(k);
	const struct proxy_server_cfg *sc = &bc->servers[k->srv];
	char req[PROXY_PATH_LEN + 128];
	int n;

	if (bc->check_send_proxy)
		send_local_header(k, c);
	if (bc->check == PROXY_CHECK_TCP) {
		report(k, 1, "L4OK");
		tern_close(c);
		return;
	}
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: %u.%u.%u.%u\r\n"
		     "User-Agent: tern-check\r\nConnection: close\r\n\r\n", bc->check_method,
		     bc->check_path, sc->addr >> 24, (sc->addr >> 16) & 255, (sc->addr >> 8) & 255,
		     sc->addr & 255);
	tern_send_bytes(c, req, (uint32_t)n);
	k->state = CK_SENT;
}

static void
ck_closed(struct tcb *c, void *ctx, enum tern_close_reason why)
{
	struct check_srv *k = ctx;

	(void)c;
	if (k->state == CK_CONNECTING)
		report(k, 0, why == TERN_CLOSE_REFUSED ? "L4CON" : "L4TOUT");
	else if (k->state == CK_SENT)
		http_verdict(k, 1); /* closed before the status line was complete */
	k->state = CK_IDLE;
	k->ref = (struct tern_conn_ref){ 0 };
}

static const struct tern_conn_ops check_ops = {
	.on_open = ck_open,
	.on_data = ck_data,
	.on_closed = ck_closed,
};

static void
check_begin(struct check_srv *k)
{
	const struct proxy_backend_cfg *bc = bcfg(k);
	struct proxy_worker *pw = k->pw;
	const struct proxy_server *srv = &pw->be[k->be].srv[k->srv];
	struct tern_connect_opts o = { 0 };
	struct tcb *c;

	k->started = pw->tick;
	k->reported = 0;
	k->rlen = 0;
	if (pw->stopping)
		return;
	if (bc->nsources > 0)
		o = (struct tern_connect_opts){ .src = rte_cpu_to_be_32(bc->sources[0].addr),
			.sport_lo = bc->sources[0].port_lo, .sport_hi = bc->sources[0].port_hi };
	CNT_INC(pw->cnt, ProxyChecks);
	c = tern_connect_ex(pw->tw, srv->addr, rte_be_to_cpu_16(srv->port), &o, &check_ops, k);
	if (c == NULL) {
		report(k, 0, "L4CON");
		return;
	}
	k->ref = tern_conn_ref(c);
	k->state = CK_CONNECTING;
	k->timer.tag = CHECK_TAG;
	wheel_arm(&pw->wheel, &k->timer, k->started + RTE_MAX(ticks(bc->check_timeout_ms), 1ull));
}

/* A check's timer: its round starts, or the round under way timed out. */
void
check_timer(struct proxy_worker *pw, struct wheel_timer *t)
{
	struct check_srv *k = (struct check_srv *)t;

	if (k->state != CK_IDLE) {
		struct tcb *c = tern_conn_deref(pw->tw, k->ref);
		int was_reported = k->reported;

		report(k, 0, k->state == CK_CONNECTING ? "L4TOUT" : "L7TOUT");
		if (c != NULL)
			tern_abort(c);
		k->state = CK_IDLE;
		if (!was_reported)
			return; /* report filed the next round */
	}
	check_begin(k);
}

int
check_start(struct proxy_worker *pw)
{
	unsigned n = 0, k = 0;

	for (unsigned b = 0; b < pw->nbe; b++)
		if (pw->be[b].cfg->check != PROXY_CHECK_NONE)
			n += pw->be[b].cfg->nservers;
	if (n == 0)
		return 0;
	pw->check = rte_zmalloc_socket("proxy_check", sizeof(*pw->check) + n * sizeof(pw->check->c[0]),
				       RTE_CACHE_LINE_SIZE, pw->w->socket);
	if (pw->check == NULL)
		return -ENOMEM;
	pw->check->n = n;
	for (unsigned b = 0; b < pw->nbe; b++) {
		const struct proxy_backend_cfg *bc = pw->be[b].cfg;

		for (unsigned i = 0; bc->check != PROXY_CHECK_NONE && i < bc->nservers; i++, k++) {
			struct check_srv *c = &pw->check->c[k];

			*c = (struct check_srv){ .pw = pw, .be = (uint16_t)b, .srv = (uint16_t)i };
			c->timer.tag = CHECK_TAG;
			/* Spread over the interval: a backend's checks do not all leave at once. */
			wheel_arm(&pw->wheel, &c->timer, pw->tick + 1 +
				  ticks(bc->check_interval_ms) * i / bc->nservers);
		}
	}
	return 0;
}

void
check_stop(struct proxy_worker *pw)
{
	if (pw->check == NULL)
		return;
	for (unsigned i = 0; i < pw->check->n; i++)
		wheel_cancel(&pw->wheel, &pw->check->c[i].timer);
	rte_free(pw->check);
	pw->check = NULL;
}
