/*
 * tern's configuration: an INI file read with rte_cfgfile. Every key is
 * documented in README.md; errors name the file, section and key and say
 * what was expected.
 */
#ifndef TERN_CORE_CONFIG_H
#define TERN_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define TERN_MAX_PORTS 4
#define TERN_MAX_WORKERS 64
#define TERN_DEVARGS_LEN 256

/* One direction of the test-only impairment layer. Rates in parts per million. */
struct tern_impair_dir_cfg {
	uint32_t loss_ppm;
	uint32_t duplicate_ppm;
	uint32_t corrupt_ppm;
	uint32_t reorder_ppm;
	uint32_t delay_us;
	uint32_t jitter_us;
	uint32_t reorder_gap_us;
};

struct tern_impair_cfg {
	int enabled;
	uint32_t seed;
	uint32_t queue_len;
	struct tern_impair_dir_cfg rx, tx;
};

struct tern_port_cfg {
	char section[64];
	char devargs[TERN_DEVARGS_LEN];
	uint32_t addr;      /* host byte order */
	uint32_t prefix_len;
	uint32_t gateway;   /* host byte order, 0 when none */
	uint32_t mtu;
	uint32_t rx_desc, tx_desc;
	int offloads;       /* 1: use what the port offers; 0: software only */
	int promiscuous;
	struct tern_impair_cfg impair;
};

struct tern_arp_cfg {
	uint32_t entries;     /* cache size per worker */
	uint32_t timeout_ms;  /* how long a learned entry is trusted */
	uint32_t retry_ms;    /* between requests while resolving */
	uint32_t retries;     /* requests before giving up */
	uint32_t queue;       /* packets held per unresolved neighbour */
};

struct tern_icmp_cfg {
	uint32_t error_rate;   /* ICMP errors per second per worker */
	uint32_t error_burst;
};

/* TCP tunables; defaults follow Linux where RFCs leave a choice. */
struct tern_tcp_cfg {
	uint32_t max_connections;   /* TCBs per worker */
	uint32_t rcvbuf, sndbuf;    /* bytes per connection */
	uint32_t backlog;           /* SYN-RECEIVED per listener per worker */
	uint32_t msl_ms;            /* TIME-WAIT lasts 2*MSL */
	uint32_t fin_wait2_ms;
	uint32_t syn_retries, synack_retries, retries;
	uint32_t delack_ms;
	uint32_t initial_rto_ms, min_rto_ms, max_rto_ms;
	uint32_t keepalive_idle_ms, keepalive_interval_ms, keepalive_probes;
	int keepalive;
	int nagle;
	int timestamps, sack, window_scaling;
	uint32_t ooo_mbufs;         /* out-of-order mbufs held per worker */
	uint32_t challenge_ack_limit; /* per second per worker (RFC 5961 §7) */
	char cc[16];
};

#define TERN_MAX_SERVICES 16
enum tern_service_type { TERN_SVC_ECHO, TERN_SVC_DISCARD, TERN_SVC_HTTP, TERN_SVC_CLIENT };
enum tern_client_mode { TERN_CLIENT_RPS, TERN_CLIENT_CPS };

struct tern_service_cfg {
	char name[48];
	uint32_t type;              /* enum tern_service_type */
	uint32_t port;              /* listening port; for a client, the target's */
	char cc[16];                /* empty: [tcp] cc */
	/* type = client: HTTP/1.1 GETs toward target:port */
	uint32_t target;            /* host order; 0: not set */
	uint32_t mode;              /* enum tern_client_mode */
	uint32_t concurrency;       /* connections per worker */
	char path[TERN_DEVARGS_LEN];
	uint32_t duration_ms;       /* 0: until stopped */
	uint32_t requests;          /* per worker; 0: no limit */
	uint32_t start_ms;          /* wait after start (ARP, the peer's readiness) */
	uint32_t exit_when_done;    /* stop tern once every client has finished */
};

struct tern_config {
	char path[512];
	uint32_t workers;
	uint32_t mbufs;        /* per worker */
	uint32_t log_level;    /* RTE_LOG_* */
	uint32_t nports;
	struct tern_port_cfg ports[TERN_MAX_PORTS];
	struct tern_arp_cfg arp;
	struct tern_icmp_cfg icmp;
	struct tern_tcp_cfg tcp;
	uint32_t nservices;
	struct tern_service_cfg services[TERN_MAX_SERVICES];
};

/* Fills cfg with defaults (no ports). */
void tern_config_defaults(struct tern_config *cfg);

/*
 * Loads and validates path into cfg. Returns 0, or -1 with a message of the
 * form "FILE: [section] key: expected ..., got '...'" in err.
 */
int tern_config_load(const char *path, struct tern_config *cfg,
		     char *err, size_t errlen);

/* tern itself needs an address on every port (tern-impair does not). */
int tern_config_require_addresses(const struct tern_config *cfg, char *err, size_t errlen);

#endif
