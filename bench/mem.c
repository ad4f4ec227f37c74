/*
 * mem: the memory one worker needs per idle established connection. The
 * in-memory client opens N connections to a discard listener through the
 * real input path; the figure is the EAL heap tern allocated for them
 * (TCB array, flow table, everything tcp/net/app set up with
 * [tcp] max_connections = N) divided by N. Idle connections hold no mbufs.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "bench.h"
#include "tcp/tcb.h"
#include "tcp/tcp_worker.h"

/*
 * What `ternctl ss` costs the worker: every page of the established table
 * as the control channel asks for it (40 rows, at most 2 048 slots looked
 * at), the worst page and all of them, in TSC cycles.
 */
static void
ss_paging(struct bench_env *e, uint64_t *worst, uint64_t *total, uint32_t *pages, uint64_t *rows,
	  uint32_t *over_100us)
{
	struct tern_conn_row page[40];
	uint32_t cursor = 0, n;
	uint64_t limit = rte_get_tsc_hz() / 10000;

	*worst = *total = 0;
	*pages = *over_100us = 0;
	*rows = 0;
	while (cursor != UINT32_MAX) {
		uint64_t t0 = rte_rdtsc(), dt;

		cursor = tern_conn_page(&e->sw->tcp, cursor, page, RTE_DIM(page), &n);
		dt = rte_rdtsc() - t0;
		*worst = RTE_MAX(*worst, dt);
		*over_100us += dt > limit;
		*total += dt;
		(*pages)++;
		*rows += n;
	}
}

int
bench_mem(const struct bench_opts *o, FILE *out)
{
	FILE *tout = o->json ? stderr : out;
	int failed = 0;

	fprintf(tout, "memory per idle established connection (EAL heap delta / N), one worker\n");
	fprintf(tout, "%9s  %24s  %9s  %8s  %13s  %s\n", "flows", "bytes/conn min/med/max",
		"TCB bytes", "ratio", "open Mconn/s", "rss/conn");
	for (unsigned f = 0; f < o->nflows; f++) {
		uint32_t n = o->flows[f];
		double bpc[BENCH_MAX_RUNS], rate[BENCH_MAX_RUNS], rss[BENCH_MAX_RUNS];
		double sbpc[BENCH_MAX_RUNS], srate[BENCH_MAX_RUNS];
		uint64_t cyc[BENCH_MAX_RUNS], heap_init = 0, heap_open = 0, tcb_arr = 0, ooo = 0;
		uint64_t ss_worst = 0, ss_total = 0, ss_rows = 0;
		uint32_t ss_pages = 0, ss_slow = 0;
		uint64_t hz = rte_get_tsc_hz();
		unsigned runs = 0;

		for (unsigned r = 0; r < o->runs; r++) {
			char err[256];
			struct bench_env *e = bench_env_create_ex(o, SC_DATA64, n, n, err, sizeof(err));
			uint64_t t0, heap, rssb;

			if (e == NULL) {
				fprintf(stderr, "tern-bench mem %u: %s\n", n, err);
				failed = 1;
				break;
			}
			t0 = rte_rdtsc();
			if (bench_establish(e, err, sizeof(err)) != 0) {
				fprintf(stderr, "tern-bench mem %u: %s\n", n, err);
				bench_env_destroy(e);
				failed = 1;
				break;
			}
			cyc[runs] = rte_rdtsc() - t0;
			heap = bench_heap_bytes();
			rssb = bench_rss_bytes();
			bpc[runs] = (double)(heap - e->heap_before) / n;
			rss[runs] = rssb > e->rss_before ? (double)(rssb - e->rss_before) / n : 0;
			rate[runs] = (double)n * (double)hz / (double)cyc[runs] / 1e6;
			heap_init = e->heap_after_init - e->heap_before;
			heap_open = heap - e->heap_after_init;
			tcb_arr = (uint64_t)tcp_config(&e->cfg)->max_connections * sizeof(struct tcb);
			ooo = (uint64_t)RTE_MAX(tcp_config(&e->cfg)->ooo_mbufs, 1u) * sizeof(struct tcp_ooo_seg);
			ss_paging(e, &ss_worst, &ss_total, &ss_pages, &ss_rows, &ss_slow);
			runs++;
			bench_env_destroy(e);
		}
		if (runs == 0)
			continue;
		memcpy(sbpc, bpc, sizeof(double) * runs);
		memcpy(srate, rate, sizeof(double) * runs);
		double mb = bench_median(sbpc, runs), mr = bench_median(srate, runs);
		double bmin = bpc[0], bmax = bpc[0], rmin = rate[0], rmax = rate[0];
		unsigned mi = 0;

		for (unsigned i = 0; i < runs; i++) {
			bmin = RTE_MIN(bmin, bpc[i]), bmax = RTE_MAX(bmax, bpc[i]);
			rmin = RTE_MIN(rmin, rate[i]), rmax = RTE_MAX(rmax, rate[i]);
			if (rate[i] == mr)
				mi = i;
		}
		fprintf(tout, "%9u  %7.1f %7.1f %8.1f  %9zu  %8.2f  %5.3f (%.3f-%.3f)  %.0f\n", n,
			bmin, mb, bmax, sizeof(struct tcb), mb / sizeof(struct tcb), mr, rmin, rmax,
			rss[mi]);
		fprintf(tout, "%9s  ss paging (last run): %lu rows in %u pages of 40, %.1f ms of the "
			"worker in all, worst page %.1f us, %u pages over 100 us\n", "", (unsigned long)ss_rows,
			ss_pages, (double)ss_total * 1e3 / (double)hz, (double)ss_worst * 1e6 / (double)hz,
			ss_slow);
		if (o->json)
			fprintf(out, "{\"bench\":\"mem\",\"scenario\":\"idle_established\",\"flows\":%u,"
				"\"cores\":1,\"runs\":%u,\"packets\":%lu,\"seconds\":%.6f,\"mpps\":%.4f,"
				"\"ns_per_pkt\":%.2f,\"cycles_per_pkt\":%.1f,\"conn_per_s\":%.0f,"
				"\"conn_per_s_min\":%.0f,\"conn_per_s_max\":%.0f,"
				"\"bytes_per_conn\":%.1f,\"bytes_per_conn_min\":%.1f,"
				"\"bytes_per_conn_max\":%.1f,\"tcb_bytes\":%zu,\"comparison\":\"tcb_bytes\","
				"\"ratio\":%.4f,\"goal_bytes\":1024,\"goal_ratio\":%.4f,"
				"\"heap_bytes\":%lu,\"tcb_array_bytes\":%lu,\"ooo_store_bytes\":%lu,"
				"\"flow_table_and_other_bytes\":%lu,\"heap_growth_on_open\":%lu,"
				"\"rss_bytes_per_conn\":%.1f,\"ss_rows\":%lu,\"ss_pages\":%u,"
				"\"ss_worker_ms\":%.2f,\"ss_worst_page_us\":%.2f,\"ss_pages_over_100us\":%u,\"hugepages\":%s}\n",
				n, runs, 2ul * n, (double)cyc[mi] / (double)hz, 2 * mr,
				1e3 / (2 * mr), (double)cyc[mi] / (2.0 * n), mr * 1e6, rmin * 1e6,
				rmax * 1e6, mb, bmin, bmax, sizeof(struct tcb), mb / sizeof(struct tcb),
				mb / 1024, (unsigned long)(heap_init + heap_open), (unsigned long)tcb_arr,
				(unsigned long)ooo, (unsigned long)(heap_init - tcb_arr - ooo),
				(unsigned long)heap_open, rss[mi], (unsigned long)ss_rows, ss_pages,
				(double)ss_total * 1e3 / (double)hz, (double)ss_worst * 1e6 / (double)hz,
				ss_slow, bench_huge ? "true" : "false");
		fflush(out);
	}
	return failed;
}
