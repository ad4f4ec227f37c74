#!/usr/bin/env bash
# TCP under impairment: 20 ms RTT (rx_delay_ms = tx_delay_ms = 10 in
# [impair.port0]) and 1 % loss in both directions (rx_loss, tx_loss), 64 MiB
# byte-exact through echo and 64 MiB of GET /bytes/N at the same time, with
# SACK recoveries and fast retransmits, not only timeouts. Times are logged.
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
echo_and_get "$SIZE_MIB MiB, 20 ms RTT, loss 1 % both ways" "$SIZE_MIB" "$LIMIT"
assert_gt "$(counter ImpairRxLost)" 0 "frames lost on receive (ImpairRxLost)"
assert_gt "$(counter ImpairTxLost)" 0 "frames lost on transmit (ImpairTxLost)"
assert_gt "$(counter TcpExtTCPFastRetrans)" 0 "fast retransmits (TcpExtTCPFastRetrans)"
assert_gt "$(counter TcpExtTCPSackRecovery)" 0 "SACK recoveries (TcpExtTCPSackRecovery)"
assert_gt "$(counter TcpRetransSegs)" 0 "TcpRetransSegs"
assert_eq "$(counter PortTxDropFull)" 0 "PortTxDropFull"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
