/*
 * ternctl ss: tern's connections in the columns of `ss -tan` (State,
 * Recv-Q, Send-Q, Local Address:Port, Peer Address:Port) and with -i the
 * fields of `ss -ti` tern knows. Like ss, without -a or -l it leaves out
 * listeners, SYN-RECV and TIME-WAIT. Pages come from /tern/conns, worker
 * by worker.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tctl.h"

#define NSTATES 11
enum { ST_LISTEN = 1, ST_SYN_RECV = 3, ST_TIME_WAIT = 10 };

struct ss_opts {
	int info, listening, all;
	unsigned states;               /* bit per state index; 0: the default set */
	int sport, dport;              /* -1: any */
	uint32_t src, dst;             /* host order; 0: any */
	int src_port, dst_port;
};

struct ss_row {
	unsigned state, lport, rport, recvq, sendq, mss, cwnd, ssthresh, srtt, rttvar, rto;
	unsigned snd_wnd, rcv_wnd, flight, sacked, lost, retrans, swscale, rwscale;
	unsigned long acked, received;
	unsigned recovery;
	uint32_t laddr, raddr;
	char cc[16];
};

static const char *state_arg[NSTATES] = {
	"closed", "listening", "syn-sent", "syn-recv", "established", "fin-wait-1",
	"fin-wait-2", "close-wait", "closing", "last-ack", "time-wait",
};

/* An ss state-filter word: its bits, 0 when unknown. */
static unsigned
state_bits(const char *w)
{
	for (unsigned i = 0; i < NSTATES; i++)
		if (strcmp(w, state_arg[i]) == 0)
			return 1u << i;
	if (strcmp(w, "all") == 0)
		return (1u << NSTATES) - 1;
	if (strcmp(w, "connected") == 0)
		return ((1u << NSTATES) - 1) & ~(1u << 0 | 1u << ST_LISTEN);
	if (strcmp(w, "synchronized") == 0)
		return ((1u << NSTATES) - 1) & ~(1u << 0 | 1u << ST_LISTEN | 1u << 2);
	return 0;
}

/* "ADDR" or "ADDR:PORT"; 0, or -1. */
static int
addr_port(const char *s, uint32_t *addr, int *port)
{
	char buf[64], *colon;
	struct in_addr a;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	*port = -1;
	if (colon != NULL) {
		*colon = '\0';
		*port = atoi(colon + 1);
	}
	if (buf[0] == '\0') {
		*addr = 0;
		return colon != NULL ? 0 : -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*addr = ntohl(a.s_addr);
	return 0;
}

/* sport = :N, sport :N, dport eq :N ... at argv[*i]; 0 or -1. */
static int
port_filter(int argc, char **argv, int *i, int *out)
{
	const char *v;
	uint32_t ignored;

	if (*i + 1 < argc && (strcmp(argv[*i + 1], "=") == 0 || strcmp(argv[*i + 1], "==") == 0 ||
			      strcmp(argv[*i + 1], "eq") == 0))
		(*i)++;
	if (*i + 1 >= argc)
		return -1;
	v = argv[++*i];
	return addr_port(v, &ignored, out) == 0 && *out >= 0 ? 0 : -1;
}

static int
parse(int argc, char **argv, struct ss_opts *o)
{
	*o = (struct ss_opts){ .sport = -1, .dport = -1, .src_port = -1, .dst_port = -1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1] != '-') {
			for (const char *f = a + 1; *f; f++) {
				if (*f == 'i') o->info = 1;
				else if (*f == 'l') o->listening = 1;
				else if (*f == 'a') o->all = 1;
				else if (*f != 'n' && *f != 't') goto bad;
			}
		} else if (strcmp(a, "state") == 0 && i + 1 < argc && state_bits(argv[i + 1])) {
			o->states |= state_bits(argv[++i]);
		} else if (strcmp(a, "sport") == 0 || strcmp(a, "dport") == 0) {
			if (port_filter(argc, argv, &i, a[0] == 's' ? &o->sport : &o->dport) != 0)
				goto bad;
		} else if ((strcmp(a, "src") == 0 || strcmp(a, "dst") == 0) && i + 1 < argc) {
			if (addr_port(argv[++i], a[0] == 's' ? &o->src : &o->dst,
				      a[0] == 's' ? &o->src_port : &o->dst_port) != 0)
				goto bad;
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "ternctl ss: cannot read '%s' (see ternctl --help)\n", a);
		return -1;
	}
	if (o->states == 0)
		o->states = o->listening ? 1u << ST_LISTEN : o->all ? (1u << NSTATES) - 1 :
			    ((1u << NSTATES) - 1) & ~(1u << 0 | 1u << ST_LISTEN | 1u << ST_SYN_RECV |
						      1u << ST_TIME_WAIT);
	return 0;
}

static int
row_parse(const char *line, struct ss_row *r)
{
	return sscanf(line, "%u %x %u %x %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %lu %lu "
		      "%u %15s", &r->state, &r->laddr, &r->lport, &r->raddr, &r->rport, &r->recvq,
		      &r->sendq, &r->mss, &r->cwnd, &r->ssthresh, &r->srtt, &r->rttvar, &r->rto,
		      &r->snd_wnd, &r->rcv_wnd, &r->flight, &r->sacked, &r->lost, &r->retrans,
		      &r->swscale, &r->rwscale, &r->acked, &r->received, &r->recovery,
		      r->cc) == 25 ? 0 : -1;
}

static int
wanted(const struct ss_opts *o, const struct ss_row *r)
{
	return r->state < NSTATES && (o->states & (1u << r->state)) &&
	       (o->sport < 0 || (int)r->lport == o->sport) &&
	       (o->dport < 0 || (int)r->rport == o->dport) &&
	       (o->src == 0 || r->laddr == o->src) && (o->src_port < 0 || (int)r->lport == o->src_port) &&
	       (o->dst == 0 || r->raddr == o->dst) && (o->dst_port < 0 || (int)r->rport == o->dst_port);
}

/* ADDR:PORT; a listener's peer is 0.0.0.0:* as ss prints it. */
static void
endpoint(char *buf, size_t len, uint32_t addr, unsigned port, int listener)
{
	if (listener && port == 0)
		snprintf(buf, len, "%u.%u.%u.%u:*", addr >> 24, (addr >> 16) & 255,
			 (addr >> 8) & 255, addr & 255);
	else
		snprintf(buf, len, "%u.%u.%u.%u:%u", addr >> 24, (addr >> 16) & 255,
			 (addr >> 8) & 255, addr & 255, port);
}

static void
print_info(const struct ss_row *r)
{
	unsigned mss = r->mss ? r->mss : 1;

	printf("\t %s", r->cc);
	if (r->swscale != 255)
		printf(" wscale:%u,%u", r->swscale, r->rwscale);
	printf(" rto:%u rtt:%.3f/%.3f mss:%u cwnd:%u", r->rto / 1000, r->srtt / 1000.0,
	       r->rttvar / 1000.0, r->mss, (r->cwnd + mss - 1) / mss);
	if (r->ssthresh < 0x7fffffff)
		printf(" ssthresh:%u", r->ssthresh / mss);
	printf(" bytes_acked:%lu bytes_received:%lu", r->acked, r->received);
	if (r->flight)
		printf(" unacked:%u", (r->flight + mss - 1) / mss);
	if (r->retrans)
		printf(" retrans:0/%u", r->retrans);
	if (r->lost)
		printf(" lost:%u", (r->lost + mss - 1) / mss);
	if (r->sacked)
		printf(" sacked:%u", (r->sacked + mss - 1) / mss);
	printf(" snd_wnd:%u rcv_wnd:%u%s\n", r->snd_wnd, r->rcv_wnd,
	       r->recovery ? " recovery" : "");
}

static void
print_row(struct tctl *t, const struct ss_opts *o, const struct ss_row *r, const char *state,
	  int *first)
{
	char local[32], peer[32];
	int lst = r->state == ST_LISTEN;

	endpoint(local, sizeof(local), r->laddr, r->lport, lst);
	endpoint(peer, sizeof(peer), r->raddr, r->rport, lst);
	if (t->json) {
		printf("%s{\"state\":\"%s\",\"recv_q\":%u,\"send_q\":%u,\"local\":\"%s\","
		       "\"peer\":\"%s\",\"cc\":\"%s\",\"mss\":%u,\"cwnd\":%u,\"ssthresh\":%u,"
		       "\"rtt_us\":%u,\"rttvar_us\":%u,\"rto_us\":%u,\"snd_wnd\":%u,\"rcv_wnd\":%u,"
		       "\"unacked_bytes\":%u,\"sacked_bytes\":%u,\"lost_bytes\":%u,\"retrans\":%u,"
		       "\"bytes_acked\":%lu,\"bytes_received\":%lu}", *first ? "" : ",\n", state,
		       r->recvq, r->sendq, local, peer, r->cc, r->mss, r->cwnd, r->ssthresh, r->srtt,
		       r->rttvar, r->rto, r->snd_wnd, r->rcv_wnd, r->flight, r->sacked, r->lost,
		       r->retrans, r->acked, r->received);
	} else {
		printf("%-10s %-6u %-6u %-25s %-25s\n", state, r->recvq, r->sendq, local, peer);
		if (o->info && !lst)
			print_info(r);
	}
	*first = 0;
}

/* Every page of one worker (its listeners when listeners). -1 when a page failed. */
static int
worker_rows(struct tctl *t, const struct ss_opts *o, unsigned w, int listeners, int *first,
	    unsigned long *count)
{
	const struct jv *states = json_get(t->info, "tcp_states");
	long long cursor = 0;

	while (cursor >= 0) {
		struct jv *page = listeners ? tctl_call(t, "/tern/listeners,%u", w) :
				  tctl_call(t, "/tern/conns,%u,%lld", w, cursor);
		char *line, *save = NULL;

		if (page == NULL || page->type != J_STR ||
		    sscanf(page->str, "next %lld", &cursor) != 1) {
			json_free(page);
			return -1;
		}
		strtok_r(page->str, "\n", &save); /* the "next ... rows ..." line */
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			struct ss_row r;
			const struct jv *name = states ? states->child : NULL;

			if (row_parse(line, &r) != 0 || !wanted(o, &r))
				continue;
			for (unsigned k = 0; name != NULL && k < r.state; k++)
				name = name->next;
			print_row(t, o, &r, name && name->type == J_STR ? name->str : "?", first);
			(*count)++;
		}
		json_free(page);
		if (listeners)
			break;
	}
	return 0;
}

int
tctl_ss(struct tctl *t, int argc, char **argv)
{
	struct ss_opts o;
	unsigned long count = 0;
	int first = 1, rc = 0;

	if (parse(argc, argv, &o) != 0)
		return 2;
	if (t->json)
		printf("[");
	else
		printf("%-10s %-6s %-6s %-25s %-25s\n", "State", "Recv-Q", "Send-Q",
		       "Local Address:Port", "Peer Address:Port");
	/* Listeners are the same on every worker: worker 0's. */
	if ((o.states & (1u << ST_LISTEN)) && worker_rows(t, &o, 0, 1, &first, &count) != 0)
		rc = 1;
	for (unsigned w = 0; w < t->workers && rc == 0; w++)
		if (worker_rows(t, &o, w, 0, &first, &count) != 0)
			rc = 1;
	if (t->json)
		printf("]\n");
	return rc;
}
