#!/usr/bin/env bash
# The proxy moves bytes exactly: 64 MiB each way through a frontend to an
# echo backend (socat), sha256 compared, with no impairment, then with 1 %
# loss on the client side and on the backend side in turn (tern's own
# impairment layer, both directions of that port); and a 64 MiB download
# from nginx. Every mbuf is back in its pool at exit.
# it-limit: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

MIB=${PROXY_IT_MIB:-64}
SRV=$(backend_addr 1)
random_file "$TMPD/in" $((MIB << 20))
want=$(sha_file "$TMPD/in")
mkdir -p "$TMPD/www"
cp "$TMPD/in" "$TMPD/www/big"

# echo_through IMPAIR_SECTION WHAT: one tern run, the 64 MiB echo, counters checked.
echo_through() {
	local conf out
	conf=$(proxy_conf "$2" "
[frontend.echo]
bind = $VIP:7
backend = echo
[frontend.web]
bind = $VIP:80
backend = web
[backend.echo]
server.e1 = $SRV:7
[backend.web]
server.n1 = $SRV:80
$1")
	proxy_start "$conf" 1
	backend_echo "$SRV" 7
	backend_nginx 80 "$TMPD/www" "$SRV"
	stall_watch "$TMPD/out" "$conf"
	out=$(ns_exec timeout 200 "$PY" "$PROXY_CLIENT" echo "$VIP" 7 "$TMPD/in" "$TMPD/out") ||
		fail "$2: echo client failed: $out"
	stall_unwatch
	log "$2: $out"
	assert_eq "$(sha_file "$TMPD/out")" "$want" "$2: sha256 of $MIB MiB echoed through the proxy"
	if [ "$2" = plain ]; then
		out=$(ns_exec timeout 100 "$PY" "$PROXY_CLIENT" get "$VIP" 80 /big "$TMPD/dl") ||
			fail "download failed: $out"
		assert_eq "$(sha_file "$TMPD/dl")" "$want" "sha256 of $MIB MiB from nginx through the proxy"
	fi
	proxy_stop
	assert_clean_exit
	assert_eq "$(counter ProxyServerAborts)" 0 "$2: server aborts"
	assert_eq "$(counter ProxyClientAborts)" 0 "$2: client aborts"
	ns_delete "$NS"; ns_delete "$NSB"
}

echo_through "" plain
echo_through "[impair.port0]
rx_loss = 1
tx_loss = 1" "client-loss"
assert_gt "$(counter TcpRetransSegs)" 0 "retransmissions with loss on the client side"
echo_through "[impair.port1]
rx_loss = 1
tx_loss = 1" "backend-loss"
assert_gt "$(counter TcpRetransSegs)" 0 "retransmissions with loss on the backend side"
pass "$MIB MiB each way, exact, with and without loss"
