#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "maglev.h"
#include "proxy_config.h"

static const char *const pp_names[] = { "none", "v1", "v2", NULL };
static const char *const balance_names[] = { "roundrobin", "leastconn", "maglev", NULL };
static const char *const key_names[] = { "source", "tuple", NULL };
static const char *const check_names[] = { "none", "tcp", "http", NULL };
static const char *const method_names[] = { "GET", "HEAD", "OPTIONS", NULL };

/* ---- values with a syntax of their own --------------------------------------------- */

/* "A.B.C.D:PORT[, A.B.C.D:PORT ...]" */
static int
parse_binds(struct cfg_ctx *p, const char *key, const char *value, void *obj)
{
	struct proxy_frontend_cfg *fe = obj;
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", value);
	fe->nbinds = 0;
	for (char *t = strtok_r(buf, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save)) {
		struct proxy_bind *b = &fe->binds[fe->nbinds];

		if (fe->nbinds == PROXY_MAX_BINDS)
			return cfg_fail(p, key, "at most %d addresses", PROXY_MAX_BINDS);
		if (cfg_parse_addr_port(t, &b->addr, &b->port) != 0)
			return cfg_fail(p, key, "expected ADDRESS:PORT like 198.18.0.10:80, got '%s'", t);
		fe->nbinds++;
	}
	return fe->nbinds > 0 ? 0 : cfg_fail(p, key, "expected at least one ADDRESS:PORT");
}

/* One "word N" option of a server line; 0, or -1 when word is not one. */
static int
server_option(struct proxy_server_cfg *s, const char *word, const char *num, int *used_num)
{
	uint64_t n;

	*used_num = 0;
	if (strcmp(word, "backup") == 0)
		return s->backup = 1, 0;
	if (num == NULL || cfg_parse_u64(num, &n) != 0)
		return -1;
	*used_num = 1;
	if (strcmp(word, "weight") == 0 && n <= 256)
		return s->weight = (uint32_t)n, 0;
	if (strcmp(word, "maxconn") == 0 && n <= 1000000)
		return s->maxconn = (uint32_t)n, 0;
	if (strcmp(word, "maxqueue") == 0 && n <= 1000000)
		return s->maxqueue = (uint32_t)n, 0;
	return -1;
}

/* server.NAME = A.B.C.D:PORT [weight N] [maxconn N] [maxqueue N] [backup] */
static int
parse_server(struct cfg_ctx *p, const char *key, const char *value, void *obj)
{
	struct proxy_backend_cfg *be = obj;
	struct proxy_server_cfg *s = &be->servers[be->nservers];
	char buf[256], *save = NULL, *w[16];
	int n = 0, used;

	if (be->nservers == PROXY_MAX_SERVERS)
		return cfg_fail(p, key, "at most %d servers per backend", PROXY_MAX_SERVERS);
	if (strlen(key + 7) >= CFG_NAME_MAX)
		return cfg_fail(p, key, "server name longer than %d characters", CFG_NAME_MAX - 1);
	snprintf(buf, sizeof(buf), "%s", value);
	for (char *t = strtok_r(buf, " \t", &save); t != NULL && n < 16; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	*s = (struct proxy_server_cfg){ .weight = 1, .maxqueue = 128 };
	snprintf(s->name, sizeof(s->name), "%s", key + 7);
	if (n == 0 || cfg_parse_addr_port(w[0], &s->addr, &s->port) != 0)
		return cfg_fail(p, key, "expected ADDRESS:PORT [weight N] [maxconn N] [maxqueue N] "
				"[backup], got '%s'", value);
	for (int i = 1; i < n; i += 1 + used)
		if (server_option(s, w[i], i + 1 < n ? w[i + 1] : NULL, &used) != 0)
			return cfg_fail(p, key, "expected weight 0-256, maxconn N, maxqueue N or "
					"backup after the address, got '%s'", w[i]);
	be->nservers++;
	return 0;
}

/* "A.B.C.D[:LO-HI][, ...]" */
static int
parse_sources(struct cfg_ctx *p, const char *key, const char *value, void *obj)
{
	struct proxy_backend_cfg *be = obj;
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", value);
	be->nsources = 0;
	for (char *t = strtok_r(buf, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save)) {
		struct proxy_source_cfg *s = &be->sources[be->nsources];
		char *colon = strchr(t, ':');
		unsigned lo = 0, hi = 0;
		char extra;

		if (be->nsources == PROXY_MAX_SOURCES)
			return cfg_fail(p, key, "at most %d source addresses", PROXY_MAX_SOURCES);
		if (colon != NULL)
			*colon = '\0';
		*s = (struct proxy_source_cfg){ 0 };
		if (cfg_parse_ipv4(t, &s->addr) != 0 ||
		    (colon != NULL && (sscanf(colon + 1, "%u-%u%c", &lo, &hi, &extra) != 2 ||
				       lo < 1 || lo > hi || hi > 65535)))
			return cfg_fail(p, key, "expected ADDRESS or ADDRESS:LOW-HIGH like "
					"198.18.1.1:40000-40999, got '%s%s%s'", t, colon ? ":" : "",
					colon ? colon + 1 : "");
		s->port_lo = (uint16_t)lo;
		s->port_hi = (uint16_t)hi;
		be->nsources++;
	}
	return 0;
}

/* ---- [frontend.NAME] ---------------------------------------------------------------- */

#define FK(...) CFG_KEY(struct proxy_frontend_cfg, __VA_ARGS__)
static const struct cfg_key frontend_keys[] = {
	{ "bind", CFG_FN, 0, 0, 0, NULL,
	  "virtual IPs and ports to listen on, comma separated; each address inside a port's "
	  "prefix (tern answers ARP for it)", .parse = parse_binds,
	  .expects = "ADDRESS:PORT[, ADDRESS:PORT ...]", .flags = CFG_REQUIRED },
	{ "backend", CFG_STR, offsetof(struct proxy_frontend_cfg, backend), 0, CFG_NAME_MAX, NULL,
	  "the [backend.NAME] its connections go to", .flags = CFG_REQUIRED },
	FK("maxconn", CFG_UINT, maxconn, 1, 1u << 24, "20000",
	   "concurrent client connections (each worker takes its share); more are reset"),
	{ "accept_proxy", CFG_ENUM, offsetof(struct proxy_frontend_cfg, accept_proxy), 0, 0, "none",
	  "expect a PROXY protocol header from a load balancer in front (its client address "
	  "is then the client's)", pp_names },
	FK("client_ms", CFG_UINT, client_ms, 1, 86400000, "30000",
	   "the client side may be idle this long (nothing received from it or sent to it)"),
	FK("client_fin_ms", CFG_UINT, client_fin_ms, 0, 86400000, "0",
	   "the same once the client side is half-closed (0: client_ms)"),
};

static void
frontend_init(void *obj, const char *name, unsigned index)
{
	(void)index;
	snprintf(((struct proxy_frontend_cfg *)obj)->name, CFG_NAME_MAX, "%s", name);
}

/* ---- [backend.NAME] ----------------------------------------------------------------- */

#define BK(...) CFG_KEY(struct proxy_backend_cfg, __VA_ARGS__)
static const struct cfg_key backend_keys[] = {
	{ "server.*", CFG_FN, 0, 0, 0, NULL, "a server of the backend (one key per server)",
	  .parse = parse_server, .expects = "ADDRESS:PORT [weight 0-256] [maxconn N] "
	  "[maxqueue N] [backup]" },
	{ "balance", CFG_ENUM, offsetof(struct proxy_backend_cfg, balance), 0, 0, "roundrobin",
	  "server choice: smooth weighted round-robin, fewest connections per weight (counted "
	  "per worker), or Maglev consistent hashing", balance_names },
	BK("maglev_size", CFG_UINT, maglev_size, 3, 1000003, "65537",
	   "Maglev lookup table size, a prime larger than the number of servers"),
	{ "maglev_key", CFG_ENUM, offsetof(struct proxy_backend_cfg, maglev_key), 0, 0, "source",
	  "what Maglev hashes: the client address, or the client's 4-tuple", key_names },
	{ "source", CFG_FN, 0, 0, 0, NULL,
	  "source addresses (and port ranges) of connections to the servers, used in turn; "
	  "default: the address of the port that reaches them", .parse = parse_sources,
	  .expects = "ADDRESS[:LOW-HIGH][, ...]" },
	{ "send_proxy", CFG_ENUM, offsetof(struct proxy_backend_cfg, send_proxy), 0, 0, "none",
	  "send a PROXY protocol header with the client's address", pp_names },
	BK("retries", CFG_UINT, retries, 0, 16, "3", "connection attempts after the first fails"),
	BK("redispatch", CFG_BOOL, redispatch, 0, 0, "yes",
	   "retries go to another server when there is one"),
	BK("connect_ms", CFG_UINT, connect_ms, 1, 600000, "5000", "time to connect to a server"),
	BK("server_ms", CFG_UINT, server_ms, 1, 86400000, "30000",
	   "the server side may be idle this long"),
	BK("server_fin_ms", CFG_UINT, server_fin_ms, 0, 86400000, "0",
	   "the same once the server side is half-closed (0: server_ms)"),
	BK("tunnel_ms", CFG_UINT, tunnel_ms, 0, 86400000, "0",
	   "once both sides are connected, idle in both directions this long ends the pair "
	   "(0: client_ms and server_ms apply)"),
	BK("queue_ms", CFG_UINT, queue_ms, 1, 600000, "5000",
	   "a connection waits this long for a server at its maxconn"),
	{ "check", CFG_ENUM, offsetof(struct proxy_backend_cfg, check), 0, 0, "none",
	  "active health check: none, a TCP connect, or an HTTP request", check_names },
	{ "check_method", CFG_STR, offsetof(struct proxy_backend_cfg, check_method), 0, 16, "GET",
	  "HTTP check method", method_names },
	{ "check_path", CFG_STR, offsetof(struct proxy_backend_cfg, check_path), 0, PROXY_PATH_LEN,
	  "/", "HTTP check path" },
	BK("check_status", CFG_UINT, check_status, 100, 599, "200", "HTTP status a healthy server answers"),
	BK("check_interval_ms", CFG_UINT, check_interval_ms, 10, 3600000, "2000",
	   "between checks of one server (checks of a backend are spread over it)"),
	BK("check_timeout_ms", CFG_UINT, check_timeout_ms, 0, 3600000, "0",
	   "a check not answered this long fails (0: check_interval_ms)"),
	BK("rise", CFG_UINT, rise, 1, 100, "2", "consecutive good checks that bring a server up"),
	BK("fall", CFG_UINT, fall, 1, 100, "3",
	   "consecutive failed checks (or failed connections and resets seen by workers) that "
	   "take it down"),
	BK("check_send_proxy", CFG_BOOL, check_send_proxy, 0, 0, "no",
	   "checks start with a PROXY header too (LOCAL command)"),
};

static void
backend_init(void *obj, const char *name, unsigned index)
{
	(void)index;
	snprintf(((struct proxy_backend_cfg *)obj)->name, CFG_NAME_MAX, "%s", name);
}

/* ---- [proxy] ----------------------------------------------------------------------- */

#define GK(...) CFG_KEY(struct proxy_global_cfg, __VA_ARGS__)
static const struct cfg_key global_keys[] = {
	GK("grace_ms", CFG_UINT, grace_ms, 0, 3600000, "10000",
	   "on SIGTERM, new connections are refused and open ones may finish this long before "
	   "the rest are reset (a second SIGTERM stops at once)"),
	GK("sessions", CFG_UINT, sessions, 0, 1u << 24, "0",
	   "proxied pairs per worker (0: half of [tcp] max_connections)"),
};

const struct cfg_section proxy_global_section = {
	.name = "proxy", .kind = CFG_SINGLE, .size = sizeof(struct proxy_global_cfg),
	.keys = global_keys, .nkeys = RTE_DIM(global_keys),
};

int proxy_check_frontends(struct cfg_ctx *p, struct tern_config *cfg);
int proxy_check_backends(struct cfg_ctx *p, struct tern_config *cfg);

const struct cfg_section proxy_frontend_section = {
	.name = "frontend", .kind = CFG_NAMED, .max = PROXY_MAX_FRONTENDS,
	.size = sizeof(struct proxy_frontend_cfg), .keys = frontend_keys,
	.nkeys = RTE_DIM(frontend_keys), .init = frontend_init, .check_all = proxy_check_frontends,
	.doc = "A proxy frontend: clients connect to its virtual IPs, tern terminates their TCP "
	       "and opens a connection of its own to a server of its backend.",
};

const struct cfg_section proxy_backend_section = {
	.name = "backend", .kind = CFG_NAMED, .max = PROXY_MAX_BACKENDS,
	.size = sizeof(struct proxy_backend_cfg), .keys = backend_keys,
	.nkeys = RTE_DIM(backend_keys), .init = backend_init, .check_all = proxy_check_backends,
	.doc = "Servers a frontend's connections go to, how one is chosen, how long each side "
	       "may be idle, and how their health is checked.",
};
