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
# The scapy checks sent one SYN, one ACK and two RSTs (each possibly retried).
assert_ge "$(($(counter TcpInClosedPort) - in0))" 4 "TcpInClosedPort for the scapy segments"
assert_ge "$(($(counter TcpOutRsts) - rst0))" 2 "TcpOutRsts for the scapy SYN and ACK"
assert_eq "$(($(counter TcpInClosedPort) - $(counter TcpOutRsts) - in0 + rst0))" 2 \
	"segments answered with nothing (the two RSTs)"
assert_eq "$(counter TcpInErrs)" 0 "TcpInErrs"
assert_clean_exit
pass
