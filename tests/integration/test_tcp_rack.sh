#!/usr/bin/env bash
# RACK against Linux on a long path that reorders: 100 ms RTT (50 ms each
# way in tern's impairment layer) with 1 % of frames held back 5 ms in
# each direction, no loss. Echo (Linux -> tern -> Linux) and GET /bytes/N
# (tern -> Linux) of 64 MiB each run side by side, byte-exact.
# tern must see the reordering (TcpExtTCPSACKReorder: data it never resent
# delivered below data delivered before, RFC 8985 §6.2 step 2) and, once
# it has, wait a reordering window instead of counting duplicates: the
# segments it resent for nothing, which Linux reports as D-SACKs, stay far
# below the frames held back on the way to Linux (with DupThresh alone
# nearly every held-back frame was overtaken by three or more). The bound
# is generous: a quarter of the held-back frames.
# The worker's pool is doubled (mbufs = 32768): at 100 ms the impairment
# layer's delay lines hold about 3 000 of tern's own mbufs, and with two
# autotuned transfers the default 16 384 run short (MbufAllocFailed: sends
# wait for mbufs, nothing is lost, but this test wants none).
# Then the same path with CE marking as well (Linux with tcp_ecn = 1, so
# both ends ask for ECN): tern's impairment layer marks ECT frames CE
# while a delay queue holds 400 frames or more; 16 MiB each way
# byte-exact, and tern reduced its window on Linux's ECE. Smaller because
# this is slow: the queue counts the ACKs of the other direction's
# transfer too, so tern's data is marked about once a second, and CUBIC
# at 100 ms takes seconds to regain a 0.7 reduction (64 MiB took 65-75 s
# at about 8 Mbit/s per transfer).
# Then, on the same path, a 64 MiB GET alone, byte-exact, with CE marks
# and reductions during it: with only tern's data in the queue toward
# Linux its window settles near the 400-frame threshold.
# TCP_RACK_MIB, TCP_RACK_CE_MIB and TCP_RACK_CE_GET_MIB change the sizes
# (default 64, 16 and 64).
# it-limit: 240
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
TERN_KEYS="mbufs = 32768"
PATH_KEYS="rx_delay_ms = 50
tx_delay_ms = 50
rx_reorder = 1
tx_reorder = 1
rx_reorder_gap_ms = 5
tx_reorder_gap_ms = 5"
impaired_echo_and_get rack "100 ms RTT + reorder 1 %" "${TCP_RACK_MIB:-64}" "seed = 7
$PATH_KEYS"
held=$(counter ImpairTxReordered)
log "rack: MbufAllocFailed=$(counter MbufAllocFailed) ImpairTxReordered=$held ImpairRxReordered=$(counter ImpairRxReordered)" \
	"TcpExtTCPSACKReorder=$(counter TcpExtTCPSACKReorder) TcpExtTCPRACKReoTimeout=$(counter TcpExtTCPRACKReoTimeout)" \
	"TcpRetransSegs=$(counter TcpRetransSegs)"
assert_gt "$held" 100 "frames held back on the way to Linux"
assert_gt "$(counter ImpairRxReordered)" 100 "frames held back on the way to tern"
assert_gt "$(counter TcpExtTCPSACKReorder)" 0 "reordering seen (TcpExtTCPSACKReorder)"
assert_lt "$(counter TcpExtTCPDSACKRecv)" $((held / 4)) "segments resent for nothing (D-SACKs from Linux)"
assert_eq "$(counter PortTxDropFull)" 0 "PortTxDropFull"
assert_eq "$(counter MbufAllocFailed)" 0 "MbufAllocFailed"
assert_estab_zero 10
tern_stop
assert_clean_exit
ns_delete "$NS"

# --- the same with CE marking --------------------------------------------------------------------
ns_create
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_ecn=1
impaired_echo_and_get rack-ce "100 ms RTT + reorder 1 % + CE marking" "${TCP_RACK_CE_MIB:-16}" "seed = 8
$PATH_KEYS
rx_ce_threshold = 400
tx_ce_threshold = 400"
log "rack-ce: TcpExtTCPECNNegotiated=$(counter TcpExtTCPECNNegotiated)" \
	"ImpairTxCeMarked=$(counter ImpairTxCeMarked) ImpairRxCeMarked=$(counter ImpairRxCeMarked)" \
	"TcpExtTCPECNReductions=$(counter TcpExtTCPECNReductions) TcpRetransSegs=$(counter TcpRetransSegs)"
assert_ge "$(counter TcpExtTCPECNNegotiated)" 2 "ECN connections (TcpExtTCPECNNegotiated)"
assert_gt "$(counter ImpairTxCeMarked)" 0 "tern's frames marked CE (ImpairTxCeMarked)"
assert_gt "$(counter TcpExtTCPECNReductions)" 0 "tern's window reductions on Linux's ECE"
# Then 64 MiB from tern alone on the same path: its data is all that fills
# the queue toward Linux, so the marks follow tern's own window.
marked=$(counter ImpairTxCeMarked) reductions=$(counter TcpExtTCPECNReductions)
get_alone rack-ce-get "${TCP_RACK_CE_GET_MIB:-64}" $(( ${TERN_IT_TIMEOUT:-120} - 20 ))
log "rack-ce-get: ImpairTxCeMarked +$(($(counter ImpairTxCeMarked) - marked))" \
	"TcpExtTCPECNReductions +$(($(counter TcpExtTCPECNReductions) - reductions))"
assert_gt "$(counter ImpairTxCeMarked)" "$marked" "tern's frames marked CE during the GET alone"
assert_gt "$(counter TcpExtTCPECNReductions)" "$reductions" "tern's reductions on ECE during the GET alone"
end_clean_transfer
