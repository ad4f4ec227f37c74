/*
 * The Prometheus endpoint's pure parts (lib/ctl): CamelCase counter names
 * to snake_case, every counter of the real layout named validly and once,
 * the text format (HELP and TYPE once per family, samples together, label
 * values escaped), a whole scrape of a made-up source (a worker that does
 * not answer, the proxy's rows), checked line by line and, when Debian's
 * prometheus package is installed, by promtool; and the statuses HTTP
 * requests get.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl/ctl_http.h"
#include "ctl/ctl_metrics.h"
#include "ctl/ctl_prom.h"
#include "stack/stack.h"

static void
test_snake(void **state)
{
	static const char *const cases[][2] = {
		{ "TcpInSegs", "tcp_in_segs" },
		{ "TcpExtTCPChallengeACK", "tcp_ext_tcp_challenge_ack" },
		{ "TcpExtTCPChallengeACKLimited", "tcp_ext_tcp_challenge_ack_limited" },
		{ "TcpExtPAWSEstab", "tcp_ext_paws_estab" },
		{ "TcpExtTCPOFOQueue", "tcp_ext_tcp_ofo_queue" },
		{ "TcpExtTCPDSACKRecv", "tcp_ext_tcp_dsack_recv" },
		{ "TcpExtTCPSACKReneging", "tcp_ext_tcp_sack_reneging" },
		{ "TcpExtTCPSackRecovery", "tcp_ext_tcp_sack_recovery" },
		{ "TcpExtTCPSpuriousRTOs", "tcp_ext_tcp_spurious_rtos" },
		{ "TcpExtDelayedACKs", "tcp_ext_delayed_acks" },
		{ "TcpExtTW", "tcp_ext_tw" },
		{ "IpInTtlBelow2", "ip_in_ttl_below2" },
		{ "EthInIpv6", "eth_in_ipv6" },
		{ "HTTPServer", "http_server" },
		{ "lower", "lower" },
	};
	char out[64];

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(prom_snake(cases[i][0], out, sizeof(out)), strlen(cases[i][1]));
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(prom_snake("Tcp-In", out, sizeof(out)), -1);
	assert_int_equal(prom_snake("TcpInSegs", out, 11), -1);  /* "tcp_in_segs" needs 12 */
	assert_int_equal(prom_snake("TcpInSegs", out, 12), 11);
	assert_true(prom_name_ok("tern_tcp_in_segs_total"));
	assert_false(prom_name_ok("9lives"));
	assert_false(prom_name_ok("tern-x"));
	assert_false(prom_name_ok(""));
}

/* promtool's lint: no word of a name may look like an abbreviated unit. */
static void
assert_no_unit_word(const char *name)
{
	static const char *const abbr[] = { "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb",
					    "tb", "pb", "m", "h", "d" };
	char copy[160], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", name);
	for (char *w = strtok_r(copy, "_", &save); w; w = strtok_r(NULL, "_", &save))
		for (unsigned i = 0; i < sizeof(abbr) / sizeof(abbr[0]); i++)
			if (strcmp(w, abbr[i]) == 0)
				fail_msg("%s: '%s' reads as a unit", name, w);
}

/* Every counter tern has: a valid name, a gauge only for kind G, no two alike. */
static void
test_counter_names(void **state)
{
	const struct tern_counter_layout *l = stack_counters();
	char (*names)[160] = calloc(l->total, sizeof(*names));
	const char *type;

	(void)state;
	assert_non_null(names);
	for (unsigned k = 0; k < l->total; k++) {
		const struct tern_counter_info *ci = tern_counter_at(l, k);

		assert_true(prom_counter_name(ci->name, ci->kind, names[k], sizeof(names[k]), &type) > 0);
		assert_true(prom_name_ok(names[k]));
		assert_no_unit_word(names[k]);
		assert_string_equal(type, ci->kind == 'G' ? "gauge" : "counter");
		for (unsigned j = 0; j < k; j++)
			assert_string_not_equal(names[j], names[k]);
	}
	assert_int_equal(prom_counter_name("TcpCurrEstab", 'G', names[0], 160, &type), 19);
	assert_string_equal(names[0], "tern_tcp_curr_estab");
	assert_int_equal(prom_counter_name("TcpInSegs", 'E', names[0], 160, &type), 22);
	assert_string_equal(names[0], "tern_tcp_in_segs_total");
	assert_true(prom_counter_name("EthInNotForUs", 'D', names[0], 160, &type) > 0);
	assert_string_equal(names[0], "tern_eth_in_not_for_tern_total");
	assert_int_equal(prom_counter_name("TcpInSegs", 'E', names[0], 22, &type), -1);
	free(names);
}

static void
test_format(void **state)
{
	struct prom_buf b;
	struct prom_label l[2] = { { "backend", "we\"b\\1\n" }, { "server", "s1" } };

	(void)state;
	prom_buf_init(&b);
	prom_family(&b, "tern_x_total", "counter", "a \\ help\nline");
	prom_sample(&b, "tern_x_total", l, 2, 18446744073709551615ull);
	prom_sample(&b, "tern_x_total", NULL, 0, 0);
	assert_false(b.failed);
	assert_string_equal(b.p, "# HELP tern_x_total a \\\\ help\\nline\n"
			    "# TYPE tern_x_total counter\n"
			    "tern_x_total{backend=\"we\\\"b\\\\1\\n\",server=\"s1\"} 18446744073709551615\n"
			    "tern_x_total 0\n");
	assert_int_equal(b.len, strlen(b.p));
	for (int i = 0; i < 2000; i++) /* grows past its first 4 KiB */
		prom_sample(&b, "tern_y", NULL, 0, (uint64_t)i);
	assert_int_equal(b.len, strlen(b.p));
	assert_non_null(strstr(b.p, "tern_y 1999\n"));
	prom_buf_free(&b);
	assert_null(b.p);
}

/* ---- a made-up source: worker 0 answers, worker 1 does not; a small proxy ---- */

static int
fake_counters(void *ctx, unsigned w, uint64_t *out)
{
	(void)ctx;
	if (w == 1)
		return -ETIMEDOUT;
	for (unsigned k = 0; k < stack_counters()->total; k++)
		out[k] = 1000 + k;
	return 0;
}

static int
fake_loop(void *ctx, unsigned w, struct tern_loop_stats *out)
{
	(void)ctx;
	*out = (struct tern_loop_stats){ .loops = 500 + w, .busy_loops = 50, .requests_served = 5 };
	return 0;
}

static int
fake_states(void *ctx, unsigned w, uint32_t out[TERN_TCP_NSTATES])
{
	(void)ctx, (void)w;
	for (unsigned s = 0; s < TERN_TCP_NSTATES; s++)
		out[s] = s;
	return 0;
}

static void
fake_pool(void *ctx, unsigned w, unsigned *in_use, unsigned *size)
{
	(void)ctx;
	*in_use = 10 + w;
	*size = 8191;
}

static unsigned
fake_rows(void *ctx, struct proxy_row *rows, unsigned max)
{
	static const struct proxy_row r[] = {
		{ .kind = PROXY_ROW_FRONTEND, .pxname = "web", .svname = "FRONTEND", .status = "OPEN",
		  .slim = 100, .st = { .scur = 3, .stot = 40, .bin = 4000, .bout = 9000 } },
		{ .kind = PROXY_ROW_BACKEND, .pxname = "app", .svname = "BACKEND", .status = "UP",
		  .checked = 1, .st = { .stot = 40, .econ = 2 } },
		{ .kind = PROXY_ROW_SERVER, .pxname = "app", .svname = "s1", .status = "UP",
		  .checked = 1, .weight = 1, .st = { .stot = 39, .lbtot = 39 }, .check = "L7OK" },
		{ .kind = PROXY_ROW_SERVER, .pxname = "app", .svname = "s\"2", .status = "DOWN",
		  .checked = 1, .weight = 1, .st = { .econ = 2 }, .chkdown = 1, .downtime_s = 7,
		  .check = "L4CON in 0ms" },
	};
	unsigned n = 0;

	(void)ctx;
	for (; n < max && n < sizeof(r) / sizeof(r[0]); n++)
		rows[n] = r[n];
	return n;
}

static const struct ctl_source fake = {
	.nworkers = 2, .counters = fake_counters, .loop_stats = fake_loop,
	.tcp_states = fake_states, .pool = fake_pool, .proxy_rows = fake_rows,
};

/* Each line a HELP, a TYPE or a sample of the family declared last; no family twice. */
static unsigned
check_lines(char *text)
{
	char family[160] = "", *save = NULL, seen[64 * 1024] = "|";
	unsigned samples = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[160], key[170];

		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%159s", family), 1);
			snprintf(key, sizeof(key), "|%s|", family);
			assert_null(strstr(seen, key)); /* one family, one place */
			assert_true(strlen(seen) + strlen(key) < sizeof(seen));
			strcat(seen, key + 1);
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			char type[16];

			assert_int_equal(sscanf(line + 7, "%159s %15s", name, type), 2);
			assert_string_equal(name, family);
			assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0);
		} else {
			size_t n = strcspn(line, "{ ");

			snprintf(name, sizeof(name), "%.*s", (int)n, line);
			assert_string_equal(name, family);
			assert_true(prom_name_ok(name));
			samples++;
		}
	}
	return samples;
}

static int
has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(text, want) != NULL;
}

/* promtool's verdict when it is installed (Debian's prometheus); skipped otherwise. */
static void
promtool_check(const char *text)
{
	char path[] = "/tmp/tern-test-metrics.XXXXXX", cmd[256];
	int fd;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		print_message("promtool not installed: the text format is checked here only\n");
		return;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

static void
test_scrape(void **state)
{
	struct ctl_source src = fake;
	struct ctl_metrics_stats self = { .answers = { 7, 1 }, .dropped = 2 };
	struct prom_buf b;
	char *copy, line[128];

	(void)state;
	src.layout = stack_counters();
	prom_buf_init(&b);
	prom_append(&b, "\n"); /* so that every line, the first too, follows a newline */
	assert_int_equal(ctl_metrics_text(&src, &self, &b), 0);
	promtool_check(b.p + 1);
	snprintf(line, sizeof(line), "tern_tcp_in_segs_total{worker=\"0\"} %d", /* fake_counters */
		 1000 + tern_counter_find(src.layout, "TcpInSegs"));
	assert_true(has(b.p, line));
	assert_null(strstr(b.p, "tern_tcp_in_segs_total{worker=\"1\"}"));
	assert_true(has(b.p, "# TYPE tern_tcp_curr_estab gauge"));
	assert_true(has(b.p, "tern_worker_up{worker=\"0\"} 1"));
	assert_true(has(b.p, "tern_worker_up{worker=\"1\"} 0"));
	assert_true(has(b.p, "tern_worker_loops_total{worker=\"0\"} 500"));
	assert_true(has(b.p, "tern_mbuf_pool_in_use{worker=\"1\"} 11"));
	assert_true(has(b.p, "tern_tcp_connections{worker=\"0\",state=\"ESTAB\"} 4"));
	assert_true(has(b.p, "tern_tcp_connections{worker=\"0\",state=\"LISTEN\"} 1"));
	assert_null(strstr(b.p, "state=\"UNCONN\""));
	assert_true(has(b.p, "tern_proxy_frontend_sessions_total{frontend=\"web\"} 40"));
	assert_true(has(b.p, "tern_proxy_frontend_limit_sessions{frontend=\"web\"} 100"));
	assert_true(has(b.p, "tern_proxy_backend_connection_errors_total{backend=\"app\"} 2"));
	assert_true(has(b.p, "tern_proxy_server_up{backend=\"app\",server=\"s1\"} 1"));
	assert_true(has(b.p, "tern_proxy_server_up{backend=\"app\",server=\"s\\\"2\"} 0"));
	assert_true(has(b.p, "tern_proxy_server_status{backend=\"app\",server=\"s\\\"2\","
			"state=\"DOWN\"} 1"));
	assert_true(has(b.p, "tern_proxy_server_check_status{backend=\"app\",server=\"s\\\"2\","
			"check=\"L4CON\"} 1"));
	assert_true(has(b.p, "tern_proxy_server_downtime_seconds_total{backend=\"app\","
			"server=\"s\\\"2\"} 7"));
	assert_null(strstr(b.p, "tern_proxy_server_limit_sessions{")); /* no maxconn: no sample */
	assert_true(has(b.p, "tern_metrics_answers_total{code=\"200\"} 7"));
	assert_true(has(b.p, "tern_metrics_clients_dropped_total 2"));
	copy = strdup(b.p);
	assert_true(check_lines(copy) > src.layout->total);
	free(copy);
	prom_buf_free(&b);
}

static void
test_http_status(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET /metrics HTTP/1.0\r\n\r\n", 200 },
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", 200 },
		{ "GET /metrics?name[]=x HTTP/1.1\r\nhost: x\r\n\r\n", 200 },
		{ "GET http://198.18.0.1:9469/metrics HTTP/1.0\r\n\r\n", 200 },
		{ "GET /metrics HTTP/1.0\n\n", 200 },
		{ "GET /metrics HTTP/1.0\r\n", 0 },
		{ "GET /metr", 0 },
		{ "", 0 },
		{ "GET / HTTP/1.0\r\n\r\n", 404 },
		{ "GET /metrics/ HTTP/1.0\r\n\r\n", 404 },
		{ "GET /metricsx HTTP/1.0\r\n\r\n", 404 },
		{ "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 405 },
		{ "HEAD /metrics HTTP/1.0\r\n\r\n", 405 },
		{ "get /metrics HTTP/1.0\r\n\r\n", 405 },
		{ "GET /metrics HTTP/2.0\r\n\r\n", 505 },
		{ "GET /metrics HTTP/0.9\r\n\r\n", 505 },
		{ "GET /metrics HTTP/1.1\r\n\r\n", 400 },         /* no Host */
		{ "GET /metrics\r\n\r\n", 400 },
		{ "GET  /metrics HTTP/1.0\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.0 \r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.x\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.0\r\nNoColon\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.0\r\n folded: x\r\n\r\n", 400 },
		{ "GET /metrics HTTP/1.0\r\nBad Name: x\r\n\r\n", 400 },
		{ "\r\n\r\n", 400 },
		{ "G\x01T /metrics HTTP/1.0\r\n\r\n", 400 },
	};
	char big[CTL_HTTP_HEAD_MAX];

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = ctl_http_status(cases[i].req, strlen(cases[i].req), CTL_HTTP_HEAD_MAX);

		if (got != cases[i].status)
			fail_msg("'%s': %d, expected %d", cases[i].req, got, cases[i].status);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
	assert_int_equal(ctl_http_status(big, sizeof(big) - 1, sizeof(big)), 0);
	assert_int_equal(ctl_http_status(big, sizeof(big), sizeof(big)), 400);
}

static void
test_http_head(void **state)
{
	char h[256];

	(void)state;
	assert_true(ctl_http_head(h, sizeof(h), 200, 1234) > 0);
	assert_string_equal(h, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			    "Content-Length: 1234\r\nConnection: close\r\n\r\n");
	assert_true(ctl_http_head(h, sizeof(h), 405, 5) > 0);
	assert_non_null(strstr(h, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(h, "\r\nAllow: GET\r\n"));
	assert_int_equal(ctl_http_head(h, 40, 200, 1), -1);
	assert_non_null(strstr(ctl_http_error_body(404), "/metrics"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snake),
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_scrape),
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_http_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
