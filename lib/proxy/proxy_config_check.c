/* Rules across sections for [frontend.NAME] and [backend.NAME]. */
#include <stdio.h>
#include <string.h>

#include "maglev.h"
#include "proxy_config.h"

/* The port whose prefix holds addr (host order), or -1. */
static int
port_of(const struct tern_config *cfg, uint32_t addr)
{
	for (unsigned i = 0; i < cfg->nports; i++) {
		const struct tern_port_cfg *pc = &cfg->ports[i];
		uint32_t mask = pc->prefix_len == 0 ? 0 : ~(~0u >> pc->prefix_len);

		if (pc->prefix_len != 0 && (addr & mask) == (pc->addr & mask))
			return (int)i;
	}
	return -1;
}

/* A host address inside one of the ports' prefixes: its port, or -1 (reported). */
static int
check_local(struct cfg_ctx *p, const struct tern_config *cfg, const char *key, uint32_t addr)
{
	int port = port_of(cfg, addr);
	uint32_t mask;

	if (port < 0)
		return cfg_fail(p, key, "%u.%u.%u.%u is inside no port's prefix (tern can only answer "
				"for addresses on its links)", addr >> 24, (addr >> 16) & 255,
				(addr >> 8) & 255, addr & 255);
	mask = ~(~0u >> cfg->ports[port].prefix_len);
	if ((addr & ~mask) == 0 || (addr & ~mask) == ~mask)
		return cfg_fail(p, key, "%u.%u.%u.%u is the network or broadcast address of [%s]",
				addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255,
				cfg->ports[port].section);
	return port;
}

static void
at(struct cfg_ctx *p, const char *kind, const char *name)
{
	char section[CFG_NAME_MAX + 16];

	snprintf(section, sizeof(section), "%s.%s", kind, name);
	cfg_at(p, section);
}

/* Two binds on one ADDRESS:PORT, in this frontend or an earlier one. */
static int
check_duplicate_bind(struct cfg_ctx *p, const struct tern_config *cfg, unsigned f, unsigned b)
{
	const struct proxy_frontend_cfg *fe = proxy_frontend_config(cfg, f);
	const struct proxy_bind *x = &fe->binds[b];

	for (unsigned g = 0; g <= f; g++) {
		const struct proxy_frontend_cfg *other = proxy_frontend_config(cfg, g);

		for (unsigned c = 0; c < (g == f ? b : other->nbinds); c++)
			if (other->binds[c].addr == x->addr && other->binds[c].port == x->port)
				return cfg_fail(p, "bind", "%u.%u.%u.%u:%u is also bound by [frontend.%s]",
						x->addr >> 24, (x->addr >> 16) & 255, (x->addr >> 8) & 255,
						x->addr & 255, x->port, other->name);
	}
	return 0;
}

int proxy_check_frontends(struct cfg_ctx *p, struct tern_config *cfg);

int
proxy_check_frontends(struct cfg_ctx *p, struct tern_config *cfg)
{
	for (unsigned f = 0; f < proxy_frontend_count(cfg); f++) {
		struct proxy_frontend_cfg *fe = proxy_frontend_config(cfg, f);
		unsigned i;

		at(p, "frontend", fe->name);
		for (i = 0; i < proxy_backend_count(cfg); i++)
			if (strcmp(proxy_backend_config(cfg, i)->name, fe->backend) == 0)
				break;
		if (i == proxy_backend_count(cfg))
			return cfg_fail(p, "backend", "no [backend.%s] section", fe->backend);
		fe->backend_index = i;
		for (unsigned b = 0; b < fe->nbinds; b++)
			if (check_local(p, cfg, "bind", fe->binds[b].addr) < 0 ||
			    check_duplicate_bind(p, cfg, f, b) != 0)
				return -1;
	}
	return 0;
}

/* The port connections to addr leave from: its prefix's, else the first with a gateway. */
static int
route_of(const struct tern_config *cfg, uint32_t addr)
{
	int port = port_of(cfg, addr);

	for (unsigned i = 0; port < 0 && i < cfg->nports; i++)
		if (cfg->ports[i].gateway != 0)
			port = (int)i;
	return port;
}

/* Every server reachable, from the port the source addresses are on. */
static int
check_servers(struct cfg_ctx *p, const struct tern_config *cfg, const struct proxy_backend_cfg *be)
{
	if (be->nservers == 0)
		return cfg_fail(p, NULL, "no server: expected at least one server.NAME key");
	for (unsigned i = 0; i < be->nservers; i++) {
		const struct proxy_server_cfg *s = &be->servers[i];
		int port = route_of(cfg, s->addr);
		char key[CFG_NAME_MAX + 8];

		snprintf(key, sizeof(key), "server.%s", s->name);
		if (port < 0)
			return cfg_fail(p, key, "no port reaches %u.%u.%u.%u (not on a port's prefix, and "
					"no port has a gateway)", s->addr >> 24, (s->addr >> 16) & 255,
					(s->addr >> 8) & 255, s->addr & 255);
		for (unsigned k = 0; k < be->nsources; k++)
			if (port_of(cfg, be->sources[k].addr) != port)
				return cfg_fail(p, "source", "%u.%u.%u.%u is not on [%s], the port that "
						"reaches server.%s", be->sources[k].addr >> 24,
						(be->sources[k].addr >> 16) & 255,
						(be->sources[k].addr >> 8) & 255, be->sources[k].addr & 255,
						cfg->ports[port].section, s->name);
	}
	return 0;
}

int proxy_check_backends(struct cfg_ctx *p, struct tern_config *cfg);

int
proxy_check_backends(struct cfg_ctx *p, struct tern_config *cfg)
{
	for (unsigned b = 0; b < proxy_backend_count(cfg); b++) {
		struct proxy_backend_cfg *be = proxy_backend_config(cfg, b);

		at(p, "backend", be->name);
		for (unsigned k = 0; k < be->nsources; k++)
			if (check_local(p, cfg, "source", be->sources[k].addr) < 0)
				return -1;
		if (check_servers(p, cfg, be) != 0)
			return -1;
		if (be->balance == PROXY_BAL_MAGLEV &&
		    (!maglev_is_prime(be->maglev_size) || be->maglev_size <= be->nservers))
			return cfg_fail(p, "maglev_size", "expected a prime larger than the %u servers, "
					"got %u", be->nservers, be->maglev_size);
		if (be->check_timeout_ms == 0)
			be->check_timeout_ms = be->check_interval_ms;
	}
	return 0;
}
