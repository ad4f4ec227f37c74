#!/usr/bin/env bash
# TCP to a closed port: Linux's connect() is refused at once, 20 times in a
# row, and each reply follows RFC 9293's CLOSED-state rules (checked with scapy).
source "$(dirname "$0")/lib.sh"

ns_create
tern_start "$(tern_conf closed)"

for i in $(seq 1 20); do
	t0=$(now_ms)
	out=$(ns_exec timeout 10 nc -v -z -w 3 "$TERN_ADDR" 80 2>&1) && rc=0 || rc=$?
	ms=$(($(now_ms) - t0))
	[ "$rc" -ne 0 ] || fail "nc #$i to closed port 80 succeeded: $out"
	grep -q 'Connection refused' <<<"$out" || fail "nc #$i: expected 'Connection refused', got: $out"
	# A RST arrives in well under a millisecond; 1 s means Linux had to
	# retransmit its SYN (the first RST was lost or never sent).
	[ "$ms" -lt 1000 ] || fail "nc #$i took $ms ms to be refused"
	max_ms=$((ms > ${max_ms:-0} ? ms : ${max_ms:-0}))
done
log "ok: 20 connects refused, slowest in $max_ms ms"

counters_now
in0=$(counter TcpInClosedPort)
rst0=$(counter TcpOutRsts)
assert_ge "$in0" 20 "TcpInClosedPort after 20 refused connects"
assert_ge "$rst0" 20 "TcpOutRsts after 20 refused connects"

ns_exec timeout 30 "$PY" "$IT_DIR/tcp_rst.py" "$TAP" "$TERN_MAC" || fail "scapy RST checks failed"

tern_stop
# The scapy checks sent 5 segments that get a RST (each retried if its reply
# went missing) and 2 RSTs that get nothing.
assert_ge "$(($(counter TcpInClosedPort) - in0))" 7 "TcpInClosedPort for the scapy segments"
assert_ge "$(($(counter TcpOutRsts) - rst0))" 5 "TcpOutRsts for the scapy segments"
assert_eq "$(($(counter TcpInClosedPort) - $(counter TcpOutRsts) - in0 + rst0))" 2 \
	"segments answered with nothing (the two RSTs)"
assert_eq "$(counter TcpInErrs)" 0 "TcpInErrs"
assert_clean_exit

# --- UDP: port unreachable, rate limited ([icmp] error_rate / error_burst) ---
# 30 datagrams in well under a second against a bucket of 5 tokens refilled
# at 2 per second: 5 to 7 errors go out, the rest are counted as limited,
# and Linux accepts every error tern sends (checksum and quote valid).
linux_unreach() {
	ns_exec awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) f[$i] = i; h = 1 } else print $f["InDestUnreachs"] }' /proc/net/snmp
}
tern_start "$(tern_conf udp "
[icmp]
error_rate = 2
error_burst = 5")"
ping_until_reply # both sides know each other's MAC: nothing waits for ARP
u0=$(linux_unreach)
ns_exec timeout 30 "$PY" - "$TAP" "$TERN_MAC" <<'PY' || fail "scapy UDP burst failed"
import sys
from scapy.all import IP, UDP, Ether, conf, sendp
conf.verb = 0
sendp([Ether(dst=sys.argv[2]) / IP(src="198.18.0.2", dst="198.18.0.1") /
       UDP(sport=40000 + i, dport=9999) / b"tern" for i in range(30)], iface=sys.argv[1])
PY
sleep 0.5
tern_stop
assert_clean_exit
sent=$(counter IcmpOutDestUnreachs)
assert_range "$sent" 5 7 "IcmpOutDestUnreachs (burst 5, 2/s)"
assert_eq "$((sent + $(counter IcmpOutRateLimited)))" 30 "unreachables sent + rate limited"
assert_eq "$(counter IpInUnknownProtos)" 30 "IpInUnknownProtos (UDP has no sockets)"
assert_eq "$(($(linux_unreach) - u0))" "$sent" "port unreachables Linux accepted"
pass
