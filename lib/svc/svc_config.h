/* lib/svc's configuration: [service.NAME] (the table is in svc_config.c). */
#ifndef TERN_SVC_CONFIG_H
#define TERN_SVC_CONFIG_H

#include <stdint.h>

#include "core/config.h"
#include "tcp/tcp_config.h"

#define SVC_MAX 16
#define SVC_PATH_LEN 256

enum svc_type { SVC_ECHO, SVC_DISCARD, SVC_HTTP, SVC_CLIENT };
enum svc_client_mode { SVC_CLIENT_RPS, SVC_CLIENT_CPS };

struct svc_cfg {
	char name[CFG_NAME_MAX];
	uint32_t type;              /* enum svc_type */
	uint32_t port;              /* listening port; for a client, the target's */
	char cc[TCP_CC_NAME_LEN];   /* empty: [tcp] cc */
	/* type = client: HTTP/1.1 GETs toward target:port */
	uint32_t target;            /* host order; 0: not set */
	uint32_t mode;              /* enum svc_client_mode */
	uint32_t concurrency;       /* connections per worker */
	char path[SVC_PATH_LEN];
	uint32_t duration_ms;       /* 0: until stopped */
	uint32_t requests;          /* per worker; 0: no limit */
	uint32_t rate;              /* requests (rps) or connections (cps) per second per worker; 0: closed loop */
	uint32_t start_ms;          /* wait after start (ARP, the peer's readiness) */
	int exit_when_done;         /* stop tern once every client has finished */
};

extern const struct cfg_section svc_section;

static inline unsigned
svc_count(const struct tern_config *cfg)
{
	return tern_config_count(cfg, &svc_section);
}

static inline struct svc_cfg *
svc_config(const struct tern_config *cfg, unsigned i)
{
	return tern_config_obj(cfg, &svc_section, i);
}

#endif
