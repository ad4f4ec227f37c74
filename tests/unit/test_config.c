/*
 * Unit tests for tern_config_load (lib/core/config_*.c, with lib/stack's schema): good files give the
 * values written in them, bad files give -1 and a message that names the
 * file, the [section], the key and what was expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_log.h>

#include "core/config.h"
#include "net/net_config.h"
#include "proxy/proxy_config.h"
#include "stack/stack.h"
#include "svc/svc_config.h"
#include "tcp/tcp_config.h"

static char tmpdir[64];
static char path[128];
static char err[1024];
static struct tern_config cfg;

#define MINIMAL_PORT "[port0]\ndevice = net_null0\naddress = 198.18.0.1/24\n"

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tern-test-config-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	tern_config_free(&cfg);
	return rmdir(tmpdir);
}

/* Writes text to a fresh file in tmpdir and loads it; the file is removed again. */
static int
load_text(const char *text)
{
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/tern.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	err[0] = '\0';
	tern_config_free(&cfg);
	rc = tern_config_load(path, &stack_schema, &cfg, err, sizeof(err));
	unlink(path);
	return rc;
}

static void
assert_contains(const char *haystack, const char *needle)
{
	if (needle != NULL && strstr(haystack, needle) == NULL)
		fail_msg("'%s' not found in error message: %s", needle, haystack);
}

/* Loading text fails, and err names path, [section], key (when given) and what was expected. */
static void
expect_error(const char *text, const char *section, const char *key, const char *expected)
{
	char sect[80];

	assert_int_equal(load_text(text), -1);
	assert_contains(err, path);
	if (section != NULL) {
		snprintf(sect, sizeof(sect), "[%s]", section);
		assert_contains(err, sect);
	}
	assert_contains(err, key);
	assert_contains(err, expected);
}

/* ---- good files ---------------------------------------------------------------- */

static void
test_demo_config(void **state)
{
	char demo[600];

	(void)state;
	snprintf(demo, sizeof(demo), "%s/config/demo.conf", TERN_SRC_DIR);
	tern_config_free(&cfg);
	assert_int_equal(tern_config_load(demo, &stack_schema, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, demo);
	assert_int_equal(cfg.workers, 1);
	assert_int_equal(cfg.log_level, RTE_LOG_NOTICE);
	assert_int_equal(cfg.nports, 2);
	assert_string_equal(cfg.ports[1].devargs, "net_tap1,iface=tern1");
	assert_int_equal(proxy_frontend_count(&cfg), 1);
	assert_int_equal(proxy_backend_config(&cfg, 0)->nservers, 3);
	assert_string_equal(cfg.ports[0].section, "port0");
	assert_string_equal(cfg.ports[0].devargs, "net_tap0,iface=tern0");
	assert_int_equal(cfg.ports[0].addr, 0xc6120001); /* 198.18.0.1, host order */
	assert_int_equal(cfg.ports[0].prefix_len, 24);
	assert_int_equal(cfg.ports[0].gateway, 0);
	assert_int_equal(cfg.ports[0].mtu, 1500);
	assert_int_equal(cfg.ports[0].offloads, 1); /* default */
	assert_int_equal(cfg.ports[0].impair.enabled, 0);
	assert_int_equal(tern_config_require_addresses(&cfg, err, sizeof(err)), 0);
}

static const char full_text[] =
	"; every key of every section\n"
	"[tern]\nworkers = 4\nmbufs = 32768\nlog_level = debug\n"
	"[port0]\ndevice = net_tap0,iface=tern0\naddress = 198.18.0.1/24\n"
	"gateway = 198.18.0.254\nmtu = 9000\nrx_desc = 512\ntx_desc = 2048\n"
	"offloads = no\npromiscuous = yes\n"
	"[port1]\ndevice = net_null1\naddress = 198.19.1.1/16\n"
	"[impair.port0]\nseed = 42\nqueue = 1024\n"
	"rx_loss = 10\nrx_duplicate = 0.5\nrx_corrupt = 0.0001\nrx_reorder = 2.5\n"
	"rx_delay_ms = 50\nrx_jitter_ms = 5\nrx_reorder_gap_ms = 7\n"
	"tx_loss = 100\ntx_duplicate = 1\ntx_corrupt = 0\ntx_reorder = 33.3333\n"
	"tx_delay_ms = 10000\ntx_jitter_ms = 0\ntx_reorder_gap_ms = 1\n"
	"[arp]\nentries = 2048\ntimeout_ms = 30000\nretry_ms = 500\nretries = 5\nqueue = 16\n"
	"[icmp]\nerror_rate = 100\nerror_burst = 10\n";

static void
test_full_config_tern_section(void **state)
{
	(void)state;
	assert_int_equal(load_text(full_text), 0);
	assert_int_equal(cfg.workers, 4);
	assert_int_equal(cfg.mbufs, 32768);
	assert_int_equal(cfg.log_level, RTE_LOG_DEBUG);
	assert_int_equal(cfg.nports, 2);
}

static void
test_full_config_port_sections(void **state)
{
	const struct tern_port_cfg *p0 = &cfg.ports[0], *p1 = &cfg.ports[1];

	(void)state;
	assert_int_equal(load_text(full_text), 0);
	assert_string_equal(p0->devargs, "net_tap0,iface=tern0");
	assert_int_equal(p0->addr, 0xc6120001);
	assert_int_equal(p0->prefix_len, 24);
	assert_int_equal(p0->gateway, 0xc61200fe);
	assert_int_equal(p0->mtu, 9000);
	assert_int_equal(p0->rx_desc, 512);
	assert_int_equal(p0->tx_desc, 2048);
	assert_int_equal(p0->offloads, 0);
	assert_int_equal(p0->promiscuous, 1);
	assert_string_equal(p1->section, "port1");
	assert_string_equal(p1->devargs, "net_null1");
	assert_int_equal(p1->addr, 0xc6130101);
	assert_int_equal(p1->prefix_len, 16);
	assert_int_equal(p1->mtu, 1500);       /* defaults */
	assert_int_equal(p1->rx_desc, 1024);
	assert_int_equal(p1->offloads, 1);
	assert_int_equal(p1->impair.enabled, 0);
}

static void
test_full_config_impair_section(void **state)
{
	const struct tern_impair_cfg *im = &cfg.ports[0].impair;

	(void)state;
	assert_int_equal(load_text(full_text), 0);
	assert_int_equal(im->enabled, 1);
	assert_int_equal(im->seed, 42);
	assert_int_equal(im->queue_len, 1024);
	assert_int_equal(im->rx.loss_ppm, 100000);      /* 10 % */
	assert_int_equal(im->rx.duplicate_ppm, 5000);
	assert_int_equal(im->rx.corrupt_ppm, 1);
	assert_int_equal(im->rx.reorder_ppm, 25000);
	assert_int_equal(im->rx.delay_us, 50000);       /* 50 ms */
	assert_int_equal(im->rx.jitter_us, 5000);
	assert_int_equal(im->rx.reorder_gap_us, 7000);
	assert_int_equal(im->tx.loss_ppm, 1000000);
	assert_int_equal(im->tx.duplicate_ppm, 10000);
	assert_int_equal(im->tx.corrupt_ppm, 0);
	assert_int_equal(im->tx.reorder_ppm, 333333);
	assert_int_equal(im->tx.delay_us, 10000000);
	assert_int_equal(im->tx.jitter_us, 0);
	assert_int_equal(im->tx.reorder_gap_us, 1000);
}

static void
test_full_config_arp_icmp_sections(void **state)
{
	(void)state;
	assert_int_equal(load_text(full_text), 0);
	assert_int_equal(net_arp_cfg(&cfg)->entries, 2048);
	assert_int_equal(net_arp_cfg(&cfg)->timeout_ms, 30000);
	assert_int_equal(net_arp_cfg(&cfg)->retry_ms, 500);
	assert_int_equal(net_arp_cfg(&cfg)->retries, 5);
	assert_int_equal(net_arp_cfg(&cfg)->queue, 16);
	assert_int_equal(net_icmp_cfg(&cfg)->error_rate, 100);
	assert_int_equal(net_icmp_cfg(&cfg)->error_burst, 10);
}

static void
test_port_without_address_accepted(void **state)
{
	(void)state;
	/* tern-impair runs ports without addresses; only tern requires them. */
	assert_int_equal(load_text("[port0]\ndevice = net_null0\n"), 0);
	assert_int_equal(cfg.ports[0].prefix_len, 0);
}

/* ---- bad files ---------------------------------------------------------------- */

static void
test_missing_file(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	tern_config_free(&cfg);
	assert_int_equal(tern_config_load(path, &stack_schema, &cfg, err, sizeof(err)), -1);
	assert_contains(err, path);
	assert_contains(err, "cannot open");
}

static void
test_not_ini(void **state)
{
	(void)state;
	expect_error("\x7f" "ELF garbage, not an INI file\nno = section\n{[}\n", NULL, NULL, "INI");
}

static void
test_unknown_section(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[udp]\nport = 53\n", "udp", NULL, "unknown section");
	assert_contains(err, "expected");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("[tern]\nworkerz = 2\n" MINIMAL_PORT, "tern", "workerz", "unknown key");
}

static void
test_key_given_twice(void **state)
{
	(void)state;
	expect_error("[tern]\nworkers = 2\nworkers = 3\n" MINIMAL_PORT, "tern", "workers", "twice");
}

static void
test_workers_zero(void **state)
{
	(void)state;
	expect_error("[tern]\nworkers = 0\n" MINIMAL_PORT, "tern", "workers", "integer from 1 to 64");
	assert_contains(err, "'0'");
}

static void
test_workers_too_many(void **state)
{
	(void)state;
	expect_error("[tern]\nworkers = 65\n" MINIMAL_PORT, "tern", "workers", "integer from 1 to 64");
	assert_contains(err, "'65'");
}

static void
test_workers_not_a_number(void **state)
{
	(void)state;
	expect_error("[tern]\nworkers = abc\n" MINIMAL_PORT, "tern", "workers", "integer");
	assert_contains(err, "'abc'");
}

static void
test_address_malformed(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\naddress = 1.2.3/24\n",
		     "port0", "address", "address/prefix");
	assert_contains(err, "'1.2.3/24'");
}

/* RFC 1122 §3.2.1.3: the all-zeros host part names the network, not a host. */
static void
test_address_is_network(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\naddress = 198.18.0.0/24\n",
		     "port0", "address", "network");
}

static void
test_address_is_broadcast(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\naddress = 198.18.0.255/24\n",
		     "port0", "address", "broadcast");
}

static void
test_address_prefix_31(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\naddress = 198.18.0.1/31\n",
		     "port0", "address", "/30 or shorter");
}

static void
test_gateway_outside_prefix(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\naddress = 198.18.0.1/24\ngateway = 198.18.1.1\n",
		     "port0", "gateway", "inside the port's prefix");
}

static void
test_gateway_without_address(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\ngateway = 198.18.0.254\n",
		     "port0", "gateway", "address");
}

static void
test_mtu_too_small(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "mtu = 100\n", "port0", "mtu", "integer from 576 to 9000");
}

static void
test_rx_desc_not_power_of_two(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "rx_desc = 1000\n", "port0", "rx_desc", "power of two");
}

static void
test_tx_desc_not_power_of_two(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "tx_desc = 1000\n", "port0", "tx_desc", "power of two");
}

/* The descriptor check must not depend on the port having an address (tern-impair). */
static void
test_rx_desc_not_power_of_two_without_address(void **state)
{
	(void)state;
	expect_error("[port0]\ndevice = net_null0\nrx_desc = 1000\n", "port0", "rx_desc",
		     "power of two");
}

static void
test_device_missing(void **state)
{
	(void)state;
	expect_error("[port0]\naddress = 198.18.0.1/24\n", "port0", "device", "required");
}

static void
test_loss_above_100(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[impair.port0]\nrx_loss = 101\n", "impair.port0", "rx_loss",
		     "percentage from 0 to 100");
	assert_contains(err, "'101'");
}

static void
test_loss_negative(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[impair.port0]\ntx_loss = -1\n", "impair.port0", "tx_loss",
		     "percentage from 0 to 100");
	assert_contains(err, "'-1'");
}

static void
test_delay_out_of_range(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[impair.port0]\nrx_delay_ms = 10001\n", "impair.port0",
		     "rx_delay_ms", "milliseconds from 0 to 10000");
}

/* A CE threshold above the delay queue's size could never mark: refused, for either direction. */
static void
test_ce_threshold_above_queue(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[impair.port0]\nqueue = 1024\ntx_ce_threshold = 1025\n",
		     "impair.port0", "tx_ce_threshold", "at most `queue` (1024)");
	expect_error(MINIMAL_PORT "[impair.port0]\nrx_ce_threshold = 65537\n", "impair.port0",
		     "rx_ce_threshold", "at most `queue` (65536)");
	assert_int_equal(load_text(MINIMAL_PORT "[impair.port0]\nqueue = 1024\nrx_ce_threshold = 1024\n"), 0);
}

static void
test_impair_without_port(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[impair.port1]\nrx_loss = 1\n", "impair.port1", NULL,
		     "no [port1] section");
}

static void
test_port1_without_port0(void **state)
{
	(void)state;
	expect_error("[port1]\ndevice = net_null1\naddress = 198.18.0.1/24\n", "port1", NULL,
		     "numbered from port0");
}

static void
test_port_index_too_high(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[port4]\ndevice = net_null4\n", "port4", NULL,
		     "expected port0 to port3");
}

static void
test_offloads_not_bool(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "offloads = maybe\n", "port0", "offloads", "yes or no");
	assert_contains(err, "'maybe'");
}

static void
test_log_level_unknown(void **state)
{
	(void)state;
	expect_error("[tern]\nlog_level = loud\n" MINIMAL_PORT, "tern", "log_level", "debug");
}

static void
test_no_port(void **state)
{
	(void)state;
	expect_error("[tern]\nworkers = 1\n", "port0", NULL, "at least one port");
}

/* A section given twice must not silently lose the keys of its second copy. */
static void
test_tern_section_given_twice(void **state)
{
	(void)state;
	expect_error("[tern]\nworkers = 2\n" MINIMAL_PORT "[tern]\nmbufs = 4096\n", "tern", NULL,
		     "twice");
}

/* [port1] and [port01] name one port: the second must not overwrite the first. */
static void
test_port_named_twice_differently(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[port1]\ndevice = net_null1\naddress = 198.18.1.1/24\n"
		     "[port01]\ndevice = net_null2\naddress = 198.18.2.1/24\n", "port01", NULL,
		     "same port");
}

static void
test_port_section_given_twice(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT MINIMAL_PORT, "port0", NULL, "twice");
}

static void
test_require_addresses(void **state)
{
	(void)state;
	assert_int_equal(load_text(MINIMAL_PORT "[port1]\ndevice = net_null1\n"), 0);
	assert_int_equal(tern_config_require_addresses(&cfg, err, sizeof(err)), -1);
	assert_contains(err, path);
	assert_contains(err, "[port1]");
	assert_contains(err, "address");
	assert_contains(err, "expected address/prefix");
}


/* ---- sections of the modules (registered by lib/stack) ------------------------- */

/* Defaults come from the key tables, parsed like a file's values. */
static void
test_module_defaults(void **state)
{
	const struct tcp_cfg *tcp;

	(void)state;
	assert_int_equal(load_text(MINIMAL_PORT), 0);
	tcp = tcp_config(&cfg);
	assert_int_equal(tcp->max_connections, 65536);
	assert_int_equal(tcp->rcvbuf, 262144);
	assert_int_equal(tcp->min_rto_ms, 200);
	assert_int_equal(tcp->nagle, 1);
	assert_int_equal(tcp->keepalive, 0);
	assert_string_equal(tcp->cc, "cubic");
	assert_int_equal(net_arp_cfg(&cfg)->entries, 1024);
	assert_int_equal(net_icmp_cfg(&cfg)->error_burst, 50);
	assert_int_equal(svc_count(&cfg), 0);
}

static void
test_tcp_section(void **state)
{
	(void)state;
	assert_int_equal(load_text(MINIMAL_PORT "[tcp]\nmax_connections = 1000\ncc = newreno\n"
				   "nagle = no\n"), 0);
	assert_int_equal(tcp_config(&cfg)->max_connections, 1000);
	assert_string_equal(tcp_config(&cfg)->cc, "newreno");
	assert_int_equal(tcp_config(&cfg)->nagle, 0);
	expect_error(MINIMAL_PORT "[tcp]\ncc = bbr\n", "tcp", "cc", "cubic or newreno");
	assert_contains(err, "'bbr'");
	expect_error(MINIMAL_PORT "[tcp]\nmin_rto_ms = 5000\n", "tcp", "initial_rto_ms",
		     "min_rto_ms <= initial_rto_ms");
	expect_error(MINIMAL_PORT "[tcp]\nmax_connections = 15\n", "tcp", "max_connections",
		     "integer from 16 to 16777216");
}

static void
test_services(void **state)
{
	const struct svc_cfg *s;

	(void)state;
	assert_int_equal(load_text(MINIMAL_PORT "[service.web]\ntype = http\nport = 80\n"
				   "[service.load]\ntype = client\nport = 80\ntarget = 198.18.0.2\n"
				   "mode = cps\n"), 0);
	assert_int_equal(svc_count(&cfg), 2);
	s = svc_config(&cfg, 0);
	assert_string_equal(s->name, "web");
	assert_int_equal(s->type, SVC_HTTP);
	assert_string_equal(s->cc, "");
	s = svc_config(&cfg, 1);
	assert_int_equal(s->type, SVC_CLIENT);
	assert_int_equal(s->mode, SVC_CLIENT_CPS);
	assert_int_equal(s->concurrency, 64);
	assert_string_equal(s->path, "/bytes/64");
}

static void
test_service_errors(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[service.e]\ntype = echo\nport = 7\ntarget = 198.18.0.2\n",
		     "service.e", "target", "only for type = client");
	expect_error(MINIMAL_PORT "[service.c]\ntype = client\nport = 80\n", "service.c",
		     "target", "required");
	expect_error(MINIMAL_PORT "[service.x]\ntype = gopher\nport = 70\n", "service.x", "type",
		     "echo, discard, http or client");
	expect_error(MINIMAL_PORT "[service.x]\ntype = echo\n", "service.x", "port", "required");
	expect_error(MINIMAL_PORT "[service.a]\ntype = echo\nport = 7\n"
		     "[service.b]\ntype = discard\nport = 7\n", "service.b", "port",
		     "already used by [service.a]");
	expect_error(MINIMAL_PORT "[service.]\ntype = echo\nport = 7\n", "service.", NULL,
		     "expected a name");
	expect_error(MINIMAL_PORT "[service.c]\ntype = client\nport = 80\ntarget = 198.18.0.2\n"
		     "path = nope\n", "service.c", "path", "absolute path");
}

static void
test_too_many_services(void **state)
{
	char text[4096];
	size_t n = snprintf(text, sizeof(text), "%s", MINIMAL_PORT);

	(void)state;
	for (unsigned i = 0; i <= SVC_MAX; i++)
		n += snprintf(text + n, sizeof(text) - n, "[service.s%u]\ntype = echo\nport = %u\n",
			      i, 1000 + i);
	expect_error(text, "service.s16", NULL, "at most 16");
}

/* The unknown-section message lists what the schema knows. */
static void
test_unknown_section_lists_schema(void **state)
{
	(void)state;
	expect_error(MINIMAL_PORT "[balancer.web]\nbind = 198.18.0.1:80\n", "balancer.web", NULL,
		     "tern, port");
	assert_contains(err, "service.NAME");
	assert_contains(err, "tcp");
}

/* The reference names every key of every section the schema holds. */
static void
test_reference_has_every_key(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	tern_config_reference(f, &stack_schema);
	fclose(f);
	for (unsigned i = 0; i < stack_schema.n; i++)
		for (unsigned k = 0; k < stack_schema.sections[i]->nkeys; k++) {
			const char *key = stack_schema.sections[i]->keys[k].name;
			size_t len = strlen(key);
			char name[80];

			if (len > 2 && strcmp(key + len - 2, ".*") == 0) /* a family: server.NAME */
				snprintf(name, sizeof(name), "`%.*s.NAME`", (int)(len - 2), key);
			else
				snprintf(name, sizeof(name), "`%s`", key);
			assert_contains(buf, name);
		}
	free(buf);
}

/* Configurations built in code (tests, benchmarks) get the same defaults. */
static void
test_config_in_code(void **state)
{
	struct tern_config c;
	struct svc_cfg *s;

	(void)state;
	assert_int_equal(tern_config_init(&c, &stack_schema), 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(tcp_config(&c)->backlog, 1024);
	s = tern_config_add(&c, &svc_section, "x");
	assert_non_null(s);
	assert_string_equal(s->name, "x");
	assert_int_equal(s->concurrency, 64);
	assert_int_equal(svc_count(&c), 1);
	tern_config_free(&c);
}

/* ---- [frontend.NAME], [backend.NAME], [proxy] ---------------------------------- */

#define TWO_PORTS MINIMAL_PORT "[port1]\ndevice = net_null1\naddress = 198.18.1.1/24\n"
#define FE(bind) "[frontend.web]\nbind = " bind "\nbackend = app\n"
#define BE "[backend.app]\nserver.a = 198.18.1.10:80\n"

static void
test_proxy_good(void **state)
{
	const struct proxy_frontend_cfg *fe;
	const struct proxy_backend_cfg *be;

	(void)state;
	assert_int_equal(load_text(TWO_PORTS FE("198.18.0.10:80, 198.18.0.11:443")
				   "accept_proxy = v2\n"
				   "[backend.app]\nserver.a = 198.18.1.10:80 weight 3 maxconn 100\n"
				   "server.b = 198.18.1.11:8080 backup\nbalance = maglev\n"
				   "maglev_size = 251\nsource = 198.18.1.1:40000-40999\ncheck = http\n"
				   "check_path = /health\n[proxy]\ngrace_ms = 500\n"), 0);
	assert_int_equal(proxy_frontend_count(&cfg), 1);
	fe = proxy_frontend_config(&cfg, 0);
	assert_string_equal(fe->name, "web");
	assert_int_equal(fe->nbinds, 2);
	assert_int_equal(fe->binds[1].addr, 0xc612000b);
	assert_int_equal(fe->binds[1].port, 443);
	assert_int_equal(fe->accept_proxy, PROXY_PP_V2);
	assert_int_equal(fe->backend_index, 0);
	be = proxy_backend_config(&cfg, 0);
	assert_int_equal(be->nservers, 2);
	assert_string_equal(be->servers[0].name, "a");
	assert_int_equal(be->servers[0].weight, 3);
	assert_int_equal(be->servers[0].maxconn, 100);
	assert_int_equal(be->servers[1].port, 8080);
	assert_int_equal(be->servers[1].backup, 1);
	assert_int_equal(be->balance, PROXY_BAL_MAGLEV);
	assert_int_equal(be->sources[0].port_lo, 40000);
	assert_int_equal(be->sources[0].port_hi, 40999);
	assert_string_equal(be->check_path, "/health");
	assert_int_equal(be->check_timeout_ms, be->check_interval_ms); /* 0 means the interval */
	assert_int_equal(proxy_global_config(&cfg)->grace_ms, 500);
}

static void
test_proxy_frontend_errors(void **state)
{
	(void)state;
	expect_error(TWO_PORTS "[frontend.web]\nbind = 198.18.0.10:80\nbackend = nope\n" BE,
		     "frontend.web", "backend", "no [backend.nope] section");
	expect_error(TWO_PORTS "[frontend.web]\nbackend = app\n" BE, "frontend.web", "bind", NULL);
	expect_error(TWO_PORTS FE("198.18.0.10") BE, "frontend.web", "bind", "ADDRESS:PORT");
	assert_contains(err, "'198.18.0.10'");
	expect_error(TWO_PORTS FE("198.18.0.10:0") BE, "frontend.web", "bind", "ADDRESS:PORT");
	expect_error(TWO_PORTS FE("198.18.0.10:65536") BE, "frontend.web", "bind", "ADDRESS:PORT");
	expect_error(TWO_PORTS FE("198.18.7.10:80") BE, "frontend.web", "bind", "inside no port");
	expect_error(TWO_PORTS FE("198.18.0.255:80") BE, "frontend.web", "bind", "broadcast");
	expect_error(TWO_PORTS FE("198.18.0.10:80, 198.18.0.10:80") BE, "frontend.web", "bind",
		     "also bound by [frontend.web]");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[frontend.api]\nbind = 198.18.0.10:80\n"
		     "backend = app\n" BE, "frontend.api", "bind", "also bound by [frontend.web]");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "maxconn = 0\n" BE, "frontend.web", "maxconn",
		     "integer from 1");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "accept_proxy = v3\n" BE, "frontend.web",
		     "accept_proxy", "none, v1 or v2");
}

static void
test_proxy_server_errors(void **state)
{
	(void)state;
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nbalance = leastconn\n",
		     "backend.app", NULL, "at least one server.NAME");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nserver.a = web1\n",
		     "backend.app", "server.a", "ADDRESS:PORT");
	assert_contains(err, "'web1'");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nserver.a = 198.18.1.10:80 "
		     "weight 257\n", "backend.app", "server.a", "weight 0-256");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nserver.a = 198.18.1.10:80 "
		     "weight\n", "backend.app", "server.a", "weight 0-256");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nserver.a = 198.18.1.10:80 "
		     "fast\n", "backend.app", "server.a", "'fast'");
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nserver.a = 198.18.1.10:80\n"
		     "server.a = 198.18.1.11:80\n", "backend.app", "server.a", "twice");
	/* Off every prefix, and no port has a gateway. */
	expect_error(TWO_PORTS FE("198.18.0.10:80") "[backend.app]\nserver.a = 198.18.9.10:80\n",
		     "backend.app", "server.a", "no port reaches");
}

static void
test_proxy_backend_errors(void **state)
{
	(void)state;
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "source = 198.18.0.20\n", "backend.app",
		     "source", "not on [port1]");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "source = 198.18.1.20:5000-4000\n",
		     "backend.app", "source", "ADDRESS:LOW-HIGH");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "source = 198.18.1.20:0-10\n",
		     "backend.app", "source", "ADDRESS:LOW-HIGH");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "source = 198.18.1.0\n",
		     "backend.app", "source", "network or broadcast");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "balance = maglev\nmaglev_size = 1000\n",
		     "backend.app", "maglev_size", "a prime");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "balance = random\n", "backend.app",
		     "balance", "roundrobin, leastconn or maglev");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "check_status = 600\n", "backend.app",
		     "check_status", "integer from 100 to 599");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "check_method = DELETE\n", "backend.app",
		     "check_method", "GET");
	expect_error(TWO_PORTS FE("198.18.0.10:80") BE "retries = 17\n", "backend.app",
		     "retries", "integer from 0 to 16");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_config),
		cmocka_unit_test(test_full_config_tern_section),
		cmocka_unit_test(test_full_config_port_sections),
		cmocka_unit_test(test_full_config_impair_section),
		cmocka_unit_test(test_full_config_arp_icmp_sections),
		cmocka_unit_test(test_port_without_address_accepted),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_ini),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_key_given_twice),
		cmocka_unit_test(test_workers_zero),
		cmocka_unit_test(test_workers_too_many),
		cmocka_unit_test(test_workers_not_a_number),
		cmocka_unit_test(test_address_malformed),
		cmocka_unit_test(test_address_is_network),
		cmocka_unit_test(test_address_is_broadcast),
		cmocka_unit_test(test_address_prefix_31),
		cmocka_unit_test(test_gateway_outside_prefix),
		cmocka_unit_test(test_gateway_without_address),
		cmocka_unit_test(test_mtu_too_small),
		cmocka_unit_test(test_rx_desc_not_power_of_two),
		cmocka_unit_test(test_tx_desc_not_power_of_two),
		cmocka_unit_test(test_rx_desc_not_power_of_two_without_address),
		cmocka_unit_test(test_device_missing),
		cmocka_unit_test(test_loss_above_100),
		cmocka_unit_test(test_loss_negative),
		cmocka_unit_test(test_delay_out_of_range),
		cmocka_unit_test(test_ce_threshold_above_queue),
		cmocka_unit_test(test_impair_without_port),
		cmocka_unit_test(test_port1_without_port0),
		cmocka_unit_test(test_port_index_too_high),
		cmocka_unit_test(test_offloads_not_bool),
		cmocka_unit_test(test_log_level_unknown),
		cmocka_unit_test(test_no_port),
		cmocka_unit_test(test_port_named_twice_differently),
		cmocka_unit_test(test_tern_section_given_twice),
		cmocka_unit_test(test_port_section_given_twice),
		cmocka_unit_test(test_require_addresses),
		cmocka_unit_test(test_module_defaults),
		cmocka_unit_test(test_tcp_section),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_service_errors),
		cmocka_unit_test(test_too_many_services),
		cmocka_unit_test(test_unknown_section_lists_schema),
		cmocka_unit_test(test_reference_has_every_key),
		cmocka_unit_test(test_config_in_code),
		cmocka_unit_test(test_proxy_good),
		cmocka_unit_test(test_proxy_frontend_errors),
		cmocka_unit_test(test_proxy_server_errors),
		cmocka_unit_test(test_proxy_backend_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
