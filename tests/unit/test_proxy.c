/*
 * The proxy in memory (bench/lab.c): a tern client, a tern proxy and tern
 * servers, each a whole worker built by stack_build, on virtual time.
 * Bodies are checked byte for byte by the client service (/bytes/N has a
 * known pattern); every pool must be whole at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "../bench/lab.h"
#include "core/clock.h"
#include "stack/stack.h"
#include "svc/client.h"
#include "svc/svc.h"
#include "test_eal.h"

int bench_huge; /* bench/pair.c sizes its pools for 4 KiB pages when 0 */

/* Small tables: several workers share the unit tests' 128 MB of EAL memory. */
#define SMALL "[tcp]\nmax_connections = 1024\nooo_mbufs = 256\n[arp]\nentries = 64\n"
#define CLIENT_NET SMALL "[port0]\ndevice = lab\naddress = 198.18.0.2/24\n"
#define PROXY_NETS SMALL "[port0]\ndevice = lab\naddress = 198.18.0.1/24\n" \
		   "[port1]\ndevice = lab\naddress = 198.18.1.1/24\n"
#define HTTP_SERVER(addr) SMALL "[port0]\ndevice = lab\naddress = " addr "/24\n" \
			  "[service.http]\ntype = http\nport = 80\n"

static struct lab lab;
static char err[512];

static struct lab_node *
add(const char *name, const char *ini)
{
	struct lab_node *x = lab_add(&lab, name, ini, 4096, err, sizeof(err));

	if (x == NULL)
		fail_msg("lab_add %s: %s", name, err);
	return x;
}

/* client -- segment 0 -- proxy -- segment 1 -- servers */
static struct lab_node *
topology(const char *client, const char *proxy, const char *const *servers, unsigned nservers)
{
	struct lab_node *c = add("client", client), *p = add("proxy", proxy);

	lab_attach(c, 0, 0);
	lab_attach(p, 0, 0);
	lab_attach(p, 1, 1);
	for (unsigned i = 0; i < nservers; i++)
		lab_attach(add("server", servers[i]), 0, 1);
	return p;
}

static int
client_finished(void *ctx)
{
	return client_done(svc_client(((struct lab_node *)ctx)->sw->svc, 0));
}

static const struct client_result *
run_client(unsigned max_ms)
{
	struct lab_node *c = &lab.node[0];

	assert_int_equal(lab_run(&lab, client_finished, c, max_ms), 0);
	return client_result(svc_client(c->sw->svc, 0));
}

static int
setup(void **state)
{
	(void)state;
	tern_clock_init(1000000000ull); /* the lab's virtual TSC: 1 tick = 1 ns */
	lab_init(&lab);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(lab_destroy(&lab), 0);
	return 0;
}

#define CLIENT(mode, conc, reqs, path) CLIENT_NET \
	"[service.load]\ntype = client\ntarget = 198.18.0.10\nport = 80\nmode = " mode "\n" \
	"concurrency = " #conc "\nrequests = " #reqs "\nduration_ms = 0\nstart_ms = 0\n" \
	"path = " path "\n"

/* Keep-alive requests through the proxy: every body whole, one session per client connection. */
static void
test_get_keepalive(void **state)
{
	static const char *const servers[] = { HTTP_SERVER("198.18.1.2") };
	struct lab_node *p = topology(CLIENT("rps", 4, 200, "/bytes/10000"),
		PROXY_NETS "[frontend.web]\nbind = 198.18.0.10:80\nbackend = app\n"
		"[backend.app]\nserver.s1 = 198.18.1.2:80\n", servers, 1);
	const struct client_result *r;

	(void)state;
	r = run_client(20000);
	assert_true(r->requests >= 200);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->bad_bodies, 0);
	assert_int_equal(stack_counter(p->sw, "ProxySessions"), 4);
	assert_int_equal(stack_counter(p->sw, "ProxyConnectFailures"), 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_get_keepalive),
	};
#undef T

	test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
