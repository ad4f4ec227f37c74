#!/usr/bin/env bash
# ECN (RFC 3168) on the wire with Linux peers (net.ipv4.tcp_ecn = 1 in the
# namespaces, so Linux asks for ECN on its SYNs and agrees to it).
#   1. tern as server: 64 MiB through echo and 64 MiB of GET at 20 ms RTT,
#      with tern's impairment layer marking ECT frames CE (instead of
#      dropping them) while its delay queue holds 64 frames or more, in
#      both directions. Byte-exact (sha256); tern sent ECT(0) and reduced
#      its window on Linux's ECE, Linux saw tern's CE marks as CE and tern
#      echoed the marks on Linux's data; nothing was lost, nothing resent.
#   2. tern as client: the proxy with [tcp] ecn = on opens ECN connections
#      to a Linux backend (socat), 16 MiB echoed byte-exact with the
#      backend side marking.
#   3. [tcp] ecn = off: Linux's ECN-setup SYN is declined, nothing is ECT.
# it-limit: 240
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

MARK_KEYS='rx_delay_ms = 10
tx_delay_ms = 10
rx_ce_threshold = 64
tx_ce_threshold = 64'

# linux_stat NS NAME: an nstat counter of namespace NS (absolute, history untouched).
linux_stat() {
	local v
	v=$(ip netns exec "$1" nstat -asz "$2" | awk -v n="$2" '$1 == n { print $2 }')
	echo "${v:-0}"
}

ecn_on_linux() { ip netns exec "$1" sysctl -qw net.ipv4.tcp_ecn=1; }

# --- 1. tern as server ---------------------------------------------------------------------
ns_create
ecn_on_linux "$NS"
tern_start "$(svc_conf server "
[impair.port0]
$MARK_KEYS")"
ping_until_reply "$TERN_ADDR" 20
echo_and_get "64 MiB each way, 20 ms RTT, CE marking both ways" 64 150
assert_ge "$(counter TcpExtTCPECNNegotiated)" 2 "ECN connections (TcpExtTCPECNNegotiated)"
assert_gt "$(counter ImpairTxCeMarked)" 0 "tern's frames marked CE (ImpairTxCeMarked)"
assert_gt "$(counter ImpairRxCeMarked)" 0 "Linux's frames marked CE (ImpairRxCeMarked)"
assert_gt "$(counter TcpExtTCPECNReductions)" 0 "tern's window reductions on Linux's ECE"
assert_gt "$(counter TcpExtTCPECNCEEchoed)" 0 "CE-marked data echoed by tern"
assert_gt "$(counter IpExtInECT0Pkts)" 0 "ECT(0) datagrams from Linux"
assert_eq "$(counter IpExtInCEPkts)" "$(counter ImpairRxCeMarked)" "every CE mark made on receive reached TCP"
assert_eq "$(counter ImpairRxQueueFull)" 0 "receive delay queue drops"
assert_eq "$(counter ImpairTxQueueFull)" 0 "transmit delay queue drops"
log "tern: TcpRetransSegs=$(counter TcpRetransSegs) TcpExtTCPDeliveredCE=$(counter TcpExtTCPDeliveredCE)" \
	"IpExtInNoECTPkts=$(counter IpExtInNoECTPkts)"
assert_gt "$(linux_stat "$NS" IpExtInCEPkts)" 0 "Linux received tern's CE-marked data (IpExtInCEPkts)"
assert_gt "$(linux_stat "$NS" IpExtInECT0Pkts)" 0 "Linux received ECT(0) data from tern"
assert_gt "$(linux_stat "$NS" TcpExtTCPDeliveredCE)" 0 "Linux saw tern's ECN-Echo (TcpExtTCPDeliveredCE)"
assert_estab_zero 10
tern_stop
assert_clean_exit
ns_delete "$NS"

# --- 2. tern as client: the proxy's backend connections ----------------------------------------
SRV=$(backend_addr 1)
random_file "$TMPD/in" $((16 << 20))
conf=$(proxy_conf proxy "
[tcp]
ecn = on
[frontend.echo]
bind = $VIP:7
backend = echo
[backend.echo]
server.e1 = $SRV:7
[impair.port1]
$MARK_KEYS")
proxy_start "$conf" 1
ecn_on_linux "$NS"
ecn_on_linux "$NSB"
backend_echo "$SRV" 7
out=$(ns_exec timeout 100 "$PY" "$PROXY_CLIENT" echo "$VIP" 7 "$TMPD/in" "$TMPD/out") ||
	fail "echo through the proxy failed: $out"
log "proxy: $out"
assert_eq "$(sha_file "$TMPD/out")" "$(sha_file "$TMPD/in")" "sha256 of 16 MiB echoed through the proxy"
proxy_stop
assert_clean_exit
assert_eq "$(counter TcpExtTCPECNNegotiated)" 2 "ECN on both legs (client's SYN asked, tern's SYN asked)"
assert_gt "$(counter ImpairTxCeMarked)" 0 "frames to the backend marked CE"
assert_gt "$(counter TcpExtTCPECNReductions)" 0 "reductions on the backend's ECE"
assert_gt "$(linux_stat "$NSB" IpExtInECT0Pkts)" 0 "the backend received ECT(0) data from tern"
ns_delete "$NS"
ns_delete "$NSB"

# --- 3. [tcp] ecn = off ------------------------------------------------------------------
ns_create
ecn_on_linux "$NS"
tern_start "$(svc_conf off "
[tcp]
ecn = off")"
ping_until_reply "$TERN_ADDR" 20
out=$(ns_exec curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://$TERN_ADDR:$HTTP_PORT/bytes/1000000") ||
	fail "GET with ecn = off failed: $out"
assert_eq "$out" 200 "GET with ecn = off"
tcp_counters_now
assert_eq "$(counter TcpExtTCPECNNegotiated)" 0 "ECN connections with ecn = off"
assert_eq "$(counter IpExtInECT0Pkts)" 0 "ECT(0) datagrams from Linux once declined"
assert_eq "$(linux_stat "$NS" IpExtInECT0Pkts)" 0 "ECT(0) datagrams from tern once declined"
tern_stop
assert_clean_exit
pass
