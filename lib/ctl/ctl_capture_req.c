/*
 * /tern/capture/start's parameters: PORT,HOST,TCPPORT,SNAPLEN,COUNT,SECONDS,FILE.
 * "any" leaves a filter field out; FILE is the rest of the line, so it may
 * hold commas, and must be absolute (tern writes it, not the caller).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl_capture.h"

#define CAP_FIELDS 6                  /* before FILE */
#define CAP_SECONDS_MAX (366ull * 86400)

static int
parse_port(const char *s, unsigned nports, struct cap_req *r, char *err, size_t len)
{
	uint64_t v;

	if (strcmp(s, "any") == 0)
		return 0;
	if (ctl_number(s, nports - 1, &v) != 0) {
		snprintf(err, len, "bad port '%s': a tern port from 0 to %u, or any", s, nports - 1);
		return -1;
	}
	r->filter.port = (uint16_t)v;
	return 0;
}

static int
parse_host(const char *s, struct cap_req *r, char *err, size_t len)
{
	struct in_addr a;

	if (strcmp(s, "any") == 0)
		return 0;
	if (inet_pton(AF_INET, s, &a) != 1) {
		snprintf(err, len, "bad host '%s': an IPv4 address like 198.18.0.2, or any", s);
		return -1;
	}
	r->filter.has_host = 1;
	r->filter.host = a.s_addr;
	return 0;
}

static int
parse_l4port(const char *s, struct cap_req *r, char *err, size_t len)
{
	uint64_t v;

	if (strcmp(s, "any") == 0)
		return 0;
	if (ctl_number(s, 65535, &v) != 0 || v == 0) {
		snprintf(err, len, "bad TCP/UDP port '%s': 1 to 65535, or any", s);
		return -1;
	}
	r->filter.has_l4port = 1;
	r->filter.l4port = rte_cpu_to_be_16((uint16_t)v);
	return 0;
}

/* SNAPLEN, COUNT, SECONDS: numbers, 0 for "no limit". */
static int
parse_limits(char **w, struct cap_req *r, char *err, size_t len)
{
	uint64_t v;

	if (ctl_number(w[3], CAP_SNAPLEN_MAX, &v) != 0) {
		snprintf(err, len, "bad snapshot length '%s': 0 (whole frames) to %u", w[3],
			 CAP_SNAPLEN_MAX);
		return -1;
	}
	r->snaplen = (uint32_t)v;
	if (ctl_number(w[4], UINT64_MAX >> 1, &r->count) != 0) {
		snprintf(err, len, "bad count '%s': packets to write, 0 for no limit", w[4]);
		return -1;
	}
	if (ctl_number(w[5], CAP_SECONDS_MAX, &r->seconds) != 0) {
		snprintf(err, len, "bad duration '%s': 0 (no limit) to %llu seconds", w[5],
			 (unsigned long long)CAP_SECONDS_MAX);
		return -1;
	}
	return 0;
}

/* "port0: host 198.18.0.2 and port 80", "all ports: all packets": the file's comment. */
static void
describe(struct cap_req *r)
{
	char host[INET_ADDRSTRLEN] = "", where[16] = "all ports";
	const struct tern_capture_filter *f = &r->filter;

	if (f->port != TERN_CAPTURE_ANY_PORT)
		snprintf(where, sizeof(where), "port%u", f->port);
	if (f->has_host)
		inet_ntop(AF_INET, &f->host, host, sizeof(host));
	if (f->has_host && f->has_l4port)
		snprintf(r->text, sizeof(r->text), "%s: host %s and port %u", where, host,
			 rte_be_to_cpu_16(f->l4port));
	else if (f->has_host)
		snprintf(r->text, sizeof(r->text), "%s: host %s", where, host);
	else if (f->has_l4port)
		snprintf(r->text, sizeof(r->text), "%s: port %u", where, rte_be_to_cpu_16(f->l4port));
	else
		snprintf(r->text, sizeof(r->text), "%s: all packets", where);
}

int
cap_req_parse(const char *params, unsigned nports, struct cap_req *r, char *err, size_t len)
{
	char buf[128], *w[CAP_FIELDS], *save = NULL;
	const char *file = params;
	unsigned n = 0;

	*r = (struct cap_req){ .filter.port = TERN_CAPTURE_ANY_PORT };
	/* The fields before FILE; FILE is what follows the sixth comma, commas and all. */
	for (unsigned k = 0; file != NULL && k < CAP_FIELDS; k++)
		file = (file = strchr(file, ',')) != NULL ? file + 1 : NULL;
	snprintf(buf, sizeof(buf), "%.*s", file != NULL ? (int)(file - params) : 0,
		 file != NULL ? params : "");
	for (char *t = strtok_r(buf, ",", &save); t != NULL && n < CAP_FIELDS;
	     t = strtok_r(NULL, ",", &save))
		w[n++] = t;
	if (file == NULL || n != CAP_FIELDS || *file == '\0') {
		snprintf(err, len, "expected PORT,HOST,TCPPORT,SNAPLEN,COUNT,SECONDS,FILE");
		return -1;
	}
	if (file[0] != '/' || strlen(file) >= sizeof(r->path)) {
		snprintf(err, len, "the file must be an absolute path (tern writes it), got '%s'", file);
		return -1;
	}
	snprintf(r->path, sizeof(r->path), "%s", file);
	if (nports == 0 || parse_port(w[0], nports, r, err, len) != 0 ||
	    parse_host(w[1], r, err, len) != 0 || parse_l4port(w[2], r, err, len) != 0 ||
	    parse_limits(w, r, err, len) != 0) {
		if (nports == 0)
			snprintf(err, len, "tern has no port to capture on");
		return -1;
	}
	describe(r);
	return 0;
}
