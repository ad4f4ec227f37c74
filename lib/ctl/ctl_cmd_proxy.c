/*
 * /tern/proxy/stat,FIRST: HAProxy's `show stat` CSV (its column names, in
 * its order up to check_status, then cli_abrt, srv_abrt and dcon), a page
 * of rows as one string after a line "next ROW" (-1: the last page).
 * /tern/proxy/set,BACKEND/SERVER,state,ready|drain|maint and
 * /tern/proxy/set,BACKEND/SERVER,weight,N: HAProxy's `set server`, applied
 * on the control side and broadcast to every worker.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_internal.h"
#include "ctl_metrics.h"

#define ROWS_PER_PAGE 32
#define CSV_HEADER "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ," \
	"eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid," \
	"iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,cli_abrt," \
	"srv_abrt,dcon\n"

static int
csv_row(char *buf, size_t len, const struct proxy_row *r, unsigned iid, unsigned sid)
{
	const struct proxy_stats *s = &r->st;
	int server = r->kind == PROXY_ROW_SERVER;
	char slim[16] = "", chk[48] = "", extra[96] = "";

	if (r->slim)
		snprintf(slim, sizeof(slim), "%u", r->slim);
	if (server) {
		snprintf(chk, sizeof(chk), "%s", !r->checked ? "" : r->check[0] ? r->check : "INI");
		for (char *p = chk; *p; p++)
			*p = *p == ',' ? ';' : *p == ' ' ? '_' : *p; /* one CSV field */
		snprintf(extra, sizeof(extra), "%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
			 r->backup ? 0 : 1, r->backup ? 1 : 0, r->chkfail, r->chkdown, r->lastchg_s,
			 r->downtime_s);
	} else {
		snprintf(extra, sizeof(extra), ",,,,,");
	}
	return snprintf(buf, len, "%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",,,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%"
			PRIu64 ",%s,%u,%s,,1,%u,%u,,%" PRIu64 ",,%u,,,,%s,%" PRIu64 ",%" PRIu64 ",%"
			PRIu64 "\n", r->pxname, r->svname, s->qcur, s->qmax, s->scur, s->smax, slim,
			s->stot, s->bin, s->bout, s->ereq, s->econ, s->eresp, s->wretr, s->wredis,
			r->status, r->weight, extra, iid, sid, s->lbtot,
			r->kind == PROXY_ROW_FRONTEND ? 0 : server ? 2 : 1, chk, s->cli_abrt,
			s->srv_abrt, s->dcon);
}

/* The rows' proxy and server ids, as HAProxy numbers them (from 1). */
static void
ids(const struct proxy_row *rows, unsigned i, unsigned *iid, unsigned *sid)
{
	*iid = 0;
	*sid = 0;
	for (unsigned k = 0; k <= i; k++) {
		if (rows[k].kind != PROXY_ROW_SERVER)
			(*iid)++, *sid = 0;
		else
			(*sid)++;
	}
}

static void
stat_page(struct ctl *c, unsigned first, struct rte_tel_data *d)
{
	unsigned n = 0, iid, sid;
	struct proxy_row *rows = ctl_proxy_rows_all(&c->src, &n);
	char *text = malloc(RTE_TEL_MAX_SINGLE_STRING_LEN);
	size_t off, cap = RTE_TEL_MAX_SINGLE_STRING_LEN;
	unsigned k;

	if (rows == NULL || text == NULL) {
		ctl_error(d, "out of memory");
		goto out;
	}
	off = (size_t)snprintf(text, cap, "next %d\n%s", -1, CSV_HEADER);
	for (k = first; k < n && k < first + ROWS_PER_PAGE && off < cap; k++) {
		ids(rows, k, &iid, &sid);
		off += (size_t)csv_row(text + off, cap - off, &rows[k], iid, sid);
	}
	if (k < n) { /* "next -1" becomes the row the next page starts at */
		char next[16];
		int w = snprintf(next, sizeof(next), "next %u", k);

		memmove(text + w, text + 7, strlen(text + 7) + 1);
		memcpy(text, next, (size_t)w);
	}
	rte_tel_data_string(d, text);
out:
	free(rows);
	free(text);
}

static int
cmd_stat(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	uint64_t first = 0;

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	if (params != NULL && *params && ctl_number(params, 1u << 16, &first) != 0)
		ctl_error(d, "expected the first row (a number), got '%s'", params);
	else
		stat_page(c, (unsigned)first, d);
	ctl_leave();
	return 0;
}

/* BACKEND/SERVER,state,ready|drain|maint or BACKEND/SERVER,weight,N */
static int
cmd_set(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ctl *c = ctl_enter();
	char buf[256], *w[4], *slash;
	unsigned n;
	int rc;

	(void)cmd;
	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	n = ctl_params(params, buf, sizeof(buf), w, 4);
	slash = n == 3 ? strchr(w[0], '/') : NULL;
	if (slash == NULL || (strcmp(w[1], "state") != 0 && strcmp(w[1], "weight") != 0) ||
	    (strcmp(w[1], "state") == 0 && strcmp(w[2], "ready") != 0 &&
	     strcmp(w[2], "drain") != 0 && strcmp(w[2], "maint") != 0)) {
		ctl_error(d, "expected BACKEND/SERVER,state,ready|drain|maint or "
			  "BACKEND/SERVER,weight,0-256");
		goto out;
	}
	*slash = '\0';
	rc = c->src.proxy_set(c->src.ctx, w[0], slash + 1, w[2]);
	if (rc == -ENOENT)
		ctl_error(d, "no server %s/%s", w[0], slash + 1);
	else if (rc != 0)
		ctl_error(d, "bad value '%s' (a weight is 0 to 256)", w[2]);
	else {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "result", "ok");
	}
out:
	ctl_leave();
	return 0;
}

int
ctl_register_proxy(void)
{
	int rc = 0;

	rc |= rte_telemetry_register_cmd("/tern/proxy/stat", cmd_stat,
		"tern: the proxy's frontends, backends and servers as HAProxy's show stat CSV. "
		"Parameters: first row (optional)");
	rc |= rte_telemetry_register_cmd("/tern/proxy/set", cmd_set,
		"tern: set server state or weight. Parameters: backend/server,state,"
		"ready|drain|maint or backend/server,weight,N");
	return rc;
}
