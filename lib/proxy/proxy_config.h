/*
 * lib/proxy's configuration: [frontend.NAME], [backend.NAME] and [proxy]
 * (the tables and the checks across sections are in proxy_config.c).
 * HAProxy's vocabulary and defaults where it has them.
 */
#ifndef TERN_PROXY_CONFIG_H
#define TERN_PROXY_CONFIG_H

#include <stdint.h>

#include "core/config.h"

#define PROXY_MAX_FRONTENDS 32
#define PROXY_MAX_BACKENDS 32
#define PROXY_MAX_BINDS 8          /* addresses one frontend listens on */
#define PROXY_MAX_SERVERS 1024     /* per backend */
#define PROXY_MAX_SOURCES 8        /* source addresses of one backend */
#define PROXY_PATH_LEN 128

enum proxy_pp { PROXY_PP_NONE, PROXY_PP_V1, PROXY_PP_V2 };
enum proxy_balance { PROXY_BAL_ROUNDROBIN, PROXY_BAL_LEASTCONN, PROXY_BAL_MAGLEV };
enum proxy_maglev_key { PROXY_KEY_SOURCE, PROXY_KEY_TUPLE };
enum proxy_check { PROXY_CHECK_NONE, PROXY_CHECK_TCP, PROXY_CHECK_HTTP };

struct proxy_bind {
	uint32_t addr;             /* host order */
	uint16_t port;
};

struct proxy_frontend_cfg {
	char name[CFG_NAME_MAX];
	unsigned nbinds;
	struct proxy_bind binds[PROXY_MAX_BINDS];
	char backend[CFG_NAME_MAX];
	uint32_t maxconn;          /* whole frontend; each worker takes its share */
	uint32_t accept_proxy;     /* enum proxy_pp */
	uint32_t client_ms;        /* idle client side */
	uint32_t client_fin_ms;    /* client side once half-closed */
	uint32_t backend_index;    /* resolved by the checks */
};

struct proxy_server_cfg {
	char name[CFG_NAME_MAX];
	uint32_t addr;             /* host order */
	uint16_t port;
	uint32_t weight;           /* 1..256, 0: starts drained */
	uint32_t maxconn;          /* 0: no limit */
	uint32_t maxqueue;         /* waiting sessions when at maxconn */
	int backup;
};

struct proxy_source_cfg {
	uint32_t addr;             /* host order */
	uint16_t port_lo, port_hi; /* 0, 0: the ephemeral range */
};

struct proxy_backend_cfg {
	char name[CFG_NAME_MAX];
	unsigned nservers;
	struct proxy_server_cfg servers[PROXY_MAX_SERVERS];
	unsigned nsources;
	struct proxy_source_cfg sources[PROXY_MAX_SOURCES];
	uint32_t balance;          /* enum proxy_balance */
	uint32_t maglev_size;      /* prime */
	uint32_t maglev_key;       /* enum proxy_maglev_key */
	uint32_t send_proxy;       /* enum proxy_pp */
	uint32_t retries;
	int redispatch;
	uint32_t connect_ms, server_ms, server_fin_ms, tunnel_ms, queue_ms;
	uint32_t check;            /* enum proxy_check */
	char check_method[16];
	char check_path[PROXY_PATH_LEN];
	uint32_t check_status;     /* expected HTTP status */
	uint32_t check_interval_ms, check_timeout_ms;
	uint32_t rise, fall;
	int check_send_proxy;
};

struct proxy_global_cfg {
	uint32_t grace_ms;         /* SIGTERM: connections may finish this long */
	uint32_t sessions;         /* session slots per worker */
};

extern const struct cfg_section proxy_frontend_section, proxy_backend_section,
	proxy_global_section;

static inline unsigned
proxy_frontend_count(const struct tern_config *cfg)
{
	return tern_config_count(cfg, &proxy_frontend_section);
}

static inline struct proxy_frontend_cfg *
proxy_frontend_config(const struct tern_config *cfg, unsigned i)
{
	return tern_config_obj(cfg, &proxy_frontend_section, i);
}

static inline unsigned
proxy_backend_count(const struct tern_config *cfg)
{
	return tern_config_count(cfg, &proxy_backend_section);
}

static inline struct proxy_backend_cfg *
proxy_backend_config(const struct tern_config *cfg, unsigned i)
{
	return tern_config_obj(cfg, &proxy_backend_section, i);
}

static inline struct proxy_global_cfg *
proxy_global_config(const struct tern_config *cfg)
{
	return tern_config_obj(cfg, &proxy_global_section, 0);
}

#endif
