#!/usr/bin/env bash
# Loss, byte-exact through echo:
#   (0) 4 MiB with 2 % loss of the frames tern receives: tern then has data
#       out of order and its data segments carry SACK blocks; every frame
#       must still fit the MTU (the port refuses a larger one: PortTxDropFull
#       stays 0, no retransmission of our own making);
#   (1) 5 % loss in both directions, 16 MiB:
#       Linux -> tern: tern's [impair.port0] rx_loss = 5;
#       tern -> Linux: nftables on the Linux side of the tap (netdev ingress
#       hook, "numgen random mod 100 < 5 drop" for TCP from tern), so Linux's
#       TCP never sees those frames, as on a lossy wire.
#       (An nftables drop on Linux's own output is no wire loss: Linux's TCP
#       is told and sends again at once, so Linux -> tern loss comes from
#       tern's rx_loss.) Counters must show fast retransmits, not only
#       timeouts.
# A transfer with no progress for 20 s is stopped at once and reported as a
# stall with tern's counters. Times are logged.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

command -v nft >/dev/null || fail "nft (nftables) is needed"
ns_create
MiB=$((1 << 20))
random_file "$TMPD/src" $((16 * MiB))
head -c $((4 * MiB)) "$TMPD/src" >"$TMPD/src4"

# --- (0) loss of received frames: SACK blocks on data segments --------------------
tern_start "$(svc_conf sack "
[impair.port0]
seed = 11
rx_loss = 2")"
ping_until_reply "$TERN_ADDR" 20
transfer "$TMPD/src4" "$TMPD/echoed" 30 20 ns_exec timeout 40 nc -N "$TERN_ADDR" "$ECHO_PORT"
tcp_counters_now
log "(0) 4 MiB with rx_loss 2 %: $(($(stat -c %s "$TMPD/echoed") / MiB)) MiB echoed in $XFER_MS ms (status $XFER_RC)"
log "(0) $(tcp_summary) PortTxDropFull=$(counter PortTxDropFull) ImpairRxLost=$(counter ImpairRxLost)"
[ "$XFER_RC" -ne 125 ] || fail "(0) 4 MiB echo stalled: no byte for 20 s (see the counters above)"
assert_eq "$XFER_RC" 0 "(0) nc exit status"
assert_eq "$(sha_file "$TMPD/echoed")" "$(sha_file "$TMPD/src4")" "(0) sha256 of the 4 MiB echo"
assert_gt "$(counter TcpExtTCPOFOQueue)" 0 "(0) segments tern queued out of order (so it sent SACK blocks)"
# A full-MSS segment plus SACK blocks is larger than the MTU: the port
# refuses it, which shows as PortTxDropFull (and as retransmissions).
assert_eq "$(counter PortTxDropFull)" 0 "(0) PortTxDropFull (frames the port refused)"
assert_eq "$(counter MbufAllocFailed)" 0 "(0) MbufAllocFailed"
rm -f "$TMPD/echoed"
assert_estab_zero 10
tern_stop
assert_clean_exit

# --- (1) 5 % loss both ways, 16 MiB -----------------------------------------------------
tern_start "$(svc_conf loss5 "
[impair.port0]
seed = 5
rx_loss = 5")"
ns_exec nft -f - <<EOF || fail "cannot load the nftables loss rule"
table netdev tern_it_loss {
	chain ingress {
		type filter hook ingress device "$TAP" priority 0; policy accept;
		ip saddr $TERN_ADDR ip protocol tcp numgen random mod 100 < 5 counter drop
	}
}
EOF
ping_until_reply "$TERN_ADDR" 20
debug_capture loss5

# At most 80 s; a transfer that makes no progress for 20 s is stopped at once.
transfer "$TMPD/src" "$TMPD/echoed" 80 20 ns_exec timeout 90 nc -N "$TERN_ADDR" "$ECHO_PORT"
rc=$XFER_RC ms=$XFER_MS
size=$(stat -c %s "$TMPD/echoed")
nft_drops=$(ns_exec nft list chain netdev tern_it_loss ingress | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
tcp_counters_now
log "(1) 16 MiB at 5 % loss both ways: $((size / MiB)) MiB echoed in $ms ms (nc exit status $rc)"
log "$(tcp_summary) PortTxDropFull=$(counter PortTxDropFull) ImpairRxLost=$(counter ImpairRxLost) nft drops=$nft_drops"
[ "$rc" -ne 125 ] || fail "16 MiB echo stalled: no byte for 20 s after $size bytes (see the counters above)"
[ "$rc" -ne 124 ] || fail "16 MiB echo not done within 80 s ($size bytes echoed)"
assert_eq "$rc" 0 "nc exit status"
assert_eq "$size" $((16 * MiB)) "bytes echoed"
assert_eq "$(sha_file "$TMPD/echoed")" "$(sha_file "$TMPD/src")" "sha256 of the 16 MiB echo"
assert_gt "$nft_drops" 0 "tern -> Linux frames dropped by nftables"
assert_gt "$(counter ImpairRxLost)" 0 "Linux -> tern frames dropped by rx_loss"
assert_gt "$(counter TcpExtTCPFastRetrans)" 0 "fast retransmits (TcpExtTCPFastRetrans)"
assert_gt "$(counter TcpRetransSegs)" 0 "TcpRetransSegs"
assert_eq "$(counter PortTxDropFull)" 0 "PortTxDropFull (frames the port refused)"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
