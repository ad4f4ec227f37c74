/*
 * /tern/conns,WORKER,CURSOR and /tern/listeners,WORKER: pages of
 * connections for ternctl ss. A page is one string of text, a row a line
 * (a dict per row would cost DPDK's telemetry a 66 KB container each):
 *
 *   next CURSOR rows N
 *   STATE LADDR LPORT RADDR RPORT RECVQ SENDQ MSS CWND SSTHRESH SRTT_US RTTVAR_US
 *     RTO_US SND_WND RCV_WND FLIGHT SACKED LOST RETRANS SND_WSCALE RCV_WSCALE
 *     BYTES_ACKED BYTES_RECEIVED IN_RECOVERY CC
 *
 * on one line per row, addresses as 8 hex digits (network order read as a
 * number), STATE an index into /tern/info's tcp_states, CURSOR -1 after
 * the last page. A page looks at no more than 2 048 slots of the worker's
 * table (tern_conn_page), so a request never holds a worker long.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl_internal.h"

#define ROWS_PER_PAGE 40       /* a row is at most ~190 characters of the 8 KiB string */

static int
row_text(char *buf, size_t len, const struct tern_conn_row *r)
{
	const struct tern_tcp_info *i = &r->info;

	return snprintf(buf, len, "%u %08x %u %08x %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u "
			"%u %u %u %u %u %s\n", i->state, ntohl(r->laddr), ntohs(r->lport),
			ntohl(r->raddr), ntohs(r->rport), i->unconsumed, i->unsent + i->flight,
			i->mss, i->cwnd, i->ssthresh, i->srtt_us, i->rttvar_us, i->rto_us,
			i->snd_wnd, i->rcv_wnd, i->flight, i->sacked, i->lost, i->retransmits,
			i->snd_wscale, i->rcv_wscale, i->bytes_acked, i->bytes_received,
			i->in_recovery, i->cc != NULL ? i->cc : "-");
}

/* The page as text into d; listeners: that worker's listeners instead. */
static int
page(struct ctl *c, unsigned worker, uint32_t cursor, int listeners, struct rte_tel_data *d)
{
	struct tern_conn_row rows[ROWS_PER_PAGE];
	uint32_t n = 0, next = UINT32_MAX;
	char *text = malloc(RTE_TEL_MAX_SINGLE_STRING_LEN);
	size_t off;
	int rc;

	if (text == NULL)
		return ctl_error(d, "out of memory");
	rc = c->src.conns(c->src.ctx, worker, listeners ? UINT32_MAX : cursor, rows,
			  ROWS_PER_PAGE, &n, &next);
	if (rc != 0) {
		free(text);
		return ctl_error(d, "worker %u did not answer", worker);
	}
	off = (size_t)snprintf(text, RTE_TEL_MAX_SINGLE_STRING_LEN, "next %" PRId64 " rows %u\n",
			       next == UINT32_MAX ? (int64_t)-1 : (int64_t)next, n);
	for (uint32_t k = 0; k < n && off < RTE_TEL_MAX_SINGLE_STRING_LEN; k++)
		off += (size_t)row_text(text + off, RTE_TEL_MAX_SINGLE_STRING_LEN - off, &rows[k]);
	rte_tel_data_string(d, text);
	free(text);
	return 0;
}

static int
cmd_page(const char *params, struct rte_tel_data *d, int listeners)
{
	struct ctl *c = ctl_enter();
	char buf[64], *w[3];
	uint64_t worker = 0, cursor = 0;
	unsigned n;

	if (c == NULL)
		return ctl_error(d, "tern is not running (starting or stopping)");
	n = ctl_params(params, buf, sizeof(buf), w, 3);
	if (n < 1 || ctl_number(w[0], c->src.nworkers - 1, &worker) != 0 ||
	    (!listeners && (n != 2 || ctl_number(w[1], UINT32_MAX - 1, &cursor) != 0)) ||
	    (listeners && n != 1))
		ctl_error(d, listeners ? "expected WORKER (0 to %u)" :
			  "expected WORKER (0 to %u),CURSOR (0 for the first page)",
			  c->src.nworkers - 1);
	else
		page(c, (unsigned)worker, (uint32_t)cursor, listeners, d);
	ctl_leave();
	return 0;
}

static int
cmd_conns(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return cmd_page(params, d, 0);
}

static int
cmd_listeners(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	return cmd_page(params, d, 1);
}

int
ctl_register_conns(void)
{
	int rc = 0;

	rc |= rte_telemetry_register_cmd("/tern/conns", cmd_conns,
		"tern: a page of a worker's connections as text (ternctl ss). Parameters: "
		"worker,cursor");
	rc |= rte_telemetry_register_cmd("/tern/listeners", cmd_listeners,
		"tern: a worker's listeners as text, like /tern/conns. Parameters: worker");
	return rc;
}
