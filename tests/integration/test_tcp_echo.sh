#!/usr/bin/env bash
# echo (RFC 862) and discard (RFC 863) against Linux peers: 64 MiB of random
# bytes through echo with nc -N (sha256 equal), 64 MiB to discard (the
# sender's close completes, tern counted the segments), and half-close: the
# client's FIN goes before the end of the echo (held back by the client's
# window until the FIN is acknowledged), which still arrives whole (also
# checked on the wire).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
tern_start "$(svc_conf echo)"
ping_until_reply
MiB=$((1 << 20))
random_file "$TMPD/src64" $((64 * MiB))
src_sha=$(sha_file "$TMPD/src64")

# --- 64 MiB through echo with nc -N -----------------------------------------------
t0=$(now_ms)
rc=0
ns_exec timeout 60 nc -N "$TERN_ADDR" "$ECHO_PORT" <"$TMPD/src64" >"$TMPD/echo64" || rc=$?
ms=$(ms_since "$t0")
log "64 MiB echo with nc -N: $ms ms, exit status $rc"
assert_eq "$rc" 0 "nc -N exit status (echo)"
assert_eq "$(stat -c %s "$TMPD/echo64")" $((64 * MiB)) "bytes echoed"
assert_eq "$(sha_file "$TMPD/echo64")" "$src_sha" "sha256 of the 64 MiB echo"
rm -f "$TMPD/echo64"

# --- 64 MiB to discard ----------------------------------------------------------------
tcp_counters_now
in0=$(counter TcpInSegs)
t0=$(now_ms)
rc=0
out=$(ns_exec timeout 60 nc -N "$TERN_ADDR" "$DISCARD_PORT" <"$TMPD/src64" 2>"$TMPD/nc.err") || rc=$?
ms=$(ms_since "$t0")
log "64 MiB to discard with nc -N: $ms ms, exit status $rc"
assert_eq "$rc" 0 "nc -N exit status (discard)"
assert_eq "$(printf '%s' "$out" | wc -c)" 0 "bytes that discard sent back"
tcp_counters_now
segs=$(($(counter TcpInSegs) - in0))
# At most 1448 payload bytes per segment (MSS 1460 less 12 for timestamps).
assert_ge "$segs" $((64 * MiB / 1460)) "TcpInSegs during the 64 MiB upload"
# Everything acknowledged: Linux has nothing left unsent or unacknowledged.
assert_eq "$(ns_exec ss -Htn "dport = :$DISCARD_PORT" | awk '$2 > 0 || $3 > 0' | wc -l)" 0 \
	"Linux sockets to discard with queued bytes"

# --- half-close, seen on the wire ----------------------------------------------------------
# Held by construction, not by timing: the python client sends 256 KiB with a
# 4 KiB receive buffer it does not read, shuts down its write side and waits
# until tern acknowledged the FIN; only then does it read the echo. Flow
# control holds what did not fit in that buffer at tern until then, so most
# of the echo arrives after Linux's FIN (256 KiB fits in tern's send and
# receive buffers, so neither side waits on the other before the FIN).
half=$((256 * 1024))
random_file "$TMPD/src-half" "$half"
capture_start "$TMPD/half.pcap" "tcp port $ECHO_PORT"
out=$(pyc half-close "$TERN_ADDR" "$ECHO_PORT" "$TMPD/src-half") || fail "half-close client: $out"
capture_stop
log "half-close echo: $out"
assert_match "$out" "sent=$half got=$half .*sha=$(sha_file "$TMPD/src-half")" \
	"256 KiB echoed whole after the client's half-close"
after=$(printf '%s\n' "$out" | sed -n 's/.*after_fin=\([0-9]*\).*/\1/p')
assert_ge "${after:-0}" $((half / 2)) "echo bytes that arrived after tern acknowledged the FIN"
# Packet numbers (in the capture) of Linux's FIN, of the first transmission
# of tern's last data byte (a tail loss probe may send the end again later)
# and of tern's first FIN.
tcpdump -nn -r "$TMPD/half.pcap" 2>/dev/null >"$TMPD/half.txt" || true
fin_at=$(awk -v l="$LINUX_ADDR" -v t="$TERN_ADDR" -v p="$ECHO_PORT" '
	index($0, " " l ".") && index($0, " > " t "." p ": Flags [F") { print NR; exit }' "$TMPD/half.txt")
last_data=$(awk -v t="$TERN_ADDR" -v p="$ECHO_PORT" '
	index($0, " " t "." p " > ") && match($0, /seq [0-9]+:[0-9]+/) {
		split(substr($0, RSTART + 4, RLENGTH - 4), r, ":")
		if (r[2] + 0 > max) { max = r[2] + 0; at = NR }
	}
	END { if (at) print at }' "$TMPD/half.txt")
tern_fin=$(awk -v t="$TERN_ADDR" -v p="$ECHO_PORT" '
	index($0, " " t "." p " > ") && index($0, "Flags [F") { print NR; exit }' "$TMPD/half.txt")
[ -n "$fin_at" ] && [ -n "$last_data" ] && [ -n "$tern_fin" ] ||
	fail "capture $TMPD/half.pcap lacks Linux's FIN ('$fin_at'), tern's data ('$last_data') or tern's FIN ('$tern_fin')"
assert_lt "$fin_at" "$last_data" "packet of Linux's FIN before the one with tern's last data byte"
assert_ge "$tern_fin" "$last_data" "tern's first FIN not before its last data byte"

# Small half-close with nc -N: the whole echo comes back after stdin's EOF.
for i in 1 2 3 4 5; do
	out=$(printf 'half-close %d\n' "$i" | ns_exec timeout 10 nc -N "$TERN_ADDR" "$ECHO_PORT") || true
	assert_eq "$out" "half-close $i" "nc -N small echo $i"
done

tcp_counters_now
log "$(tcp_summary)"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
