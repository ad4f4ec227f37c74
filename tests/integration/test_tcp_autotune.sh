#!/usr/bin/env bash
# Buffer autotuning against Linux at 100 ms RTT (tern's impairment layer,
# 50 ms each way) with [tcp]'s default buffers, 256 KiB at the start (one
# window of 256 KiB per 100 ms would cap a connection at 2.6 MB/s).
#   1. 32 MiB through echo and 32 MiB of GET side by side, byte-exact;
#      ternctl ss, sampled during the transfers, shows a send queue and a
#      receive window beyond 256 KiB (the buffers grew: Send-Q is bounded
#      by the send buffer, the window by the receive buffer), and the
#      window scale tern offered is 7 (for rcvbuf_max, 6 MiB).
#      Then an 8 MiB HTTP/1.0 GET, which tern closes first: once it ends,
#      the budget is whole again although that connection waits in
#      TIME-WAIT (TcpExtTCPAutotuneBytes = 0).
#   2. The same with autotune_budget_mib = 1: growth stops at the budget
#      (TcpExtTCPAutotuneClamped) and the transfers are still byte-exact.
# No speed is asserted: growth needs the reader to consume more than
# about 1.2 MB/s, which any machine does.
# it-limit: 240
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

TERNCTL=$BUILD_DIR/app/ternctl
MIB=${TCP_AUTOTUNE_MIB:-32}
INITIAL=262144

# sample_start CONF: ternctl ss every 0.3 s in the background, keeping the
# largest Send-Q and receive window seen in $TMPD/max ("SENDQ RCVWND").
sample_start() {
	rm -f "$TMPD/stop-sampling"
	echo "0 0" >"$TMPD/max"
	(
		while [ ! -e "$TMPD/stop-sampling" ]; do
			"$TERNCTL" -c "$1" ss -i --json 2>/dev/null | "$PY" -c '
import json, sys
try:
    rows = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
q, w = map(int, open(sys.argv[1]).read().split())
for r in rows:
    q, w = max(q, r.get("send_q", 0)), max(w, r.get("rcv_wnd", 0))
open(sys.argv[1], "w").write("%d %d\n" % (q, w))' "$TMPD/max"
			sleep 0.3
		done
	) &
	SAMPLER=$!
	IT_PIDS+=("$SAMPLER")
}

sample_stop() {
	touch "$TMPD/stop-sampling"
	wait "$SAMPLER" 2>/dev/null || true
	read -r MAX_SENDQ MAX_RCVWND <"$TMPD/max"
}

ns_create
conf=$(svc_conf autotune "
[impair.port0]
rx_delay_ms = 50
tx_delay_ms = 50")
tern_start "$conf"
ping_until_reply "$TERN_ADDR" 20
"$TERNCTL" -c "$conf" ss -i --json >"$TMPD/probe.json" 2>&1 || fail "ternctl ss: $(cat "$TMPD/probe.json")"
capture_start "$TMPD/wscale.pcap" 'tcp[tcpflags] & tcp-syn != 0'
sample_start "$conf"
echo_and_get "$MIB MiB each way, 100 ms RTT, default buffers" "$MIB" 180
sample_stop
capture_stop
log "largest Send-Q $MAX_SENDQ, largest receive window $MAX_RCVWND (buffers start at $INITIAL)"
assert_gt "$MAX_SENDQ" "$INITIAL" "a send queue beyond the initial send buffer"
assert_gt "$MAX_RCVWND" "$INITIAL" "a receive window beyond the initial receive buffer"
ws=$(tshark -r "$TMPD/wscale.pcap" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 1" \
	-T fields -e tcp.options.wscale.shift 2>/dev/null | head -n1)
assert_eq "$ws" 7 "window scale of tern's SYN,ACK (for rcvbuf_max)"
assert_eq "$(counter TcpExtTCPAutotuneClamped)" 0 "growths refused by the budget"
assert_estab_zero 10
# An HTTP/1.0 GET: tern closes first, and the connection then waits in
# TIME-WAIT for 2 MSL (60 s), holding no data: it must hold none of the
# budget either.
got=$(ns_exec curl -sS --http1.0 --max-time 60 "http://$TERN_ADDR:$HTTP_PORT/bytes/$((8 << 20))" |
	sha256sum | cut -d' ' -f1) || fail "HTTP/1.0 GET failed"
assert_eq "$got" "$(pattern_sha $((8 << 20)))" "sha256 of 8 MiB over HTTP/1.0"
wait_counter_eq TcpExtTW 1 10 || fail "the HTTP/1.0 connection never entered TIME-WAIT"
wait_counter_eq TcpExtTCPAutotuneBytes 0 10 ||
	fail "TcpExtTCPAutotuneBytes: budget still held with no connection established"
tern_stop
assert_clean_exit

conf=$(svc_conf budget "
[tcp]
autotune_budget_mib = 1
[impair.port0]
rx_delay_ms = 50
tx_delay_ms = 50")
tern_start "$conf"
ping_until_reply "$TERN_ADDR" 20
echo_and_get "$MIB MiB each way, 100 ms RTT, a 1 MiB budget" "$MIB" 180
assert_gt "$(counter TcpExtTCPAutotuneClamped)" 0 "growths refused by the 1 MiB budget"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
