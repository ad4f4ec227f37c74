#!/usr/bin/env bash
# Hostile peers of the proxy, each counted, none a crash or a leak: a client
# that connects and never sends (reset after client_ms), a backend that
# accepts and never reads (the session is reset after server_ms once the
# data stops moving), and source ports run out (a 4-port source range: the
# connections past it are refused at once and counted, tern serves on).
# it-limit: 90
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

SRV=$(backend_addr 1)
conf=$(proxy_conf hostile "
[frontend.idle]
bind = $VIP:7
backend = echo
client_ms = 1000
[frontend.sink]
bind = $VIP:9
backend = sink
[frontend.few]
bind = $VIP:10
backend = few
[backend.echo]
server.e = $SRV:7
[backend.sink]
server.s = $SRV:9
server_ms = 1000
[backend.few]
server.e = $SRV:7
source = 198.18.1.1:40000-40003
retries = 0")
proxy_start "$conf" 1
backend_echo "$SRV" 7
# A backend that accepts and never reads.
bg_nsb sink "$PY" -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(('$SRV', 9)); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)" >/dev/null
wait_listening "$NSB" "$SRV" 9

# A client that never sends: reset once the client side is idle for client_ms.
out=$(ns_exec "$PY" "$PROXY_CLIENT" raw "$VIP" 7 "" 5)
assert_match "$out" "^(reset|closed)" "a silent client after client_ms"

# A backend that never reads: the upload stalls, then server_ms resets it.
out=$(ns_exec timeout 20 "$PY" "$PROXY_CLIENT" wait-reset "$VIP" 9) || true
assert_match "$out" "^reset at" "the client of a backend that never reads"

# 4 source ports: of 8 long connections (echo), some cannot get one.
fpids=()
for i in $(seq 1 8); do
	ns_exec "$PY" -c "
import socket, time
s = socket.create_connection(('$VIP', 10), timeout=5)
s.sendall(b'x')
try:
    print('ok' if s.recv(1) == b'x' else 'closed')
except OSError as e:
    print(type(e).__name__)
time.sleep(3)" >"$TMPD/few$i" 2>&1 &
	fpids+=($!)
	IT_PIDS+=($!)
done
sleep 2
ok=$(cat "$TMPD"/few* | grep -c '^ok$' || true)
assert_le "$ok" 4 "connections that got a source port (of 4)"
assert_ge "$ok" 1 "connections that got a source port"
for p in "${fpids[@]}"; do wait "$p" || true; done
# tern serves on (those 4 ports now wait in TIME-WAIT, as Linux's would).
out=$(ns_exec "$PY" "$PROXY_CLIENT" raw "$VIP" 7 "$(printf 'hello' | xxd -p)" 2)
assert_match "$out" "hello" "an echo through another frontend after the source ports ran out"
proxy_stop
assert_clean_exit
assert_ge "$(counter ProxyClientTimeouts)" 1 "sessions reset for an idle client"
assert_ge "$(counter ProxyServerTimeouts)" 1 "sessions reset for a backend that never reads"
assert_ge "$(counter TcpExtConnectNoPort)" $((8 - ok)) "connections refused for want of a source port"
pass "idle client, stuck backend and exhausted source ports: counted, no leak"
