#!/usr/bin/env bash
# Zero window and persist: a Linux client with a small SO_RCVBUF asks for
# /bytes/50000000, reads a little, stops reading for 30 s (its window closes)
# and then reads the rest. tern must keep probing the window
# (TcpExtTCPWinProbe > 0, the connection stays ESTABLISHED) and, once the
# window opens, deliver every byte (length and sha256 of the i mod 251
# pattern) without a retransmission timeout (nothing is lost here).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

N=50000000
SLEEP=30
ns_create
tern_start "$(svc_conf zwnd)"
ping_until_reply
want=$(pattern_sha $N)

pyc zero-window "$TERN_ADDR" "$HTTP_PORT" $N $SLEEP >"$TMPD/zw.out" 2>"$TMPD/zw.err" &
zw_pid=$!
IT_PIDS+=("$zw_pid")

# While the client sleeps: the window is closed, tern probes it.
sleep 12
kill -0 "$zw_pid" 2>/dev/null || fail "client ended early: $(cat "$TMPD/zw.out" "$TMPD/zw.err")"
ss_line=$(ns_exec ss -Htni state established "dport = :$HTTP_PORT" | tr -s ' \n' ' ')
log "Linux socket while the client does not read: $ss_line"
assert_match "$ss_line" 'rcv_space|rcvmss' "Linux socket still ESTABLISHED while the window is closed"
tcp_counters_now
p1=$(counter TcpExtTCPWinProbe)
assert_gt "$p1" 0 "TcpExtTCPWinProbe after 12 s of closed window"
assert_eq "$(counter TcpCurrEstab)" 1 "TcpCurrEstab while the window is closed"
sleep 10
tcp_counters_now
p2=$(counter TcpExtTCPWinProbe)
assert_gt "$p2" "$p1" "TcpExtTCPWinProbe keeps growing (22 s of closed window)"

rc=0
wait "$zw_pid" || rc=$?
out=$(cat "$TMPD/zw.out")
log "client: $out"
assert_eq "$rc" 0 "client exit status ($(tail -n 3 "$TMPD/zw.err" | tr '\n' ' '))"
assert_match "$out" "^status=200 " "status 200"
assert_match "$out" " length=$N " "Content-Length $N"
assert_match "$out" " body=$N " "body bytes received"
assert_match "$out" " sha=$want " "sha256 of the body (i mod 251 pattern)"
assert_match "$out" " err=none " "no error while reading the rest"
rest_ms=$(sed -n 's/.* rest_ms=\([0-9]*\).*/\1/p' <<<"$out")
log "the rest after the window opened: $rest_ms ms"
tcp_counters_now
log "$(tcp_summary)"
assert_eq "$(counter TcpExtTCPAbortOnTimeout)" 0 "TcpExtTCPAbortOnTimeout"
# Nothing is lost on this link: the window reopening must not wait for a
# retransmission timeout (a probe byte the closed window refused is not in
# the receiver's buffer; sending on from the byte after it leaves a hole
# that only an RTO repairs, 200 ms or more per zero-window episode).
assert_eq "$(counter TcpExtTCPTimeouts)" 0 "retransmission timeouts on a lossless link (TcpExtTCPTimeouts)"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
