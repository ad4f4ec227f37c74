/*
 * ternctl workers: per worker, the share of loops that found packets,
 * packets in and out per second, steered packets per second, control
 * requests served and mbufs in use, from two samples -i seconds apart.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tctl.h"

#define PAGE 16

/* Every worker's dict, in order, as one array of t->workers (NULL entries on failure). */
static struct jv **
sample(struct tctl *t, struct jv **pages)
{
	struct jv **w = calloc(t->workers, sizeof(*w));

	for (unsigned first = 0; w != NULL && first < t->workers; first += PAGE) {
		struct jv *p = tctl_call(t, "/tern/workers,%u", first);

		pages[first / PAGE] = p;
		for (const struct jv *c = p ? p->child : NULL; c != NULL; c = c->next) {
			unsigned i = (unsigned)strtoul(c->key, NULL, 10);

			if (i < t->workers)
				w[i] = (struct jv *)c;
		}
	}
	return w;
}

static double
per_s(const struct jv *a, const struct jv *b, const char *name, double secs)
{
	return secs > 0 ? (double)(json_u64(b, name) - json_u64(a, name)) / secs : 0;
}

static void
print_row(const struct tctl *t, unsigned i, double busy, const struct jv *a, const struct jv *b,
	  double secs)
{
	double rx = per_s(a, b, "PortRxPackets", secs), tx = per_s(a, b, "PortTxPackets", secs);
	double so = per_s(a, b, "SteerOut", secs), si = per_s(a, b, "SteerIn", secs);
	unsigned long long req = json_u64(b, "requests_served"), use = json_u64(b, "mbufs_in_use");
	unsigned long long size = json_u64(b, "mbufs");

	if (t->json)
		printf("%s{\"worker\":%u,\"busy_pct\":%.1f,\"rx_pps\":%.0f,\"tx_pps\":%.0f,"
		       "\"steer_out_pps\":%.0f,\"steer_in_pps\":%.0f,\"requests_served\":%llu,"
		       "\"mbufs_in_use\":%llu,\"mbufs\":%llu}", i ? ",\n" : "[", i, busy, rx, tx, so,
		       si, req, use, size);
	else
		printf("%-6u %6.1f %12.0f %12.0f %10.0f %10.0f %9llu %6llu/%llu\n", i, busy, rx, tx,
		       so, si, req, use, size);
}

int
tctl_workers(struct tctl *t, int argc, char **argv)
{
	double secs = 1;
	unsigned npages = (t->workers + PAGE - 1) / PAGE;
	struct jv **p0 = calloc(npages, sizeof(*p0)), **p1 = calloc(npages, sizeof(*p1));
	struct jv **a, **b;

	if (argc == 3 && strcmp(argv[1], "-i") == 0)
		secs = strtod(argv[2], NULL);
	if ((argc != 1 && argc != 3) || secs <= 0 || secs > 3600) {
		fprintf(stderr, "ternctl workers: expected [-i SECONDS]\n");
		return 2;
	}
	a = sample(t, p0);
	usleep((useconds_t)(secs * 1e6));
	b = sample(t, p1);
	if (!t->json)
		printf("%-6s %6s %12s %12s %10s %10s %9s %12s\n", "worker", "busy%", "rx pkt/s",
		       "tx pkt/s", "steer out/s", "steer in/s", "requests", "mbufs in use");
	for (unsigned i = 0; a != NULL && b != NULL && i < t->workers; i++) {
		double loops, busy;

		if (a[i] == NULL || b[i] == NULL)
			continue;
		loops = (double)(json_u64(b[i], "loops") - json_u64(a[i], "loops"));
		busy = loops > 0 ? 100.0 * (double)(json_u64(b[i], "busy_loops") -
						    json_u64(a[i], "busy_loops")) / loops : 0;
		print_row(t, i, busy, a[i], b[i], secs);
	}
	if (t->json)
		printf("]\n");
	for (unsigned k = 0; k < npages; k++) {
		json_free(p0[k]);
		json_free(p1[k]);
	}
	free(a);
	free(b);
	free(p0);
	free(p1);
	return 0;
}
