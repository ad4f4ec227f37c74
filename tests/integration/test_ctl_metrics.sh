#!/usr/bin/env bash
# [ctl] metrics: tern (two workers, a frontend, a backend of two nginx
# servers and one that is down) serves /metrics on 127.0.0.1:9469 in its
# namespace. promtool accepts the text; counters, worker, TCP-state, pool,
# proxy and port families are there with the right labels; counters never go
# down across scrapes with load between them; 404, 405, 400 and 505 for bad
# requests, HTTP/1.0 served, a client that half-closes still answered; a
# slow reader gets its answer in parts while another scrape is served; a
# silent client is closed at its deadline and nine of them do not stop a
# scrape from being answered. Then a tern whose metrics address is not
# local logs it and runs on without metrics.
# it-limit: 150
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/proxy_common.sh"

command -v promtool >/dev/null || fail "promtool missing (apt-get install prometheus)"
PROXY_WORKERS=2
MADDR=127.0.0.1:9469
URL=http://$MADDR/metrics
mkdir -p "$TMPD/www"
head -c 1000 /dev/zero >"$TMPD/www/small"

# scrape FILE: GET /metrics into FILE (headers in FILE.h); prints the status.
scrape() { ns_exec curl -sS -m 5 -o "$1" -D "$1.h" -w '%{http_code}' "$URL"; }
# sample FILE SERIES: the value of one series (name and labels as printed), or nothing.
sample() { awk -v s="$2" 'index($0, s " ") == 1 { print $2 }' "$1"; }
# family_sum FILE NAME: the sum of every sample of NAME.
family_sum() { awk -v n="$2" '$1 ~ "^" n "({|$)" { s += $2 } END { print s + 0 }' "$1"; }
# raw REQUEST: the status line tern answers a request written as is (then
# half-closed, as nc -N does: the answer must still come).
raw() {
	ns_exec "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", 9469), timeout=5)
s.sendall(sys.argv[1].encode().decode("unicode_escape").encode("latin-1"))
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
print(data.split(b"\r\n", 1)[0].decode())
EOF
}

conf=$(proxy_conf metrics "
[ctl]
metrics = $MADDR
[frontend.web]
bind = $VIP:80
backend = web
maxconn = 500
[backend.web]
server.n1 = $(backend_addr 1):80
server.n2 = $(backend_addr 2):80
server.n3 = $(backend_addr 3):80
check = tcp
check_interval_ms = 200
rise = 1
fall = 1")
proxy_start "$conf" 3
backend_nginx 80 "$TMPD/www" "$(backend_addr 1)" "$(backend_addr 2)"
wait_log "ctl: metrics at $URL" 5

# --- the first scrape, once the checks have settled -----------------------------
deadline=$((SECONDS + 15))
while :; do
	code=$(scrape "$TMPD/s0") || code=000
	[ "$code" = 200 ] &&
		[ "$(sample "$TMPD/s0" 'tern_proxy_server_up{backend="web",server="n1"}')" = 1 ] &&
		[ "$(sample "$TMPD/s0" 'tern_proxy_server_up{backend="web",server="n2"}')" = 1 ] &&
		[ "$(sample "$TMPD/s0" 'tern_proxy_server_status{backend="web",server="n3",state="DOWN"}')" = 1 ] &&
		# refused (not timed out: the first checks may run before the taps are up)
		[ "$(sample "$TMPD/s0" 'tern_proxy_server_check_status{backend="web",server="n3",check="L4CON"}')" = 1 ] &&
		break
	[ $SECONDS -lt $deadline ] || fail "no scrape with n1, n2 UP and n3 DOWN (L4CON) within 15 s (last: $code)"
	sleep 0.3
done
assert_match "$(cat "$TMPD/s0.h")" '^HTTP/1\.1 200 OK' "status line"
assert_match "$(cat "$TMPD/s0.h")" '^Content-Type: text/plain; version=0\.0\.4' "content type"
promtool check metrics <"$TMPD/s0" || fail "promtool check metrics refused the text (kept in $TMPD/s0)"
log "ok: promtool check metrics: $(wc -l <"$TMPD/s0") lines, $(grep -c '^# TYPE' "$TMPD/s0") families"
for series in 'tern_tcp_in_segs_total{worker="0"}' 'tern_tcp_in_segs_total{worker="1"}' \
	'tern_tcp_curr_estab{worker="1"}' 'tern_eth_in_not_for_tern_total{worker="0"}' \
	'tern_worker_up{worker="1"}' 'tern_worker_loops_total{worker="0"}' \
	'tern_mbuf_pool_in_use{worker="0"}' 'tern_mbuf_pool_size{worker="1"}' \
	'tern_tcp_connections{worker="0",state="LISTEN"}' \
	'tern_tcp_connections{worker="1",state="TIME-WAIT"}' \
	'tern_proxy_frontend_sessions_total{frontend="web"}' \
	'tern_proxy_backend_up{backend="web"}' 'tern_proxy_server_weight{backend="web",server="n1"}' \
	'tern_proxy_server_check_status{backend="web",server="n3",check="L4CON"}' \
	'tern_proxy_server_downtime_seconds_total{backend="web",server="n3"}' \
	'tern_ethdev_rx_packets_total{port="0"}' 'tern_ethdev_tx_bytes_total{port="1"}' \
	'tern_metrics_answers_total{code="200"}'; do
	[ -n "$(sample "$TMPD/s0" "$series")" ] || fail "no sample $series"
done
log "ok: counters, workers, TCP states, pools, proxy rows and ports present"
assert_eq "$(grep -c '^# TYPE tern_tcp_in_segs_total counter$' "$TMPD/s0")" 1 "TcpInSegs typed counter"
assert_eq "$(sample "$TMPD/s0" 'tern_worker_up{worker="0"}')" 1 "worker 0 up"
assert_eq "$(sample "$TMPD/s0" 'tern_proxy_server_up{backend="web",server="n3"}')" 0 "n3 up"
assert_ge "$(sample "$TMPD/s0" 'tern_tcp_connections{worker="0",state="LISTEN"}')" 1 "listeners of worker 0"

# --- load, then a second scrape: no counter went down, the proxy's moved -----------
held=()
for i in 1 2 3 4 5; do # five sessions held open through the proxy during the scrape
	ns_exec bash -c "exec 3<>/dev/tcp/$VIP/80; exec sleep 20" &
	held+=($!)
	IT_PIDS+=($!)
done
out=$(ns_exec ab -n 600 -c 8 "http://$VIP/small" 2>&1) || fail "ab failed: $out"
grep -q '^Failed requests: *0' <<<"$out" || fail "ab saw failures: $(grep -E 'Failed|Non-2xx' <<<"$out")"
[ "$(scrape "$TMPD/s1")" = 200 ] || fail "second scrape not answered 200"
promtool check metrics <"$TMPD/s1" || fail "promtool refused the second scrape"
# Every sample of a counter family in the first scrape, compared with the second's.
awk 'FNR == NR {
		if ($1 == "#" && $2 == "TYPE" && $4 == "counter") counter[$3] = 1
		else if ($1 != "#") { n = $1; sub(/[{].*/, "", n); if (n in counter) v[$1] = $2 }
		next
	}
	$1 != "#" && ($1 in v) {
		seen++
		if ($2 + 0 < v[$1] + 0) { print "went down: " $1 " " v[$1] " -> " $2; bad = 1 }
	}
	END { print "compared " seen " counter samples"; exit bad }' "$TMPD/s0" "$TMPD/s1" ||
	fail "a counter went down between two scrapes"
before=$(sample "$TMPD/s0" 'tern_proxy_frontend_sessions_total{frontend="web"}')
after=$(sample "$TMPD/s1" 'tern_proxy_frontend_sessions_total{frontend="web"}')
assert_ge "$((after - before))" 605 "frontend sessions between the scrapes (ab's 600 and 5 held)"
assert_gt "$(family_sum "$TMPD/s1" tern_tcp_in_segs_total)" "$(family_sum "$TMPD/s0" tern_tcp_in_segs_total)" \
	"TCP segments in, summed over workers"
assert_gt "$(family_sum "$TMPD/s1" tern_proxy_server_bytes_out_total)" 600000 "bytes the servers sent"
estab=$(awk '$1 ~ /^tern_tcp_connections{.*state="ESTAB"}$/ { s += $2 } END { print s + 0 }' "$TMPD/s1")
assert_ge "$estab" 10 "ESTAB connections, both legs of the five held sessions"
assert_ge "$(family_sum "$TMPD/s1" tern_proxy_frontend_current_sessions)" 5 "frontend's current sessions"
kill "${held[@]}" 2>/dev/null || true

# --- what other requests get ------------------------------------------------------
assert_eq "$(ns_exec curl -s -o /dev/null -w '%{http_code}' "http://$MADDR/")" 404 "GET /"
assert_eq "$(ns_exec curl -s -o /dev/null -w '%{http_code}' "http://$MADDR/metricsx")" 404 "GET /metricsx"
assert_eq "$(ns_exec curl -s -o /dev/null -w '%{http_code}' -X POST "$URL")" 405 "POST /metrics"
assert_eq "$(ns_exec curl -s -o /dev/null -w '%{http_code}' -I "$URL")" 405 "HEAD /metrics"
assert_eq "$(raw 'GET /metrics HTTP/1.0\r\n\r\n')" "HTTP/1.1 200 OK" "HTTP/1.0 GET"
assert_eq "$(raw 'GET /metrics HTTP/1.1\r\n\r\n')" "HTTP/1.1 400 Bad Request" "HTTP/1.1 without Host"
assert_eq "$(raw 'hello there\r\n\r\n')" "HTTP/1.1 400 Bad Request" "garbage"
assert_eq "$(raw 'GET /metrics HTTP/1.0\r\nno colon\r\n\r\n')" "HTTP/1.1 400 Bad Request" "bad header"
assert_eq "$(raw 'GET /metrics HTTP/2.0\r\n\r\n')" "HTTP/1.1 505 HTTP Version Not Supported" "HTTP/2.0"

# --- a slow reader: its answer goes out in parts over several polls ---------------
# Send buffers of at most 16 KiB in tern's namespace (instead of autotuning up
# to 4 MiB), so that the kernel takes an answer of ~50 KiB in several writes.
wmem=$(ns_exec sysctl -n net.ipv4.tcp_wmem)
ns_exec sysctl -qw net.ipv4.tcp_wmem="4096 8192 16384"
ns_exec "$PY" - >"$TMPD/slow.out" 2>&1 <<'EOF' &
import re, socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # a small window: tern writes in parts
s.connect(("127.0.0.1", 9469))
s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
time.sleep(2.5)
data = b""
while True:
    d = s.recv(1024)
    if not d:
        break
    data += d
    time.sleep(0.001)
head, body = data.split(b"\r\n\r\n", 1)
print(int(re.search(rb"Content-Length: (\d+)", head).group(1)), len(body))
EOF
slow=$!
IT_PIDS+=("$slow")
sleep 1
sendq=$(ns_exec ss -tnH '( sport = :9469 )' | awk '$1 == "ESTAB" { s += $3 } END { print s + 0 }')
assert_range "$sendq" 1 40000 "bytes of the answer in tern's socket (the rest waits in tern)"
t0=$(now_ms)
[ "$(scrape "$TMPD/s-slow")" = 200 ] || fail "a scrape beside a slow reader was not answered"
log "ok: scrape answered in $(($(now_ms) - t0)) ms beside a slow reader"
wait "$slow" || fail "the slow reader failed: $(cat "$TMPD/slow.out")"
read -r clen blen <"$TMPD/slow.out"
assert_eq "$blen" "$clen" "bytes the slow reader got (its Content-Length)"
assert_gt "$blen" 40000 "size of the answer"
ns_exec sysctl -qw net.ipv4.tcp_wmem="$wmem"

# --- silent clients ---------------------------------------------------------------
# One alone: closed unanswered at its 5 s deadline.
got=$(ns_exec "$PY" -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 9469))
s.settimeout(15)
t = time.time()
print(len(s.recv(100)), round(time.time() - t, 1))')
read -r nbytes secs <<<"$got"
assert_eq "$nbytes" 0 "bytes a silent client got"
assert_range "$secs" 4 8 "seconds until tern closed a silent client"
# Nine at once, more than the eight served: a scrape is still answered.
for i in $(seq 1 9); do
	ns_exec bash -c "exec 3<>/dev/tcp/127.0.0.1/9469; exec sleep 20" &
	IT_PIDS+=($!)
done
sleep 1.5
t0=$(now_ms)
[ "$(scrape "$TMPD/s2")" = 200 ] || fail "a scrape beside nine silent clients was not answered"
log "ok: scrape answered in $(($(now_ms) - t0)) ms beside nine silent clients"
assert_ge "$(sample "$TMPD/s2" 'tern_metrics_clients_dropped_total')" 2 "clients dropped (the lone one, then to make room)"
assert_ge "$(sample "$TMPD/s2" 'tern_metrics_answers_total{code="400"}')" 3 "400s counted"
[ "$(scrape "$TMPD/s3")" = 200 ] || fail "the scrape after was not answered"
tern_alive || fail "tern died"
proxy_stop
assert_clean_exit
if grep -n 'ctl: metrics on' "$TERN_LOG"; then log "(errors above were logged once each)"; fi

# --- a metrics address that is not local: logged, tern runs on without it ------------
conf2=$(tern_conf nolocal "
[ctl]
metrics = $TERN_ADDR:9469
[service.http]
type = http
port = 80")
tern_start "$conf2"
wait_log "cannot listen on $TERN_ADDR:9469: .*tern runs without metrics" 5
assert_eq "$(ns_exec curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$TERN_ADDR/")" 200 \
	"tern's http service without metrics"
tern_stop
assert_clean_exit
pass "promtool-clean scrapes, monotonic counters under load, bad requests refused, silent clients bounded"
