#!/usr/bin/env bash
# Health checks under load: 3 nginx backends, HTTP checks every 200 ms
# (fall 2, rise 2). Stopping one marks it DOWN within fall x interval (with
# margin for a busy machine) and only requests in flight to it fail (at
# most one per client thread); restarting it brings it back after rise
# checks and it takes connections again. A backup server serves only when
# no primary is up.
# it-limit: 120
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

THREADS=8
mkdir -p "$TMPD/www"
conf=$(proxy_conf health "
[frontend.web]
bind = $VIP:80
backend = web
[backend.web]
server.s1 = $(backend_addr 1):80
server.s2 = $(backend_addr 2):80
server.s3 = $(backend_addr 3):80
server.b1 = $(backend_addr 4):80 backup
check = http
check_path = /whoami
check_interval_ms = 200
; a check timing out on a busy machine must not take a server down
check_timeout_ms = 2000
rise = 2
fall = 2")
proxy_start "$conf" 4

# One nginx per server, so one can stop alone.
nginx_one() { # N
	local a f
	a=$(backend_addr "$1")
	f=$TMPD/nginx$1.conf
	cat >"$f" <<EOF2
daemon off;
user root;
worker_processes 1;
pid $TMPD/nginx$1.pid;
error_log $TMPD/nginx$1-error.log warn;
events { worker_connections 4096; }
http { access_log off; server { listen $a:80; location = /whoami { return 200 "$a\n"; } } }
EOF2
	bg_nsb "nginx$1" nginx -c "$f" >/dev/null
	wait_listening "$NSB" "$a" 80
}
# stop_nginx N: nginx N's master (its pid file; `ip netns exec` is not the server itself).
stop_nginx() { kill -TERM "$(cat "$TMPD/nginx$1.pid")"; }
for i in 1 2 3 4; do nginx_one "$i"; done
wait_all_up web s1 s2 s3 b1
downs() { grep -c "server web/$1 is DOWN" "$TERN_LOG" || true; }

ns_exec "$PY" "$PROXY_CLIENT" load "$VIP" 80 $THREADS 8 "$TMPD/load1" >"$TMPD/load1.sum" &
lpid=$!
IT_PIDS+=("$lpid")
sleep 2
d0=$(downs s2)
t_kill=$(now_ms)
stop_nginx 2
deadline=$((SECONDS + 10))
until [ "$(downs s2)" -gt "$d0" ]; do
	[ $SECONDS -lt $deadline ] || fail "s2 not marked DOWN within 10 s"
	sleep 0.05
done
t_down=$(now_ms)
assert_le $((t_down - t_kill)) 3000 "ms from stopping s2 to DOWN (fall 2 x 200 ms, and a busy machine)"
wait "$lpid"
sum=$(cat "$TMPD/load1.sum")
log "load while s2 stopped: $sum"
failed=$(awk '{print $4}' <<<"$sum")
assert_le "$failed" "$THREADS" "failed requests (only those in flight to s2)"
# Half a second after DOWN: requests already on their way may still land. (awk's
# print would write 1.79662e+09, losing the seconds: hence printf.)
after=$(awk -v t="$(awk -v d="$t_down" 'BEGIN { printf "%.3f", d / 1000 + 0.5 }')" \
	'$1 > t && $2 == "'"$(backend_addr 2)"'"' "$TMPD/load1" | wc -l)
assert_eq "$after" 0 "answers from s2 once it was DOWN"
grep -q "$(backend_addr 4)" "$TMPD/load1" && fail "the backup served while primaries were up"

# Back after rise checks.
u0=$(grep -c 'server web/s2 is UP' "$TERN_LOG" || true)
nginx_one 2
deadline=$((SECONDS + 10))
until [ "$(grep -c 'server web/s2 is UP' "$TERN_LOG" || true)" -gt "$u0" ]; do
	[ $SECONDS -lt $deadline ] || fail "s2 not back UP within 10 s of its restart"
	sleep 0.1
done
ns_exec "$PY" "$PROXY_CLIENT" load "$VIP" 80 4 2 "$TMPD/load2" >/dev/null
assert_gt "$(grep -c "$(backend_addr 2)" "$TMPD/load2")" 0 "answers from s2 back UP"

# Every primary down: the backup serves.
d1=$(downs s1) d2=$(downs s2) d3=$(downs s3)
stop_nginx 1
stop_nginx 2
stop_nginx 3
deadline=$((SECONDS + 10))
until [ "$(downs s1)" -gt "$d1" ] && [ "$(downs s2)" -gt "$d2" ] && [ "$(downs s3)" -gt "$d3" ]; do
	[ $SECONDS -lt $deadline ] || fail "primaries not all DOWN within 10 s"
	sleep 0.1
done
sleep 0.5
ns_exec "$PY" "$PROXY_CLIENT" load "$VIP" 80 2 2 "$TMPD/load3" >/dev/null
assert_gt "$(grep -c "$(backend_addr 4)" "$TMPD/load3")" 0 "answers from the backup with every primary down"
assert_eq "$(grep -c FAIL "$TMPD/load3")" 0 "failed requests once the backup took over"
proxy_stop
assert_clean_exit
assert_ge "$(counter ProxyChecks)" 10 "checks run"
pass "DOWN $((t_down - t_kill)) ms after the stop, $failed requests failed, UP again after restart, backup used"
