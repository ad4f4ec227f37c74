#!/usr/bin/env bash
# An embryo whose SYN,ACK cannot leave gives its backlog slot back at its
# first SYN,ACK timeout (issue 14: 17 spoofed SYNs a second from one address
# that does not answer ARP took port 80 down for a minute). hping3 sends 30
# SYNs a second for 8 s from 198.18.0.77, in tern's subnet but owned by
# nobody, with [tcp] syncookies = never and backlog = 64: each SYN makes an
# embryo whose SYN,ACK waits on ARP. Held for the whole SYN,ACK retry
# schedule (63 s) they would fill the backlog in about 2 s; released after
# the first RTO (1 s) about 30 are held at a time. So the backlog never
# overflows (TcpExtListenOverflows = 0), every embryo is given up as
# unresolved (TcpExtSynAckUnresolved) and a client connecting all along
# always gets in.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

RATE=30
SECS=8
SPOOF=198.18.0.77
ns_create
tern_start "$(svc_conf synack-unresolved "
[tcp]
syncookies = never
backlog = 64")"
ping_until_reply

client_loop "$TMPD/client" 3
# -i u33333: one SYN every 1/30 s, each from the next source port.
ns_exec timeout $((SECS + 20)) hping3 -q -S -p "$HTTP_PORT" -a "$SPOOF" -i u$((1000000 / RATE)) \
	-c $((RATE * SECS)) "$TERN_ADDR" >"$TMPD/hping3.out" 2>&1 || true
client_stop "$TMPD/client"
log "client: $CLIENT_OK connections ok, $CLIENT_BAD failed, slowest connect $CLIENT_MAX ms"
assert_eq "$CLIENT_BAD" 0 "client connections that failed"
assert_gt "$CLIENT_OK" 0 "client connections that succeeded"
# The last embryos reach their first timeout 1 s after their SYN.
wait_counter TcpExtSynAckUnresolved $((RATE * SECS)) 10 || true
tern_stop
assert_clean_exit
assert_eq "$(counter TcpExtListenOverflows)" 0 "TcpExtListenOverflows (SYNs dropped: backlog full)"
assert_eq "$(counter TcpExtSynAckUnresolved)" $((RATE * SECS)) "TcpExtSynAckUnresolved (every spoofed embryo)"
pass
