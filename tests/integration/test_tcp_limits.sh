#!/usr/bin/env bash
# A connection table at its limits, against Linux clients:
#  - full of TIME-WAIT: new connections take the oldest TIME-WAIT TCB
#    (TcpExtTWReclaimed) instead of being refused (TcpExtTcbExhausted);
#  - [tcp] source_max_connections: one address cannot hold more, another
#    still connects, and a freed slot is usable again;
#  - [tcp] listener_max_connections: one listener's cap;
#  - [tcp] idle_timeout_ms: a silent connection is reset, a busy one is not.
source "$(dirname "$0")/lib.sh"

ns_create

# --- TIME-WAIT reclaimed when the table is full ------------------------------
# 16 TCBs, TIME-WAIT of 2 x 30 s: tern closes each HTTP/1.0 exchange first,
# so every request leaves a TIME-WAIT behind for longer than this test runs.
tern_start "$(tern_conf tw "
[tcp]
max_connections = 16
msl_ms = 30000

[service.http]
type = http
port = 80")"
ok=0
for i in $(seq 1 40); do
	if ns_exec curl -s -o /dev/null --http1.0 --connect-timeout 3 --max-time 10 \
		"http://$TERN_ADDR/bytes/100"; then
		ok=$((ok + 1))
	fi
done
assert_eq "$ok" 40 "HTTP/1.0 requests answered with a 16-connection table"
counters_now
assert_eq "$(counter TcpExtTcbExhausted)" 0 "TcpExtTcbExhausted"
assert_ge "$(counter TcpExtTWReclaimed)" 24 "TcpExtTWReclaimed (40 TIME-WAITs in 16 TCBs)"
tern_stop
assert_clean_exit

# --- per-source and per-listener caps ----------------------------------------
tern_start "$(tern_conf caps "
[tcp]
source_max_connections = 4
listener_max_connections = 6

[service.http]
type = http
port = 80")"
ns_exec ip addr add 198.18.0.3/24 dev "$TAP"
ns_exec ip addr add 198.18.0.4/24 dev "$TAP"
# hold.py SRC N: opens N connections from SRC (3 s to connect each), prints
# how many were established, then holds them until it is killed.
cat >"$TMPD/hold.py" <<'PY'
import socket, sys, time
src, n = sys.argv[1], int(sys.argv[2])
held = []
for i in range(n):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(3)
    try:
        s.connect(("198.18.0.1", 80))
        s.send(b"GET /bytes/1 HTTP/1.1\r\nHost: t\r\n\r\n")
        if not s.recv(4096):
            raise OSError("closed")
        held.append(s)
    except OSError:
        s.close()
print(len(held), flush=True)
time.sleep(300)
PY
hold() { # SRC N OUT: a background holder printing into OUT; HOLD_PID
	ip netns exec "$NS" "$PY" "$TMPD/hold.py" "$1" "$2" >"$3" &
	HOLD_PID=$!
	IT_PIDS+=($HOLD_PID)
}
wait_line() { # FILE: its first line, within 30 s
	local deadline=$((SECONDS + 30))
	until [ -s "$1" ]; do
		[ $SECONDS -lt $deadline ] || fail "no answer in $1"
		sleep 0.2
	done
	head -1 "$1"
}
hold "$LINUX_ADDR" 6 "$TMPD/a.out"
a_pid=$HOLD_PID
assert_eq "$(wait_line "$TMPD/a.out")" 4 "connections from $LINUX_ADDR (source cap 4)"
counters_now
assert_ge "$(counter TcpExtSourceCapDrops)" 2 "TcpExtSourceCapDrops"
hold 198.18.0.3 4 "$TMPD/b.out"
b_pid=$HOLD_PID
assert_eq "$(wait_line "$TMPD/b.out")" 2 "connections from 198.18.0.3 (listener cap 6, 4 held)"
counters_now
assert_ge "$(counter TcpExtListenerCapDrops)" 2 "TcpExtListenerCapDrops"
# The first holder lets go: its four TCBs are freed, and count no more.
kill "$a_pid"
deadline=$((SECONDS + 20))
until out=$(ns_exec curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 \
	"http://$TERN_ADDR/bytes/10") && [ "$out" = 200 ]; do
	[ $SECONDS -lt $deadline ] || { ns_exec ss -tan; fail "no connection after the first holder closed"; }
	sleep 0.5
done
log "ok: $LINUX_ADDR connects again once its connections closed"
hold 198.18.0.4 4 "$TMPD/c.out"
c_pid=$HOLD_PID
assert_eq "$(wait_line "$TMPD/c.out")" 4 "connections from 198.18.0.4 after the release"
kill "$b_pid" "$c_pid"
tern_stop
assert_clean_exit

# --- idle timeout -------------------------------------------------------------
tern_start "$(tern_conf idle "
[tcp]
idle_timeout_ms = 3000

[service.http]
type = http
port = 80")"
cat >"$TMPD/idle.py" <<'PY'
import socket, sys, time
quiet = socket.create_connection(("198.18.0.1", 80), timeout=5)
busy = socket.create_connection(("198.18.0.1", 80), timeout=5)
start = time.monotonic()
# The busy one asks every 0.3 s for 7 s (over two idle timeouts); the quiet one says nothing.
while time.monotonic() - start < 7:
    busy.send(b"GET /bytes/10 HTTP/1.1\r\nHost: t\r\n\r\n")
    if not busy.recv(4096):
        sys.exit("the busy connection was closed")
    time.sleep(0.3)
quiet.settimeout(10)
try:
    data = quiet.recv(1)
    sys.exit("the quiet connection got %r, not a reset" % data)
except ConnectionResetError:
    print("quiet reset after idle")
PY
out=$(ns_exec timeout 30 "$PY" "$TMPD/idle.py" 2>&1) || fail "idle.py: $out"
log "ok: $out"
counters_now
assert_eq "$(counter TcpExtTCPAbortOnIdle)" 1 "TcpExtTCPAbortOnIdle (the quiet connection only)"
tern_stop
assert_clean_exit
pass
