/* The control side's state, shared by proxy_main.c and proxy_print.c. */
#ifndef TERN_PROXY_MAIN_INTERNAL_H
#define TERN_PROXY_MAIN_INTERNAL_H

#include <stdint.h>

#include "proxy_internal.h"

enum admin { ADMIN_READY, ADMIN_DRAIN, ADMIN_MAINT };

struct pm_server {
	uint8_t up;                  /* health, from checks and failure notes */
	uint8_t admin;               /* enum admin, from the operator */
	uint8_t ok_row, fail_row;
	uint8_t state;               /* enum proxy_srv_state as last broadcast */
	uint32_t weight;
	uint64_t chkfail, chkdown;
	uint64_t lastchg_ms, down_since_ms, downtime_ms;
	char check[40];              /* the last check's result */
};

struct pm_backend {
	const struct proxy_backend_cfg *cfg;
	struct pm_server *srv;
	struct maglev_table *table;  /* the last one published */
};

#define PM_RETIRED_MAX 64

struct proxy_main {
	const struct tern_config *cfg;
	unsigned nbe;
	struct pm_backend be[PROXY_MAX_BACKENDS];
	unsigned nretired;
	struct maglev_table *retired[PM_RETIRED_MAX];
};

#endif
