#!/usr/bin/env bash
# Closing through the proxy: half-close both ways (a client that shuts down
# its write side after a request still gets the whole answer; a backend
# that closes first still receives what the client sends after), and resets
# both ways (a backend killed mid-transfer resets the client within 1 s; a
# client's RST reaches the backend).
# it-limit: 120
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

SRV=$(backend_addr 1)
mkdir -p "$TMPD/www"
random_file "$TMPD/www/file" $((1 << 20))
conf=$(proxy_conf close "
[frontend.web]
bind = $VIP:80
backend = web
[frontend.half]
bind = $VIP:81
backend = half
[frontend.echo]
bind = $VIP:7
backend = echo
[frontend.watch]
bind = $VIP:82
backend = watch
[backend.web]
server.w = $SRV:80
[backend.half]
server.h = $SRV:81
[backend.echo]
server.e = $SRV:7
[backend.watch]
server.r = $SRV:82")
proxy_start "$conf" 1
backend_http "$SRV" 80 "$TMPD/www"
bg_nsb half "$PY" "$PROXY_CLIENT" halfclose-server "$SRV" 81 "$TMPD/half.out" >/dev/null
bg_nsb watch "$PY" "$PROXY_CLIENT" reset-watch "$SRV" 82 "$TMPD/watch.out" >/dev/null
backend_echo "$SRV" 7
wait_listening "$NSB" "$SRV" 81
wait_listening "$NSB" "$SRV" 82

# The client half-closes after its request (HTTP/1.0 to python's http.server).
out=$(ns_exec "$PY" "$PROXY_CLIENT" get-shut "$VIP" 80 /file "$TMPD/got") || fail "get-shut: $out"
assert_match "$out" "status 200" "answer to a half-closing client"
assert_eq "$(sha_file "$TMPD/got")" "$(sha_file "$TMPD/www/file")" "sha256 of the 1 MiB answer"

# The backend half-closes first: what the client sends afterwards still arrives.
out=$(ns_exec "$PY" "$PROXY_CLIENT" halfclose-client "$VIP" 81 300000 500000) || fail "halfclose: $out"
assert_eq "$out" "received 300000 then sent 500000" "client side of the backend's half-close"
deadline=$((SECONDS + 10))
until [ -s "$TMPD/half.out" ]; do [ $SECONDS -lt $deadline ] || fail "backend never finished"; sleep 0.1; done
assert_eq "$(cat "$TMPD/half.out")" "got 500000" "bytes the half-closed backend received after its FIN"

# A backend killed mid-transfer (unread data: its kernel resets) resets the client.
ns_exec "$PY" "$PROXY_CLIENT" wait-reset "$VIP" 7 >"$TMPD/reset.out" &
cpid=$!
IT_PIDS+=("$cpid")
sleep 1
t_kill=$(date +%s.%N)
nsb_exec pkill -KILL -x socat || fail "no echo process to kill"
wait "$cpid" || true
out=$(cat "$TMPD/reset.out")
assert_match "$out" "^reset at" "the client of a killed backend"
delay=$(awk -v k="$t_kill" -v r="$(awk '{print $3}' <<<"$out")" 'BEGIN { printf "%.3f", r - k }')
assert_le "$delay" 1.0 "seconds from the backend's death to the client's reset"

# A client's reset reaches the backend.
ns_exec "$PY" "$PROXY_CLIENT" reset-after "$VIP" 82 10000 >/dev/null || fail "reset-after failed"
deadline=$((SECONDS + 5))
until [ -s "$TMPD/watch.out" ]; do [ $SECONDS -lt $deadline ] || fail "the backend saw no end"; sleep 0.1; done
assert_match "$(cat "$TMPD/watch.out")" "^reset at" "what the backend saw of the client's reset"

proxy_stop
assert_clean_exit
assert_ge "$(counter ProxyServerAborts)" 1 "sessions ended by a server's reset"
assert_ge "$(counter ProxyClientAborts)" 1 "sessions ended by a client's reset"
pass "half-close both ways, resets both ways ($delay s)"
