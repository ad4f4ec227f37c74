#!/usr/bin/env bash
# tern as a load generator ([service.NAME] type = client) against a Linux
# HTTP server (bench's tern-linux-conn, epoll) in the namespace:
#   (1) rps (16 keep-alive connections) and cps (16 slots, a connection per
#       request) side by side for 2 s: answers counted, no errors, bodies of
#       /bytes/64 and /bytes/3000 on their pattern, every rps request on its
#       16 connections, one connection per cps request, and the server
#       served at least what tern counted; tern stops by itself
#       (exit_when_done) with its pools whole;
#       no SYN lost behind ARP, no RST (answers consumed before closing);
#       beside them a paced client (rate = 300 over 4 keep-alive connections):
#       the schedule's 600 requests in 2 s (540 at least), not more, none left unsent;
#   (2) a client toward a port nobody listens on: every attempt counted as an
#       error, retried after 1 ms, no answer; tern stops by itself.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

SRV=$BUILD_DIR/bench/tern-linux-conn
[ -x "$SRV" ] || fail "no $SRV (build the bench directory)"
ns_create

# json_field LOG SERVICE FIELD: FIELD of the client-json line of SERVICE.
json_field() {
	sed -n 's/^client-json: //p' "$1" | "$PY" -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d["service"] == sys.argv[1]:
        print(d[sys.argv[2]])' "$2" "$3"
}

client_conf() { # NAME PORT: the two clients toward LINUX_ADDR:PORT
	tern_conf "$1" "
[service.ka]
type = client
target = $LINUX_ADDR
port = $2
mode = rps
concurrency = 16
path = /bytes/64
duration_ms = 2000
start_ms = 500

[service.cc]
type = client
target = $LINUX_ADDR
port = $2
mode = cps
concurrency = 16
path = /bytes/3000
duration_ms = 2000
start_ms = 500

[service.paced]
type = client
target = $LINUX_ADDR
port = $2
mode = rps
concurrency = 4
rate = 300
path = /bytes/64
duration_ms = 2000
start_ms = 500"
}

# --- (1) against the Linux server -------------------------------------------
# The server first (on any address: the tap appears with tern), so it is
# listening when the clients start.
ip netns exec "$NS" "$SRV" server --addr 0.0.0.0 --port 8080 >"$TMPD/server.log" 2>&1 &
srv_pid=$!
IT_PIDS+=("$srv_pid")
tern_start "$(client_conf clients 8080)"
tern_wait_exit 30
grep '^client ' "$TERN_LOG" | while read -r l; do log "$l"; done
for svc in ka cc; do
	assert_gt "$(json_field "$TERN_LOG" $svc requests)" 0 "$svc: answers"
	assert_eq "$(json_field "$TERN_LOG" $svc errors)" 0 "$svc: errors"
	assert_eq "$(json_field "$TERN_LOG" $svc bad_bodies)" 0 "$svc: bodies off their pattern"
	assert_gt "$(json_field "$TERN_LOG" $svc p50_us)" 0 "$svc: p50 latency (us)"
done
assert_eq "$(json_field "$TERN_LOG" ka connections)" 16 "ka: connections (rps keeps 16)"
# The schedule: due at start + k / 300 s for 2 s; it starts once the first
# connection is up (ARP and a handshake on a busy machine may take up to
# 200 ms off the front); a closed loop would answer thousands.
assert_ge "$(json_field "$TERN_LOG" paced requests)" 540 "paced: answers (300/s for 2 s)"
assert_le "$(json_field "$TERN_LOG" paced requests)" 601 "paced: answers, no more than scheduled"
assert_eq "$(json_field "$TERN_LOG" paced errors)" 0 "paced: errors"
assert_le "$(json_field "$TERN_LOG" paced unsent)" 2 "paced: due but unsent"
assert_eq "$(json_field "$TERN_LOG" paced connections)" 4 "paced: connections (kept alive)"
assert_eq "$(json_field "$TERN_LOG" cc connections)" "$(json_field "$TERN_LOG" cc requests)" \
	"cc: one connection per request"
assert_eq "$(json_field "$TERN_LOG" cc body_bytes)" $(( $(json_field "$TERN_LOG" cc requests) * 3000 )) \
	"cc: body bytes"
# One connection goes first, so the others do not pile up behind ARP.
assert_eq "$(counter ArpQueueDrops)" 0 "ArpQueueDrops (SYNs held back by ARP and dropped)"
# Answers are consumed before the client closes: a close with unread bytes would reset.
assert_eq "$(counter TcpExtTCPAbortOnClose)" 0 "TcpExtTCPAbortOnClose"
assert_eq "$(counter TcpOutRsts)" 0 "TcpOutRsts"
kill -TERM "$srv_pid"
wait "$srv_pid" 2>/dev/null || true
served=$(sed -n 's/^served \([0-9]*\) requests.*/\1/p' "$TMPD/server.log")
log "Linux server: $(cat "$TMPD/server.log")"
assert_ge "${served:-0}" $(( $(json_field "$TERN_LOG" ka requests) + $(json_field "$TERN_LOG" cc requests) + $(json_field "$TERN_LOG" paced requests) )) \
	"requests the Linux server served (>= the answers tern counted)"
assert_clean_exit

# --- (2) toward a closed port -----------------------------------------------
tern_start "$(tern_conf refused "
[service.nobody]
type = client
target = $LINUX_ADDR
port = 8081
mode = cps
concurrency = 4
duration_ms = 1000
start_ms = 500")"
tern_wait_exit 20
log "$(grep '^client ' "$TERN_LOG")"
assert_eq "$(json_field "$TERN_LOG" nobody requests)" 0 "answers from a closed port"
assert_gt "$(json_field "$TERN_LOG" nobody errors)" 0 "refused connections counted as errors"
assert_eq "$(json_field "$TERN_LOG" nobody errors)" "$(json_field "$TERN_LOG" nobody connections)" \
	"every refused connection is one error"
# A slot waits 1 ms after an error: 4 slots over 1 s make at most ~4000 attempts
# (without the wait, tens of thousands).
assert_le "$(json_field "$TERN_LOG" nobody connections)" 4000 "attempts toward a refusing port in 1 s"
assert_clean_exit
pass
