#!/usr/bin/env bash
# Graceful stop ([proxy] grace_ms): on SIGTERM tern refuses new connections
# at once (RST), lets open ones carry on and finish, resets those still open
# when grace_ms is over, and exits cleanly (every mbuf back). A second
# SIGTERM stops at once and still resets what is open.
# it-limit: 90
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

SRV=$(backend_addr 1)
GRACE=3000
conf=$(proxy_conf stop "
[frontend.echo]
bind = $VIP:7
backend = echo
[backend.echo]
server.e = $SRV:7")
sed -i "s/^grace_ms = .*/grace_ms = $GRACE/" "$conf"
proxy_start "$conf" 1
backend_echo "$SRV" 7

# hold_bg NAME SECS: an echoing client in the background, its result in
# $TMPD/NAME; its pid in HOLD_PID.
hold_bg() {
	ns_exec "$PY" "$PROXY_CLIENT" hold "$VIP" 7 "$2" >"$TMPD/$1" 2>&1 &
	HOLD_PID=$!
	IT_PIDS+=($!)
}
hold_bg finisher 2.5 # ends by itself 2.5 s from now, inside the grace time
finisher=$HOLD_PID
hold_bg lingerer 0   # never ends by itself
lingerer=$HOLD_PID
sleep 1
# Both are echoing through the proxy before the stop.
[ -s "$TMPD/finisher" ] && fail "finisher ended early: $(cat "$TMPD/finisher")"
stopped_at=$(date +%s.%N)
kill -TERM "$TERN_PID"
wait_log "new connections are refused" 5

out=$(ns_exec "$PY" "$PROXY_CLIENT" raw "$VIP" 7 "$(printf 'late' | xxd -p)" 2 2>&1 || true)
assert_match "$out" "ConnectionRefused|reset" "a connection opened during the grace time"
wait "$finisher"
assert_match "$(cat "$TMPD/finisher")" "^done [0-9]+" "a connection that finishes inside the grace time"
n=$(sed -n 's/^done \([0-9]*\)/\1/p' "$TMPD/finisher")
assert_ge "$n" 15 "echoes answered to the finisher (about 25 in 2.5 s, 15 after the SIGTERM)"
wait "$lingerer"
res=$(cat "$TMPD/lingerer")
assert_match "$res" "^reset after [0-9]+ at " "a connection still open when the grace time is over"
reset_at=$(echo "$res" | awk '{print $5}')
after=$(awk -v a="$stopped_at" -v b="$reset_at" 'BEGIN { printf "%d", (b - a) * 1000 }')
log "lingerer reset $after ms after SIGTERM (grace_ms $GRACE)"
assert_ge "$after" $((GRACE - 200)) "ms from SIGTERM to the lingerer's reset"
assert_le "$after" $((GRACE + 5000)) "ms from SIGTERM to the lingerer's reset"
tern_wait_exit 10
assert_clean_exit
assert_ge "$(counter TcpInClosedPort)" 1 "SYNs refused while stopping (the listeners are closed)"

# A second SIGTERM: at once, and the open connection is reset, not left hanging.
sed -i "s/^grace_ms = .*/grace_ms = 60000/" "$conf"
ns_delete "$NS"
ns_delete "$NSB"
IT_NAMESPACES=()
proxy_start "$conf" 1
backend_echo "$SRV" 7
hold_bg lingerer2 0
lingerer=$HOLD_PID
sleep 1
t0=$SECONDS
kill -TERM "$TERN_PID"
wait_log "new connections are refused" 5
kill -TERM "$TERN_PID"
tern_wait_exit 5
assert_le $((SECONDS - t0)) 4 "seconds from the second SIGTERM to exit"
wait "$lingerer"
assert_match "$(cat "$TMPD/lingerer2")" "^reset after" "the open connection at a second SIGTERM"
assert_clean_exit
pass "refused at once, finished inside grace_ms, reset after it ($after ms); second SIGTERM at once"
