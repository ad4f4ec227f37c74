/*
 * pps: the TCP receive path of one worker, in memory. Three loops share the
 * generator and the timing:
 *   tcp     frames -> tern_worker_poll, the production loop (its rx hook
 *           hands over the burst: net_rx_burst, steering, tcp_segment_valid,
 *           tcp_input_burst, timers, flush into the tx hook);
 *   parse   the same loop with the stack's rx replaced: frames through
 *           net_rx_burst and tcp_segment_valid, then transmitted as they
 *           are (the no-TCP ceiling);
 *   ring    the same frames through DPDK's net_ring PMD: enqueue on the RX
 *           ring, rte_eth_rx_burst, rte_eth_tx_burst, dequeue and free.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "bench.h"
#include "core/counters.h"
#include "net/net.h"
#include "tcp/tcp_validate.h"

enum variant { V_TCP, V_PARSE, V_RING, V_MAX };
static const char *const variant_names[V_MAX] = { "tcp", "parse", "ring" };

/* The no-TCP ceiling: stack_rx with tcp_input replaced by transmitting the frame. */
static void
rx_parse_only(struct tern_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct stack_worker *sw = (struct stack_worker *)w;
	struct rte_mbuf *tcp[TERN_RX_BURST];
	uint16_t ntcp = net_rx_burst(&sw->net, port, pkts, n, tcp);

	for (uint16_t i = 0; i < ntcp; i++)
		if (tcp_segment_valid(&sw->tcp, port, tcp[i]))
			tern_tx(w, port, tcp[i]);
}

static const struct tern_worker_ops parse_only_ops = { .rx = rx_parse_only };

/* One worker loop on a generated burst; returns the frames transmitted (ring only). */
static inline void
loop_once(struct bench_env *e, enum variant v, struct rte_mbuf **pkts, unsigned n,
	  uint64_t *ring_out)
{
	struct tern_worker *w = &e->sw->w;

	switch (v) {
	case V_TCP:
		bench_loop(e, pkts, (uint16_t)n, w->now);
		break;
	case V_PARSE: {
		const struct tern_worker_ops *stack_ops = w->ops;

		w->ops = &parse_only_ops;
		bench_loop(e, pkts, (uint16_t)n, w->now);
		w->ops = stack_ops;
		break;
	}
	case V_RING: {
		struct rte_mbuf *rx[BENCH_BURST], *done[BENCH_BURST];
		unsigned q = rte_ring_sp_enqueue_burst(e->rxr, (void **)pkts, n, NULL);
		uint16_t nrx, ntx;
		unsigned nd;

		if (q < n)
			rte_pktmbuf_free_bulk(pkts + q, n - q);
		nrx = rte_eth_rx_burst((uint16_t)e->ring_port, 0, rx, BENCH_BURST);
		ntx = rte_eth_tx_burst((uint16_t)e->ring_port, 0, rx, nrx);
		if (ntx < nrx)
			rte_pktmbuf_free_bulk(rx + ntx, nrx - ntx);
		nd = rte_ring_sc_dequeue_burst(e->txr, (void **)done, BENCH_BURST, NULL);
		rte_pktmbuf_free_bulk(done, nd);
		*ring_out += nd;
		break;
	}
	default:
		break;
	}
}

/*
 * The worker's clock: the TSC, or with --virtual-ns-per-pkt a clock that
 * advances by a fixed time per packet (profiling under valgrind, where the
 * TSC runs 50 times too fast for the work done and timers would fire
 * far more often than in a native run).
 */
static inline uint64_t
bench_clock(struct bench_env *e, uint64_t tsc)
{
	if (!e->vclock_on)
		return tsc;
	if (e->vclock == 0)
		e->vclock = (double)tsc;
	return (uint64_t)e->vclock;
}

/*
 * Runs variant v for `seconds` of timed loops (SYN: only the SYN bursts are
 * timed; the RSTs that return the embryos to LISTEN run untimed after each).
 */
static __rte_noinline void
measure(struct bench_env *e, enum variant v, double seconds, uint64_t min_packets,
	struct bench_sample *s)
{
	struct tern_worker *w = &e->sw->w;
	struct rte_mbuf *pkts[BENCH_BURST];
	uint64_t limit = (uint64_t)(seconds * (double)e->tsc_hz), ring_out = 0;
	uint64_t tx0 = e->tx_frames, drops0 = bench_drop_count(e);

	struct timespec c0, c1;
	uint64_t w0 = rte_rdtsc();

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	while (s->cycles < limit || s->packets < min_packets) {
		uint64_t t0 = rte_rdtsc(), t1;
		unsigned n;

		w->now = bench_clock(e, t0);
		n = gen_burst(e, pkts, BENCH_BURST);
		if (n == 0) {
			fprintf(stderr, "tern-bench: mbuf pool exhausted (%u in use)\n",
				rte_mempool_in_use_count(e->pool));
			exit(1);
		}
		loop_once(e, v, pkts, n, &ring_out);
		t1 = rte_rdtsc();
		s->cycles += t1 - t0;
		s->packets += n;
		e->vclock += n * e->vclock_per_pkt;
		if (e->sc == SC_SYN) {
			if (v == V_TCP) {
				w->now = bench_clock(e, t1);
				n = gen_rst_burst(e, pkts);
				loop_once(e, V_TCP, pkts, n, &ring_out);
				e->vclock += n * e->vclock_per_pkt;
			}
			e->nsyn_batch = 0;
		}
		if (s->cycles > 100 * limit + 100 * e->tsc_hz)
			break; /* min_packets unreachable: stop anyway */
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	/* Share of the wall time this thread was on a CPU: below 1, other processes took some. */
	s->cpu_share = ((double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9) /
		       ((double)(rte_rdtsc() - w0) / (double)e->tsc_hz);
	s->out_frames = v == V_RING ? ring_out : e->tx_frames - tx0;
	s->drops = bench_drop_count(e) - drops0;
}

static double
mpps_of(const struct bench_env *e, const struct bench_sample *s)
{
	return s->cycles ? (double)s->packets * (double)e->tsc_hz / (double)s->cycles / 1e6 : 0;
}

struct pps_result {
	enum bench_scenario sc;
	uint32_t flows;
	unsigned runs;
	struct bench_sample smp[V_MAX][BENCH_MAX_RUNS];
	double mpps[V_MAX][BENCH_MAX_RUNS];
	double med[V_MAX], min[V_MAX], max[V_MAX];
	double med_cpu[V_MAX];   /* packets per second of CPU time: the rate without other processes */
	unsigned med_idx;        /* the TCP run with the median rate */
	int have_ring;
	uint64_t setup_cycles;
	uint64_t warmup_packets;
};

static void
stats(struct pps_result *r, enum variant v)
{
	double tmp[BENCH_MAX_RUNS];

	for (unsigned i = 0; i < r->runs; i++)
		tmp[i] = r->smp[v][i].cpu_share > 0 ? r->mpps[v][i] / r->smp[v][i].cpu_share : 0;
	r->med_cpu[v] = bench_median(tmp, r->runs);
	memcpy(tmp, r->mpps[v], sizeof(double) * r->runs);
	r->med[v] = bench_median(tmp, r->runs);
	r->min[v] = r->max[v] = r->mpps[v][0];
	for (unsigned i = 1; i < r->runs; i++) {
		r->min[v] = RTE_MIN(r->min[v], r->mpps[v][i]);
		r->max[v] = RTE_MAX(r->max[v], r->mpps[v][i]);
	}
	if (v == V_TCP)
		for (unsigned i = 0; i < r->runs; i++)
			if (r->mpps[v][i] == r->med[v])
				r->med_idx = i;
}

static double
min_share(const struct pps_result *r)
{
	double share = 1;

	for (int v = V_TCP; v < V_MAX; v++)
		for (unsigned i = 0; i < r->runs; i++)
			if (r->smp[v][i].cycles > 0 && r->smp[v][i].cpu_share < share)
				share = r->smp[v][i].cpu_share;
	return share;
}

static void
print_json(FILE *out, const struct bench_opts *o, const struct pps_result *r, uint64_t hz,
	   int huge)
{
	const struct bench_sample *m = &r->smp[V_TCP][r->med_idx];
	double secs = (double)m->cycles / (double)hz;
	double cyc = m->packets ? (double)m->cycles / (double)m->packets : 0;
	uint64_t in = 0, outf = 0, drops = 0;

	for (unsigned i = 0; i < r->runs; i++) {
		in += r->smp[V_TCP][i].packets;
		outf += r->smp[V_TCP][i].out_frames;
		drops += r->smp[V_TCP][i].drops;
	}
	fprintf(out, "{\"bench\":\"pps\",\"scenario\":\"%s\",\"flows\":%u,\"cores\":1,"
		"\"runs\":%u,\"packets\":%lu,\"seconds\":%.6f,\"mpps\":%.4f,\"mpps_min\":%.4f,"
		"\"mpps_max\":%.4f,\"ns_per_pkt\":%.2f,\"cycles_per_pkt\":%.1f,",
		bench_scenario_names[r->sc], r->flows, r->runs, (unsigned long)m->packets, secs,
		r->med[V_TCP], r->min[V_TCP], r->max[V_TCP], r->med[V_TCP] > 0 ? 1e3 / r->med[V_TCP] : 0,
		cyc);
	fprintf(out, "\"mpps_runs\":[");
	for (unsigned i = 0; i < r->runs; i++)
		fprintf(out, "%s%.4f", i ? "," : "", r->mpps[V_TCP][i]);
	fprintf(out, "],\"ceiling\":\"parse+tx\",\"ceiling_mpps\":%.4f,\"ceiling_mpps_min\":%.4f,"
		"\"ceiling_mpps_max\":%.4f,\"ceiling_cycles_per_pkt\":%.1f,\"ratio\":%.4f,",
		r->med[V_PARSE], r->min[V_PARSE], r->max[V_PARSE],
		r->med[V_PARSE] > 0 ? (double)hz / 1e6 / r->med[V_PARSE] : 0,
		r->med[V_PARSE] > 0 ? r->med[V_TCP] / r->med[V_PARSE] : 0);
	if (r->have_ring)
		fprintf(out, "\"ring_mpps\":%.4f,\"ring_mpps_min\":%.4f,\"ring_mpps_max\":%.4f,"
			"\"ring_ratio\":%.4f,", r->med[V_RING], r->min[V_RING], r->max[V_RING],
			r->med[V_RING] > 0 ? r->med[V_TCP] / r->med[V_RING] : 0);
	fprintf(out, "\"mpps_cpu\":%.4f,\"ceiling_mpps_cpu\":%.4f,\"ratio_cpu\":%.4f,"
		"\"out_per_pkt\":%.4f,\"drops\":%lu,\"cpu_share_min\":%.3f,\"cksum\":\"%s\",\"hugepages\":%s,"
		"\"tsc_hz\":%lu,\"seconds_per_run\":%.3f,\"setup_seconds\":%.3f,"
		"\"warmup_packets\":%lu,\"packets_total\":%lu}\n",
		r->med_cpu[V_TCP], r->med_cpu[V_PARSE],
		r->med_cpu[V_PARSE] > 0 ? r->med_cpu[V_TCP] / r->med_cpu[V_PARSE] : 0,
		in ? (double)outf / (double)in : 0, (unsigned long)drops, min_share(r),
		o->sw_cksum ? "software" : "offload", huge ? "true" : "false", (unsigned long)hz,
		o->seconds, (double)r->setup_cycles / (double)hz, (unsigned long)r->warmup_packets,
		(unsigned long)in);
	fflush(out);
}

static void
print_row(FILE *out, const struct pps_result *r, uint64_t hz)
{
	const struct bench_sample *m = &r->smp[V_TCP][r->med_idx];
	uint64_t in = 0, outf = 0, drops = 0;

	for (unsigned i = 0; i < r->runs; i++) {
		in += r->smp[V_TCP][i].packets;
		outf += r->smp[V_TCP][i].out_frames;
		drops += r->smp[V_TCP][i].drops;
	}
	fprintf(out, "%-9s %8u  %6.2f %6.2f %6.2f  %7.1f %6.0f  %6.2f %5.0f%%  ",
		bench_scenario_names[r->sc], r->flows, r->min[V_TCP], r->med[V_TCP], r->max[V_TCP],
		r->med[V_TCP] > 0 ? 1e3 / r->med[V_TCP] : 0,
		m->packets ? (double)m->cycles / (double)m->packets : 0, r->med[V_PARSE],
		r->med[V_PARSE] > 0 ? 100 * r->med[V_TCP] / r->med[V_PARSE] : 0);
	if (r->have_ring)
		fprintf(out, "%6.2f %5.0f%%  ", r->med[V_RING],
			r->med[V_RING] > 0 ? 100 * r->med[V_TCP] / r->med[V_RING] : 0);
	else
		fprintf(out, "%6s %6s  ", "-", "-");
	fprintf(out, "%5.2f %6lu %4.0f%%\n", in ? (double)outf / (double)in : 0,
		(unsigned long)drops, 100 * min_share(r));
	(void)hz;
	fflush(out);
}

static void
print_header(FILE *out)
{
	fprintf(out, "one worker, in memory; Mpps of the TCP path (min med max of runs), "
		"ceilings measured in the same run\n");
	fprintf(out, "%-9s %8s  %20s  %7s %6s  %13s  %13s  %5s %6s %5s\n", "scenario", "flows",
		"Mpps min/med/max", "ns/pkt", "cyc", "parse+tx ceil", "net_ring", "out/in", "drops",
		"cpu");
}

static int
run_one(const struct bench_opts *o, enum bench_scenario sc, uint32_t flows, FILE *jout,
	FILE *tout, int huge)
{
	char err[256];
	struct pps_result *r = calloc(1, sizeof(*r));
	struct bench_env *e;
	struct peer_flow *snap = NULL;
	uint64_t t0 = rte_rdtsc(), warm_min;
	struct bench_sample tmp;

	if (r == NULL)
		return -1;
	e = bench_env_create(o, sc, flows, err, sizeof(err));
	if (e == NULL || bench_establish(e, err, sizeof(err)) != 0) {
		fprintf(stderr, "tern-bench: %s, %u flows: %s\n", bench_scenario_names[sc], flows, err);
		bench_env_destroy(e);
		free(r);
		return -1;
	}
	r->setup_cycles = rte_rdtsc() - t0;
	e->vclock_on = o->virtual_ns > 0;
	e->vclock_per_pkt = o->virtual_ns * (double)e->tsc_hz / 1e9;
	if (getenv("TERN_BENCH_TRACE") != NULL)
		e->trace = atol(getenv("TERN_BENCH_TRACE"));
	r->sc = sc;
	r->flows = flows;
	r->runs = o->runs;
	r->have_ring = e->ring_port >= 0 && !o->no_ring && !o->tcp_only;
	/* Warm-up: at least one pass over the flows, so that every one is in its steady state. */
	warm_min = RTE_MIN((uint64_t)flows, 20000000ull);
	measure(e, V_TCP, o->warmup, warm_min, &tmp);
	r->warmup_packets = tmp.packets;
	if (tmp.drops > 0)
		fprintf(stderr, "tern-bench: warning: %lu drops during warm-up of %s/%u\n",
			(unsigned long)tmp.drops, bench_scenario_names[sc], flows);
	/* TCP runs back to back, then the ceilings: a ceiling run leaves tern's timers idle. */
	for (unsigned i = 0; i < o->runs; i++) {
		measure(e, V_TCP, o->seconds, 0, &r->smp[V_TCP][i]);
		r->mpps[V_TCP][i] = mpps_of(e, &r->smp[V_TCP][i]);
	}
	snap = malloc(sizeof(*snap) * RTE_MAX(flows, 1u));
	if (snap != NULL)
		memcpy(snap, e->peer, sizeof(*snap) * flows);
	for (unsigned i = 0; i < o->runs && !o->tcp_only; i++)
		for (enum variant v = V_PARSE; v < V_MAX; v++) {
			if (v == V_RING && !r->have_ring)
				continue;
			measure(e, v, o->seconds, 0, &r->smp[v][i]);
			r->mpps[v][i] = mpps_of(e, &r->smp[v][i]);
		}
	if (snap != NULL)
		memcpy(e->peer, snap, sizeof(*snap) * flows);
	free(snap);
	for (enum variant v = V_TCP; v < V_MAX; v++)
		if (v != V_RING || r->have_ring)
			stats(r, v);
	if (jout != NULL)
		print_json(jout, o, r, e->tsc_hz, huge);
	print_row(tout, r, e->tsc_hz);
	for (unsigned i = 0; i < o->runs; i++)
		if (r->smp[V_TCP][i].drops > 0)
			fprintf(stderr, "tern-bench: warning: %s/%u run %u: %lu packets dropped "
				"(see counters)\n", bench_scenario_names[sc], flows, i,
				(unsigned long)r->smp[V_TCP][i].drops);
	if (getenv("TERN_BENCH_COUNTERS") != NULL) {
		const struct tern_counter_layout *l = stack_counters();
		uint64_t v[l->total];

		tern_counters_read(l, e->sw, v);
		tern_counters_print(stderr, l, v, 0);
	}
	bench_env_destroy(e);
	free(r);
	(void)variant_names;
	return 0;
}

int
bench_pps(const struct bench_opts *o, FILE *out)
{
	FILE *tout = o->json ? stderr : out;
	int failed = 0;
	extern int bench_huge;

	print_header(tout);
	for (unsigned f = 0; f < o->nflows; f++)
		for (enum bench_scenario sc = 0; sc < SC_MAX; sc++)
			if (o->scenarios & (1u << sc))
				failed |= run_one(o, sc, o->flows[f], o->json ? out : NULL, tout,
						  bench_huge) != 0;
	return failed ? 1 : 0;
}
