#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "svc_config.h"

static const char *const type_names[] = { "echo", "discard", "http", "client", NULL };
static const char *const mode_names[] = { "rps", "cps", NULL };

#define K(...) CFG_KEY(struct svc_cfg, __VA_ARGS__)
static const struct cfg_key svc_keys[] = {
	{ "type", CFG_ENUM, offsetof(struct svc_cfg, type), 0, 0, NULL,
	  "echo (RFC 862), discard (RFC 863), an HTTP responder, or a load generator (client)",
	  type_names, .flags = CFG_REQUIRED },
	{ "port", CFG_UINT, offsetof(struct svc_cfg, port), 1, 65535, NULL,
	  "TCP port, on every address of every port; for `client`, the target's port",
	  .flags = CFG_REQUIRED },
	{ "cc", CFG_STR, offsetof(struct svc_cfg, cc), 0, TCP_CC_NAME_LEN, NULL,
	  "congestion control for this service's connections (default: `[tcp] cc`)",
	  tcp_cc_names },
	K("target", CFG_IPV4, target, 0, 0, NULL,
	  "client only, required there: the server's IPv4 address (on a port's prefix, or "
	  "reached through its `gateway`)"),
	{ "mode", CFG_ENUM, offsetof(struct svc_cfg, mode), 0, 0, "rps",
	  "client only: rps, keep-alive connections with one request outstanding on each; "
	  "cps, one request per connection (`Connection: close`)", mode_names },
	K("concurrency", CFG_UINT, concurrency, 1, 1u << 20, "64",
	  "client only: connections kept busy per worker"),
	{ "path", CFG_STR, offsetof(struct svc_cfg, path), 0, SVC_PATH_LEN, "/bytes/64",
	  "client only: `GET` path; bodies of `/bytes/N` are checked against their pattern" },
	K("duration_ms", CFG_UINT, duration_ms, 0, 86400000, "10000",
	  "client only: length of the run (0: until tern is stopped)"),
	K("requests", CFG_UINT, requests, 0, UINT32_MAX, "0",
	  "client only: stop after this many answers per worker (0: no limit)"),
	K("rate", CFG_UINT, rate, 0, 100000000, "0",
	  "client only: a fixed offered load, requests (rps) or new connections (cps) per "
	  "second per worker, sent on schedule whether or not earlier ones were answered "
	  "(open loop: a latency runs from the request's scheduled time, so waiting for a "
	  "free connection counts); 0: each connection sends again as soon as it is answered"),
	K("start_ms", CFG_UINT, start_ms, 0, 600000, "200",
	  "client only: wait after start before the first connection"),
	K("exit_when_done", CFG_BOOL, exit_when_done, 0, 0, "yes",
	  "client only: stop tern when every client has finished and reported"),
};

static void
svc_init(void *obj, const char *name, unsigned index)
{
	(void)index;
	snprintf(((struct svc_cfg *)obj)->name, CFG_NAME_MAX, "%s", name);
}

/* The client keys mean something only for type = client, and target is required there. */
static int
check_svc(struct cfg_ctx *p, void *obj)
{
	static const char *const client_only[] = { "target", "mode", "concurrency", "path",
		"duration_ms", "requests", "rate", "start_ms", "exit_when_done" };
	const struct svc_cfg *s = obj;

	if (s->type == SVC_CLIENT) {
		if (s->target == 0)
			return cfg_fail(p, "target", "required for type = client (the server's IPv4 address)");
		if (s->path[0] != '/')
			return cfg_fail(p, "path", "expected an absolute path starting with '/', got '%s'",
					s->path);
		if (strpbrk(s->path, " \r\n") != NULL)
			return cfg_fail(p, "path", "expected no spaces or line breaks");
		return 0;
	}
	for (unsigned i = 0; i < RTE_DIM(client_only); i++)
		if (cfg_given(p, client_only[i]))
			return cfg_fail(p, client_only[i], "only for type = client");
	return 0;
}

/* Two listening services cannot share a port. */
static int
check_ports(struct cfg_ctx *p, struct tern_config *cfg)
{
	for (unsigned i = 0; i < svc_count(cfg); i++)
		for (unsigned j = 0; j < i; j++) {
			const struct svc_cfg *a = svc_config(cfg, i), *b = svc_config(cfg, j);
			char section[CFG_NAME_MAX + 16];

			if (a->type == SVC_CLIENT || b->type == SVC_CLIENT || a->port != b->port)
				continue;
			snprintf(section, sizeof(section), "service.%s", a->name);
			cfg_at(p, section);
			return cfg_fail(p, "port", "%u is already used by [service.%s]", a->port,
					b->name);
		}
	return 0;
}

const struct cfg_section svc_section = {
	.name = "service", .kind = CFG_NAMED, .max = SVC_MAX, .size = sizeof(struct svc_cfg),
	.keys = svc_keys, .nkeys = RTE_DIM(svc_keys), .init = svc_init, .check = check_svc,
	.check_all = check_ports,
	.doc = "Built-in services. Keys marked *client only* are an error on another type.",
};
