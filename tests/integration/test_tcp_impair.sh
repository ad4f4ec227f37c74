#!/usr/bin/env bash
# TCP under impairment: 20 ms RTT (rx_delay_ms = tx_delay_ms = 10 in
# [impair.port0]) and 1 % loss in both directions (rx_loss, tx_loss), 64 MiB
# byte-exact through echo, with fast retransmits (TcpExtTCPFastRetrans > 0),
# not only timeouts. The transfer time is logged.
#
# Time: a loss-based sender (tern's CUBIC, or Linux's Reno through
# tern-impair under the same impairment) moves about 0.7-0.9 MB/s here, so
# the 64 MiB take 75-100 s. The transfer may use TERN_IT_TIMEOUT (run.sh's
# per-test limit, default 120 s) less 15 s, at most 150 s; a transfer with no
# progress for 20 s is stopped at once (a stall, not slowness).
# TCP_IMPAIR_MIB changes the size. 5 % loss is test_tcp_loss.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
MiB=$((1 << 20))
SIZE_MIB=${TCP_IMPAIR_MIB:-64}
LIMIT=$(( ${TERN_IT_TIMEOUT:-120} - 15 ))
[ "$LIMIT" -le 150 ] || LIMIT=150
random_file "$TMPD/src" $((SIZE_MIB * MiB))

# echo_through SRC LIMIT NAME: SRC through echo with nc -N within LIMIT s;
# fails on a short, long or different echo. Logs the time.
echo_through() {
	local src=$1 limit=$2 name=$3 rc ms size
	transfer "$src" "$TMPD/echoed" "$limit" 20 ns_exec timeout $((limit + 10)) nc -N "$TERN_ADDR" "$ECHO_PORT"
	rc=$XFER_RC ms=$XFER_MS
	size=$(stat -c %s "$TMPD/echoed")
	log "$name: $((size / MiB)) of $(($(stat -c %s "$src") / MiB)) MiB echoed in $ms ms (nc exit status $rc)"
	tcp_counters_now
	log "$name: $(tcp_summary) PortTxDropFull=$(counter PortTxDropFull) ImpairRxLost=$(counter ImpairRxLost) ImpairTxLost=$(counter ImpairTxLost)"
	[ "$rc" -ne 125 ] || fail "$name: stalled, no byte for 20 s after $size bytes (see the counters above)"
	[ "$rc" -ne 124 ] || fail "$name: not done within $limit s ($size of $(stat -c %s "$src") bytes echoed)"
	assert_eq "$rc" 0 "$name: nc exit status"
	assert_eq "$size" "$(stat -c %s "$src")" "$name: bytes echoed"
	assert_eq "$(sha_file "$TMPD/echoed")" "$(sha_file "$src")" "$name: sha256 of the echo"
	rm -f "$TMPD/echoed"
}

# --- 20 ms RTT, 1 % loss both ways -----------------------------------------------------
tern_start "$(svc_conf delay-loss "
[impair.port0]
seed = 7
rx_delay_ms = 10
tx_delay_ms = 10
rx_loss = 1
tx_loss = 1")"
ping_until_reply 198.18.0.1 20
out=$(ns_exec ping -c 5 -i 0.2 -W 2 "$TERN_ADDR" 2>&1) || true
log "ping through the impairment: $(grep -E 'rtt' <<<"$out")"
echo_through "$TMPD/src" "$LIMIT" "$SIZE_MIB MiB, 20 ms RTT, loss 1 % both ways"
assert_gt "$(counter ImpairRxLost)" 0 "frames lost on receive (ImpairRxLost)"
assert_gt "$(counter ImpairTxLost)" 0 "frames lost on transmit (ImpairTxLost)"
assert_gt "$(counter TcpExtTCPFastRetrans)" 0 "fast retransmits (TcpExtTCPFastRetrans)"
assert_gt "$(counter TcpRetransSegs)" 0 "TcpRetransSegs"
assert_eq "$(counter PortTxDropFull)" 0 "PortTxDropFull"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
