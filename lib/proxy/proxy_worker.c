/* One worker's proxy: frontends listening, backends' servers, the session pool. */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "core/clock.h"
#include "core/log.h"
#include "proxy_internal.h"
#include "tcp/tcp_config.h"

int
proxy_configured(const struct tern_config *cfg)
{
	return proxy_frontend_count(cfg) > 0;
}

/* This worker's share of a limit spread over the workers (at least 1 when the limit is). */
static uint32_t
share(uint32_t limit, const struct tern_worker *w)
{
	return limit == 0 ? 0 : (limit + w->nworkers - 1) / w->nworkers;
}

/* The port whose prefix holds addr (network order), or -1. */
static int
local_port(const struct tern_worker *w, rte_be32_t addr)
{
	for (uint16_t p = 0; p < w->nports; p++)
		if (w->ports[p].addr != 0 && tern_port_on_link(&w->ports[p], addr))
			return p;
	return -1;
}

static int
add_address(struct proxy_worker *pw, struct net_worker *nw, uint32_t host_addr)
{
	rte_be32_t a = rte_cpu_to_be_32(host_addr);
	int port = local_port(pw->w, a);

	return port < 0 ? -EINVAL : net_add_address(nw, (uint16_t)port, a);
}

/* Every server up at start: the table the control side would build. */
static int
first_maglev(struct proxy_backend *b)
{
	uint32_t w[PROXY_MAX_SERVERS];
	int rc;

	for (unsigned i = 0; i < b->cfg->nservers; i++)
		w[i] = b->cfg->servers[i].weight;
	if ((rc = proxy_maglev_build(&b->first, b->cfg, w)) == 0)
		b->maglev = &b->first;
	return rc;
}

static int
backend_init(struct proxy_worker *pw, struct proxy_backend *b, const struct proxy_backend_cfg *c)
{
	unsigned n = c->nservers;

	b->cfg = c;
	b->srv = rte_zmalloc_socket("proxy_srv", n * sizeof(*b->srv), 0, pw->w->socket);
	b->bal_srv = rte_zmalloc_socket("proxy_bal", n * sizeof(*b->bal_srv), 0, pw->w->socket);
	if (b->srv == NULL || b->bal_srv == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct proxy_server_cfg *sc = &c->servers[i];

		b->srv[i] = (struct proxy_server){ .cfg = sc, .addr = rte_cpu_to_be_32(sc->addr),
			.port = rte_cpu_to_be_16(sc->port), .state = PROXY_SRV_UP, .weight = sc->weight,
			.maxconn = share(sc->maxconn, pw->w), .maxqueue = share(sc->maxqueue, pw->w) };
		b->bal_srv[i].backup = (uint8_t)sc->backup;
	}
	balance_init(&b->bal, b->bal_srv, n, c->balance == PROXY_BAL_LEASTCONN ?
		     BALANCE_LEASTCONN : BALANCE_ROUNDROBIN);
	server_refresh_weights(b);
	return c->balance == PROXY_BAL_MAGLEV ? first_maglev(b) : 0;
}

static int
sessions_init(struct proxy_worker *pw)
{
	uint32_t n = proxy_global_config(pw->cfg)->sessions;

	if (n == 0)
		n = tcp_config(pw->cfg)->max_connections / 2;
	pw->sess = rte_zmalloc_socket("proxy_sess", (size_t)n * sizeof(*pw->sess), RTE_CACHE_LINE_SIZE,
				      pw->w->socket);
	if (pw->sess == NULL)
		return -ENOMEM;
	pw->nsess = n;
	for (uint32_t i = 0; i < n; i++)
		pw->sess[i].next_free = i + 1 < n ? i + 1 : UINT32_MAX;
	pw->free_head = 0;
	return 0;
}

/* Virtual IPs and source addresses on the ports; a listener per bind. */
static int
frontends_init(struct proxy_worker *pw, struct net_worker *nw)
{
	int rc = 0;

	for (unsigned b = 0; b < pw->nbe && rc == 0; b++)
		for (unsigned k = 0; k < pw->be[b].cfg->nsources && rc == 0; k++)
			rc = add_address(pw, nw, pw->be[b].cfg->sources[k].addr);
	for (unsigned f = 0; f < pw->nfe && rc == 0; f++) {
		struct proxy_frontend *fe = &pw->fe[f];

		for (unsigned i = 0; i < fe->cfg->nbinds && rc == 0; i++) {
			const struct proxy_bind *bd = &fe->cfg->binds[i];

			rc = add_address(pw, nw, bd->addr);
			if (rc == 0)
				rc = tern_listen_on(pw->tw, rte_cpu_to_be_32(bd->addr), bd->port,
						    sess_accept, fe);
			if (rc != 0)
				TLOG(ERR, "frontend %s: cannot listen on %u.%u.%u.%u:%u: %s",
				     fe->cfg->name, bd->addr >> 24, (bd->addr >> 16) & 255,
				     (bd->addr >> 8) & 255, bd->addr & 255, bd->port, rte_strerror(-rc));
		}
	}
	return rc;
}

static int
worker_init(struct proxy_worker *pw, struct net_worker *nw)
{
	int rc = 0;

	pw->nbe = proxy_backend_count(pw->cfg);
	pw->nfe = proxy_frontend_count(pw->cfg);
	for (unsigned b = 0; b < pw->nbe && rc == 0; b++)
		rc = backend_init(pw, &pw->be[b], proxy_backend_config(pw->cfg, b));
	for (unsigned f = 0; f < pw->nfe; f++) {
		const struct proxy_frontend_cfg *c = proxy_frontend_config(pw->cfg, f);

		pw->fe[f] = (struct proxy_frontend){ .cfg = c, .pw = pw,
			.maxconn = share(c->maxconn, pw->w) };
	}
	if (rc == 0)
		rc = sessions_init(pw);
	if (rc == 0)
		rc = frontends_init(pw, nw);
	if (rc == 0 && pw->w->index == 0)
		rc = check_start(pw);
	return rc;
}

int
proxy_start(struct proxy_worker **out, struct tern_worker *w, struct net_worker *nw,
	    struct tcp_worker *tw, const struct tern_config *cfg, struct proxy_counters *cnt)
{
	struct proxy_worker *pw;
	int rc;

	*out = NULL;
	if (!proxy_configured(cfg))
		return 0;
	pw = rte_zmalloc_socket("proxy_worker", sizeof(*pw), RTE_CACHE_LINE_SIZE, w->socket);
	if (pw == NULL)
		return -ENOMEM;
	pw->w = w;
	pw->tw = tw;
	pw->cfg = cfg;
	pw->cnt = cnt;
	pw->tsc_per_tick = RTE_MAX(tern_us_to_tsc(PROXY_TICK_US), (uint64_t)1);
	pw->tick = w->now / pw->tsc_per_tick;
	wheel_init(&pw->wheel, pw->tick, proxy_timer_expired, pw);
	*out = pw;
	rc = worker_init(pw, nw);
	return rc;
}

void
proxy_stop(struct proxy_worker *pw)
{
	if (pw == NULL)
		return;
	check_stop(pw);
	/* The sessions' connections are gone by now (TCP stopped first): free what they held. */
	for (uint32_t i = 0; pw->sess != NULL && i < pw->nsess; i++)
		for (int d = 0; d < 2; d++) {
			rte_pktmbuf_free(pw->sess[i].pending[d]);
			pw->sess[i].pending[d] = NULL;
		}
	for (unsigned b = 0; b < pw->nbe; b++) {
		rte_free(pw->be[b].srv);
		rte_free(pw->be[b].bal_srv);
		maglev_free(&pw->be[b].first);
	}
	rte_free(pw->sess);
	rte_free(pw);
}

void
proxy_tick(struct proxy_worker *pw)
{
	pw->tick = pw->w->now / pw->tsc_per_tick;
	wheel_advance(&pw->wheel, pw->tick, 1024);
}

void
proxy_quiesce(struct proxy_worker *pw)
{
	if (pw != NULL)
		pw->stopping = 1;
}

uint32_t
proxy_sessions(const struct proxy_worker *pw)
{
	return pw != NULL ? pw->used : 0;
}

void
proxy_set_notify(struct proxy_worker *pw, proxy_notify_fn fn)
{
	if (pw != NULL)
		pw->notify = fn;
}

unsigned
proxy_stats_copy(const struct proxy_worker *pw, uint32_t backend, struct proxy_stats *out,
		 unsigned max)
{
	unsigned n = 0;

	if (pw == NULL)
		return 0;
	if (backend == PROXY_STATS_FRONTENDS) {
		for (unsigned f = 0; f < pw->nfe; f++, n++)
			if (n < max)
				out[n] = pw->fe[f].st;
		return n;
	}
	if (backend >= pw->nbe)
		return 0;
	if (max > 0)
		out[n] = pw->be[backend].st;
	n++;
	for (unsigned i = 0; i < pw->be[backend].cfg->nservers; i++, n++)
		if (n < max)
			out[n] = pw->be[backend].srv[i].st;
	return n;
}
