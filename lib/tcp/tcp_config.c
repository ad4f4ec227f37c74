#include <stddef.h>

#include <rte_common.h>

#include "tcp_config.h"

const char *const tcp_cc_names[] = { "cubic", "newreno", NULL };
/* In the order of enum tcp_syncookies (Linux's net.ipv4.tcp_syncookies 0, 1, 2). */
static const char *const syncookie_modes[] = { "never", "auto", "always", NULL };
/* In the order of enum tcp_ecn. */
static const char *const ecn_modes[] = { "off", "accept", "on", NULL };

#define K(...) CFG_KEY(struct tcp_cfg, __VA_ARGS__)
static const struct cfg_key tcp_keys[] = {
	K("max_connections", CFG_UINT, max_connections, 16, 1u << 24, "65536",
	  "TCBs per worker, preallocated (TIME-WAIT included)"),
	K("rcvbuf", CFG_UINT, rcvbuf, 4096, 1u << 30, "262144",
	  "receive buffer, bytes per connection at the start: the first window offered"),
	K("rcvbuf_max", CFG_UINT, rcvbuf_max, 4096, 1u << 30, "6291456",
	  "receive buffer autotuning (Linux's dynamic right-sizing): each RTT the buffer grows to "
	  "twice what the application consumed in the last one, up to this (Linux's tcp_rmem "
	  "maximum); the window scale offered follows the larger of this and `rcvbuf`. Not above "
	  "`rcvbuf`: no autotuning"),
	K("sndbuf", CFG_UINT, sndbuf, 4096, 1u << 30, "262144",
	  "send buffer, bytes per connection at the start"),
	K("sndbuf_max", CFG_UINT, sndbuf_max, 4096, 1u << 30, "4194304",
	  "send buffer autotuning: the buffer grows to twice the congestion window, up to this "
	  "(Linux's tcp_wmem maximum). Not above `sndbuf`: no autotuning"),
	K("autotune_budget_mib", CFG_UINT, autotune_budget_mib, 0, 1u << 20, "0",
	  "what autotuning may add to all connections' buffers of one worker, MiB; growth beyond "
	  "it is refused (`TcpExtTCPAutotuneClamped`), so many fast connections cannot promise "
	  "more than the mbuf pool holds; 0: half the worker's mbuf pool"),
	K("backlog", CFG_UINT, backlog, 1, 1u << 24, "1024",
	  "connections in SYN-RECEIVED per listener per worker; more SYNs get a SYN cookie "
	  "(`syncookies`) or are dropped (`TcpExtListenOverflows`)"),
	{ "syncookies", CFG_ENUM, offsetof(struct tcp_cfg, syncookies), 0, 0, "auto",
	  "SYN cookies (RFC 4987 §3.6): auto, once a listener's backlog is full; always, for "
	  "every SYN (no SYN-RECEIVED state is kept); never (a full backlog drops SYNs)",
	  syncookie_modes },
	K("listener_max_connections", CFG_UINT, listener_max_connections, 0, 1u << 24, "0",
	  "connections one listener may hold per worker (embryos, established and closing); "
	  "more SYNs are dropped (`TcpExtListenerCapDrops`); 0: no cap"),
	K("source_max_connections", CFG_UINT, source_max_connections, 0, 1u << 24, "0",
	  "connections one source address may hold per worker with tern's listeners; more SYNs "
	  "are dropped (`TcpExtSourceCapDrops`), so one client cannot fill the table; 0: no cap"),
	K("idle_timeout_ms", CFG_UINT, idle_timeout_ms, 0, 1u << 31, "0",
	  "a connection the application holds, with no data received or acknowledged either way "
	  "for this long, is reset (`TcpExtTCPAbortOnIdle`): a slow-loris client or a peer "
	  "keeping a zero window cannot hold its TCB for ever; 0: never"),
	K("orphan_probes", CFG_UINT, orphan_probes, 1, 127, "8",
	  "zero-window probes a connection the application has closed sends, answered or not, "
	  "before it is reset (`TcpExtTCPAbortOnOrphanProbes`; Linux's tcp_orphan_retries, "
	  "RFC 6429): a peer that keeps its window closed cannot hold a closed connection and "
	  "its send buffer for ever. A connection the application holds probes for as long as "
	  "it is answered (RFC 1122 §4.2.2.17)"),
	K("msl_ms", CFG_UINT, msl_ms, 1, 600000, "30000", "TIME-WAIT lasts 2 × MSL"),
	K("fin_wait2_ms", CFG_UINT, fin_wait2_ms, 1, 3600000, "60000",
	  "how long a closed connection waits in FIN-WAIT-2 for the peer's FIN"),
	K("syn_retries", CFG_UINT, syn_retries, 1, 127, "6", "SYN retransmissions before giving up"),
	K("synack_retries", CFG_UINT, synack_retries, 1, 127, "5",
	  "SYN,ACK retransmissions before giving up"),
	K("retries", CFG_UINT, retries, 1, 127, "15",
	  "data retransmission timeouts in a row before the connection is aborted"),
	K("delack_ms", CFG_UINT, delack_ms, 1, 500, "40",
	  "delayed-ACK timer (a lone full-sized segment's ACK waits an eighth of the RTT when that is less)"),
	K("initial_rto_ms", CFG_UINT, initial_rto_ms, 1, 60000, "1000",
	  "RFC 6298 initial RTO; min_rto_ms <= initial_rto_ms <= max_rto_ms"),
	K("min_rto_ms", CFG_UINT, min_rto_ms, 1, 60000, "200", "RTO floor (Linux's 200 ms)"),
	K("max_rto_ms", CFG_UINT, max_rto_ms, 1000, 600000, "120000", "RTO ceiling"),
	K("keepalive", CFG_BOOL, keepalive, 0, 0, "no", "send keepalives on idle connections"),
	K("keepalive_idle_ms", CFG_UINT, keepalive_idle_ms, 1, 1u << 31, "7200000",
	  "idle time before the first keepalive (RFC 1122 §4.2.3.6)"),
	K("keepalive_interval_ms", CFG_UINT, keepalive_interval_ms, 1, 1u << 31, "75000",
	  "between unanswered keepalives"),
	K("keepalive_probes", CFG_UINT, keepalive_probes, 1, 127, "9",
	  "unanswered keepalives before the connection is aborted"),
	K("nagle", CFG_BOOL, nagle, 0, 0, "yes",
	  "Nagle's algorithm (per connection off with `tern_set_nodelay`)"),
	K("timestamps", CFG_BOOL, timestamps, 0, 0, "yes", "offer and accept timestamps (RFC 7323)"),
	K("gro", CFG_BOOL, gro, 0, 0, "yes",
	  "receive offload in software (Linux's GRO): consecutive in-order data segments of one "
	  "flow in a receive burst, with the same ACK, window, timestamps and ECN field, are "
	  "merged (up to 64 KiB) and cost one TCP input and one ACK decision"),
	K("sack", CFG_BOOL, sack, 0, 0, "yes", "offer and accept SACK (RFC 2018)"),
	{ "ecn", CFG_ENUM, offsetof(struct tcp_cfg, ecn), 0, 0, "accept",
	  "Explicit Congestion Notification (RFC 3168): accept, when the peer's SYN asks for it "
	  "(Linux's default); on, also asked for on tern's own SYNs (backend connections); off. "
	  "An ECN connection sends its new data ECT(0), echoes CE marks with ECN-Echo until "
	  "CWR, and reduces its window as after a loss (no resend), at most once per window "
	  "of data, when ECN-Echo comes back",
	  ecn_modes },
	K("window_scaling", CFG_BOOL, window_scaling, 0, 0, "yes",
	  "offer and accept window scaling (RFC 7323)"),
	K("ooo_mbufs", CFG_UINT, ooo_mbufs, 0, 1u << 24, "4096",
	  "out-of-order segments held per worker; more are dropped (`TcpExtTCPOFODrop`)"),
	K("challenge_ack_limit", CFG_UINT, challenge_ack_limit, 1, 1u << 24, "1000",
	  "RFC 5961 challenge ACKs per second per worker, on average: each second's budget is "
	  "drawn at random between half and one and a half times it, so what is left of it "
	  "tells an off-path attacker nothing (CVE-2016-5696)"),
	K("challenge_ack_conn_ms", CFG_UINT, challenge_ack_conn_ms, 0, 60000, "500",
	  "at most one challenge ACK per connection this often (Linux's tcp_invalid_ratelimit; "
	  "0: no limit)"),
	{ "cc", CFG_STR, offsetof(struct tcp_cfg, cc), 0, TCP_CC_NAME_LEN, "cubic",
	  "congestion control for active opens and listeners without their own: CUBIC "
	  "(RFC 9438 with HyStart++) or NewReno (RFC 6582)", tcp_cc_names },
};

static int
check_tcp(struct cfg_ctx *p, void *obj)
{
	const struct tcp_cfg *t = obj;

	if (t->min_rto_ms > t->max_rto_ms || t->initial_rto_ms < t->min_rto_ms ||
	    t->initial_rto_ms > t->max_rto_ms)
		return cfg_fail(p, "initial_rto_ms", "expected min_rto_ms <= initial_rto_ms <= max_rto_ms");
	return 0;
}

const struct cfg_section tcp_section = {
	.name = "tcp", .kind = CFG_SINGLE, .size = sizeof(struct tcp_cfg),
	.keys = tcp_keys, .nkeys = RTE_DIM(tcp_keys), .check = check_tcp,
	.doc = "Defaults follow Linux where the RFCs leave a choice.",
};
