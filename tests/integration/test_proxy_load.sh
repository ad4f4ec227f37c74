#!/usr/bin/env bash
# 1000 concurrent clients (wrk, keep-alive) for 30 s through one frontend
# to 3 nginx backends, round-robin: no failed request, no socket error, the
# load spread over the three, and every mbuf back in its pool at exit.
# (wrk's timeout is generous: on a busy machine a request may wait out a
# few RTOs, and only one that never gets its answer is a failure.)
# it-limit: 150
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

SECS=${PROXY_IT_SECS:-30}
CONNS=${PROXY_IT_CONNS:-1000}
mkdir -p "$TMPD/www"
head -c 1000 /dev/zero >"$TMPD/www/small"
conf=$(proxy_conf load "
[frontend.web]
bind = $VIP:80
backend = web
maxconn = 20000
[backend.web]
server.n1 = $(backend_addr 1):80
server.n2 = $(backend_addr 2):80
server.n3 = $(backend_addr 3):80")
proxy_start "$conf" 3
backend_nginx 80 "$TMPD/www" "$(backend_addr 1)" "$(backend_addr 2)" "$(backend_addr 3)"
ns_exec ping -c 1 -W 2 "$VIP" >/dev/null || fail "the VIP does not answer ping"

out=$(ns_exec bash -c "ulimit -n 65536; wrk -t 2 -c $CONNS -d ${SECS}s --timeout 30s http://$VIP/small" 2>&1) ||
	fail "wrk failed: $out"
echo "$out"
reqs=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
assert_gt "$reqs" 1000 "requests answered"
grep -q 'Socket errors' <<<"$out" && fail "wrk saw socket errors: $(grep 'Socket errors' <<<"$out")"
grep -q 'Non-2xx' <<<"$out" && fail "wrk saw failed answers: $(grep 'Non-2xx' <<<"$out")"
counters_now
for s in n1 n2 n3; do
	assert_gt "$(proxy_field "web/$s" stot)" 100 "connections to $s"
done
proxy_stop
assert_clean_exit
assert_ge "$(counter ProxySessions)" "$CONNS" "sessions (one per wrk connection, and wrk's first probe)"
assert_eq "$(counter ProxyConnectFailures)" 0 "failed connections to servers"
pass "$reqs requests from $CONNS connections in ${SECS}s, none failed"
