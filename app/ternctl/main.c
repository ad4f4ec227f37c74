/*
 * ternctl: what an operator types to look into and steer a running tern.
 *
 *   ternctl [-c CONFIG | -p PREFIX | --pid PID] [--json] COMMAND [ARGS]
 *
 * Commands: ss, stats, show stat, set server, workers, capture (see usage).
 * It talks to DPDK telemetry's socket of the tern it names (or the only
 * one running); dpdk-telemetry.py works on the same socket.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tctl.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: ternctl [-c CONFIG | -p PREFIX | --pid PID] [--json] COMMAND [ARGS]\n"
		"  ss [-l] [-a] [-i] [-n] [state STATE] [sport = :N] [dport = :N] [src ADDR] [dst ADDR]\n"
		"                   connections as ss -tan shows them (-i: ss -ti fields; -l: listeners)\n"
		"  stats [-a] [-z] [--worker N] [--reset-history] [--ports]\n"
		"                   counters as nstat shows them: deltas since the last call (-a: totals)\n"
		"  show stat        the proxy's frontends, backends and servers as HAProxy's CSV\n"
		"  set server BACKEND/SERVER state ready|drain|maint\n"
		"  set server BACKEND/SERVER weight N\n"
		"  workers [-i SECONDS]  per worker: busy share, packets in and out per second, steering\n"
		"  capture [-i PORT] [-w FILE.pcapng] [-c N] [-s SNAPLEN] [-G SECONDS] [host H] [port P]\n"
		"                   both directions of the running tern to a pcapng file (Wireshark,\n"
		"                   tshark) that tern writes itself: -i a tern port (default all),\n"
		"                   -w FILE (default ./tern-PID.pcapng), -c stop after N packets,\n"
		"                   -s bytes kept per frame (default all), -G stop after SECONDS;\n"
		"                   host H and port P (TCP or UDP) match source or destination.\n"
		"                   Ctrl-C stops it; prints \"N packets captured, M dropped\"\n"
		"  capture --stop   ends a capture that is running (left by a ternctl that died)\n"
		"Without -c, -p or --pid: the only tern running. --json: JSON instead of tables.\n");
}

static const struct {
	const char *name;
	int (*fn)(struct tctl *t, int argc, char **argv);
} commands[] = {
	{ "ss", tctl_ss }, { "stats", tctl_stats }, { "show", tctl_show }, { "set", tctl_set },
	{ "workers", tctl_workers }, { "capture", tctl_capture },
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "prefix", required_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'P' }, { "json", no_argument, NULL, 'j' },
		{ "run-dir", required_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tctl_target tg = { 0 };
	struct tctl t = { .fd = -1 };
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+c:p:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': tg.config = optarg; break;
		case 'p': tg.prefix = optarg; break;
		case 'P': tg.pid = strtol(optarg, NULL, 10); break;
		case 'j': t.json = 1; break;
		case 'R': tg.run_dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* --json may also follow the command (ternctl show stat --json). */
	for (int i = optind + 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0) {
			t.json = 1;
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (tctl_open(&t, &tg) != 0) {
			tctl_close(&t);
			return 1;
		}
		optind++;
		rc = commands[i].fn(&t, argc - optind + 1, argv + optind - 1);
		tctl_close(&t);
		return rc;
	}
	fprintf(stderr, "ternctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
