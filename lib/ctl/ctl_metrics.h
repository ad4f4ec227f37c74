/*
 * What a Prometheus scrape of tern says (ctl_metrics_text.c and
 * ctl_metrics_proxy.c), read through a struct ctl_source like every other
 * part of the control plane. Served by ctl_metrics.c; the unit tests call
 * it with a source of their own.
 *
 * Names: every counter of the layout as tern_<snake_case name>_total (a
 * gauge, kind G, without _total) with a worker label; tern_worker_*,
 * tern_mbuf_pool_* and tern_tcp_connections{state} per worker;
 * tern_proxy_{frontend,backend,server}_* with frontend, backend and server
 * labels; tern_ethdev_* per port; tern_metrics_* about the endpoint itself.
 */
#ifndef TERN_CTL_CTL_METRICS_H
#define TERN_CTL_CTL_METRICS_H

#include <stdint.h>

#include "ctl.h"
#include "ctl_http.h"
#include "ctl_prom.h"

/* The endpoint's own counts, exposed with the rest. */
struct ctl_metrics_stats {
	uint64_t answers[CTL_HTTP_NCODES];  /* by status, as ctl_http_codes lists them */
	uint64_t dropped;                   /* clients closed at a deadline or to make room */
};

/*
 * The whole text of one scrape appended to b; self may be NULL. A worker
 * that does not answer (source error) has tern_worker_up 0 and no samples
 * of its own. 0, or -ENOMEM (b->failed: the text is incomplete).
 */
int ctl_metrics_text(const struct ctl_source *src, const struct ctl_metrics_stats *self,
		     struct prom_buf *b);

/* The proxy's families, from src->proxy_rows (nothing without a proxy). */
void ctl_metrics_proxy(const struct ctl_source *src, struct prom_buf *b);
/*
 * Every row of the proxy's table (asking again with more room while the table
 * fills what it was given; also for /tern/proxy/stat); NULL when out of
 * memory. The caller frees it.
 */
struct proxy_row *ctl_proxy_rows_all(const struct ctl_source *src, unsigned *n);

#endif
