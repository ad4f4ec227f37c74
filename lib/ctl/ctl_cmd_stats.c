/*
 * /tern/info, /tern/counters, /tern/workers, /tern/ports: what nstat,
 * ternctl workers and ethtool -S would show. Each reply fits DPDK's 16 KiB
 * telemetry output: workers come in pages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "ctl_internal.h"

#define WORKERS_PER_PAGE 16
#define XSTATS_MAX 200      /* of a dict's 256 entries */

static int
cmd_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	struct rte_tel_data *states;

	(void)cmd;
	(void)params;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	states = rte_tel_data_alloc();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "pid", (int)getpid());
	rte_tel_data_add_dict_string(d, "config", c->cfg->path);
	rte_tel_data_add_dict_u64(d, "workers", c->src.nworkers);
	rte_tel_data_add_dict_u64(d, "ports", c->src.nports);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "counters", c->src.layout->total);
	if (states != NULL) {
		rte_tel_data_start_array(states, RTE_TEL_STRING_VAL);
		for (uint8_t s = 0; s < TERN_TCP_NSTATES; s++)
			rte_tel_data_add_array_string(states, tern_tcp_state_ss(s));
		rte_tel_data_add_dict_container(d, "tcp_states", states, 0);
	}
	ctl_leave();
	return 0;
}

/* The sum over workers, or one worker's; NULL with an error in d. */
static uint64_t *
counters_of(struct ctl *c, const char *params, struct rte_tel_data *d)
{
	unsigned total = c->src.layout->total;
	uint64_t *sum = calloc(total, sizeof(*sum)), *one = calloc(total, sizeof(*one)), w;
	int all = params == NULL || *params == '\0';

	if (sum == NULL || one == NULL) {
		ctl_error(d, "out of memory");
		goto fail;
	}
	if (!all && ctl_number(params, c->src.nworkers - 1, &w) != 0) {
		ctl_error(d, "expected a worker from 0 to %u, got '%s'", c->src.nworkers - 1, params);
		goto fail;
	}
	for (unsigned i = 0; i < c->src.nworkers; i++) {
		if (!all && i != w)
			continue;
		if (c->src.counters(c->src.ctx, i, one) != 0) {
			ctl_error(d, "worker %u did not answer", i);
			goto fail;
		}
		for (unsigned k = 0; k < total; k++)
			sum[k] += one[k];
	}
	free(one);
	return sum;
fail:
	free(sum);
	free(one);
	return NULL;
}

static int
cmd_counters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	uint64_t *v;

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	v = counters_of(c, params, d);
	if (v != NULL) {
		rte_tel_data_start_dict(d);
		for (unsigned k = 0; k < c->src.layout->total; k++)
			rte_tel_data_add_dict_u64(d, tern_counter_at(c->src.layout, k)->name, v[k]);
	}
	free(v);
	ctl_leave();
	return 0;
}

/* One worker's dict: its loop, its pool, its packets. */
static void
worker_dict(struct ctl *c, unsigned i, struct rte_tel_data *w, const uint64_t *v)
{
	const struct tern_counter_layout *l = c->src.layout;
	static const char *const names[] = { "PortRxPackets", "PortTxPackets", "SteerOut",
					     "SteerIn", "SteerDropFull" };
	struct tern_loop_stats ls = { 0 };
	unsigned in_use = 0, size = 0;

	c->src.loop_stats(c->src.ctx, i, &ls);
	c->src.pool(c->src.ctx, i, &in_use, &size);
	rte_tel_data_start_dict(w);
	rte_tel_data_add_dict_u64(w, "worker", i);
	rte_tel_data_add_dict_u64(w, "loops", ls.loops);
	rte_tel_data_add_dict_u64(w, "busy_loops", ls.busy_loops);
	rte_tel_data_add_dict_u64(w, "requests_served", ls.requests_served);
	rte_tel_data_add_dict_u64(w, "tsc", ls.now);
	rte_tel_data_add_dict_u64(w, "mbufs_in_use", in_use);
	rte_tel_data_add_dict_u64(w, "mbufs", size);
	for (unsigned k = 0; k < RTE_DIM(names); k++) {
		int idx = tern_counter_find(l, names[k]);

		rte_tel_data_add_dict_u64(w, names[k], idx >= 0 ? v[idx] : 0);
	}
}

/* {"0": {...}, "1": {...}}: 16 workers from first (DPDK 22.11 puts no dict in an array). */
static int
cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	uint64_t first = 0, *v;

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	v = calloc(c->src.layout->total, sizeof(*v));
	if (params != NULL && *params && ctl_number(params, c->src.nworkers - 1, &first) != 0) {
		ctl_error(d, "expected the first worker from 0 to %u, got '%s'",
			  c->src.nworkers - 1, params);
	} else if (v == NULL) {
		ctl_error(d, "out of memory");
	} else {
		rte_tel_data_start_dict(d);
		for (unsigned i = (unsigned)first;
		     i < c->src.nworkers && i < first + WORKERS_PER_PAGE; i++) {
			struct rte_tel_data *w = rte_tel_data_alloc();
			char key[16];

			if (w == NULL)
				break;
			memset(v, 0, c->src.layout->total * sizeof(*v));
			c->src.counters(c->src.ctx, i, v);
			worker_dict(c, i, w, v);
			snprintf(key, sizeof(key), "%u", i);
			rte_tel_data_add_dict_container(d, key, w, 0);
		}
	}
	free(v);
	ctl_leave();
	return 0;
}

/* A port's ethdev counters and its driver's extended statistics. */
static void
port_dict(uint16_t tern_port, uint16_t port_id, struct rte_tel_data *p)
{
	struct rte_eth_stats st;
	struct rte_tel_data *x = rte_tel_data_alloc();
	int n = rte_eth_xstats_get_names(port_id, NULL, 0);

	rte_tel_data_start_dict(p);
	rte_tel_data_add_dict_u64(p, "port", tern_port);
	rte_tel_data_add_dict_u64(p, "ethdev", port_id);
	if (rte_eth_stats_get(port_id, &st) == 0) {
		rte_tel_data_add_dict_u64(p, "ipackets", st.ipackets);
		rte_tel_data_add_dict_u64(p, "opackets", st.opackets);
		rte_tel_data_add_dict_u64(p, "ibytes", st.ibytes);
		rte_tel_data_add_dict_u64(p, "obytes", st.obytes);
		rte_tel_data_add_dict_u64(p, "imissed", st.imissed);
		rte_tel_data_add_dict_u64(p, "ierrors", st.ierrors);
		rte_tel_data_add_dict_u64(p, "oerrors", st.oerrors);
		rte_tel_data_add_dict_u64(p, "rx_nombuf", st.rx_nombuf);
	}
	if (x == NULL || n <= 0) {
		rte_tel_data_free(x);
		return;
	}
	struct rte_eth_xstat_name *names = calloc((size_t)n, sizeof(*names));
	struct rte_eth_xstat *vals = calloc((size_t)n, sizeof(*vals));

	rte_tel_data_start_dict(x);
	if (names != NULL && vals != NULL && rte_eth_xstats_get_names(port_id, names, n) == n &&
	    rte_eth_xstats_get(port_id, vals, n) == n)
		for (int i = 0; i < n && i < XSTATS_MAX; i++)
			rte_tel_data_add_dict_u64(x, names[vals[i].id].name, vals[i].value);
	rte_tel_data_add_dict_container(p, "xstats", x, 0);
	free(names);
	free(vals);
}

static int
cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	uint64_t p = 0;

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	if (c->src.nports == 0 || (params != NULL && *params &&
				   ctl_number(params, c->src.nports - 1, &p) != 0))
		ctl_error(d, "expected a port from 0 to %d", (int)c->src.nports - 1);
	else
		port_dict((uint16_t)p, c->src.port_ids[p], d);
	ctl_leave();
	return 0;
}

int
ctl_register_stats(void)
{
	int rc = 0;

	rc |= rte_telemetry_register_cmd("/tern/info", cmd_info,
		"tern: pid, config file, workers, ports, TSC rate, TCP state names");
	rc |= rte_telemetry_register_cmd("/tern/counters", cmd_counters,
		"tern: every counter summed over workers. Parameters: worker (optional)");
	rc |= rte_telemetry_register_cmd("/tern/workers", cmd_workers,
		"tern: workers' loops, pools and packets, 16 at a time. Parameters: first (optional)");
	rc |= rte_telemetry_register_cmd("/tern/ports", cmd_ports,
		"tern: a port's ethdev statistics and extended statistics. Parameters: port "
		"(default 0)");
	return rc;
}
