#!/usr/bin/env bash
# The PROXY protocol with real peers: tern sends v1 to nginx (listen ...
# proxy_protocol) and v2 to haproxy (bind ... accept-proxy), which answer
# the client address they read from it; tern accepts v1 from a load
# balancer in front and passes the original client on; checks carry a
# LOCAL header when asked (nginx refuses connections without one); a
# malformed header is reset and counted.
# it-limit: 90
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

SRV=$(backend_addr 1)
conf=$(proxy_conf pp "
[frontend.v1]
bind = $VIP:81
backend = nginx
[frontend.v2]
bind = $VIP:82
backend = haproxy
[frontend.lb]
bind = $VIP:83
backend = haproxy
accept_proxy = v1
[backend.nginx]
server.n = $SRV:8081
send_proxy = v1
check = http
check_path = /whoami
check_interval_ms = 200
; a check timing out on a busy machine must not take a server down
check_timeout_ms = 2000
check_send_proxy = yes
[backend.haproxy]
server.h = $SRV:8082
send_proxy = v2")
proxy_start "$conf" 1

cat >"$TMPD/nginx.conf" <<EOF2
daemon off;
user root;
worker_processes 1;
pid $TMPD/nginx.pid;
error_log $TMPD/nginx-error.log warn;
events { worker_connections 1024; }
http { access_log off; server { listen $SRV:8081 proxy_protocol;
  location = /whoami { return 200 "\$proxy_protocol_addr:\$proxy_protocol_port\n"; } } }
EOF2
bg_nsb nginx nginx -c "$TMPD/nginx.conf" >/dev/null
cat >"$TMPD/haproxy.cfg" <<EOF2
global
  log stdout format raw local0 info
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend f
  bind $SRV:8082 accept-proxy
  http-request return status 200 content-type text/plain lf-string "%[src]:%[src_port]\n"
EOF2
bg_nsb haproxy haproxy -db -f "$TMPD/haproxy.cfg" >/dev/null
wait_listening "$NSB" "$SRV" 8081
wait_listening "$NSB" "$SRV" 8082

whoami() { # PORT: the client address the backend read, as ADDR:PORT
	ns_exec "$PY" "$PROXY_CLIENT" get "$VIP" "$1" /whoami "$TMPD/who" >/dev/null || fail "GET via $1"
	cat "$TMPD/who"
}
who=$(whoami 81)
assert_match "$who" "^198\.18\.0\.2:[0-9]+$" "client address nginx read from tern's v1 header"
who=$(whoami 82)
assert_match "$who" "^198\.18\.0\.2:[0-9]+$" "client address haproxy read from tern's v2 header"

# A load balancer in front: its v1 header's client goes on to the backend.
hdr=$(printf 'PROXY TCP4 203.0.113.7 198.18.0.10 1111 83\r\nGET /whoami HTTP/1.0\r\nHost: x\r\n\r\n' | xxd -p | tr -d '\n')
out=$(ns_exec "$PY" "$PROXY_CLIENT" raw "$VIP" 83 "$hdr")
assert_match "$out" "203\.0\.113\.7:1111" "the original client, through two PROXY headers"

# Garbage where a header must be: reset, counted.
out=$(ns_exec "$PY" "$PROXY_CLIENT" raw "$VIP" 83 "$(printf 'HELLO WORLD\r\n' | xxd -p)")
assert_match "$out" "^reset" "a client without a PROXY header"
out=$(ns_exec "$PY" "$PROXY_CLIENT" raw "$VIP" 83 "$(printf 'PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n' | xxd -p)")
assert_match "$out" "^reset" "a PROXY header with port 99999"

# The checks pass: with their LOCAL header nginx answers them. (They began
# before nginx and the tap were up: the server may have gone DOWN first and
# comes back after rise good checks.)
wait_all_up nginx n
assert_match "$(proxy_row nginx/n)" "L7OK 200" "nginx's answer to the last check (a LOCAL header)"
proxy_stop
assert_clean_exit
assert_eq "$(counter ProxyBadProxyHeader)" 2 "malformed PROXY headers"
pass "v1 to nginx, v2 to haproxy, v1 accepted from a balancer, bad headers reset"
