#!/usr/bin/env bash
# Loss with reordering: 5 % loss and 25 % of frames held back 5 ms
# ([impair.port0] rx_/tx_loss, rx_/tx_reorder, both directions, 2 ms delay
# each way so that a held frame is overtaken by a few others, not by a
# whole window). Echo (Linux -> tern -> Linux) and GET /bytes/N
# (tern -> Linux) run side by side, byte-exact; tern's counters must show
# SACK-driven recoveries and fast retransmits.
# TCP_REORDER_MIB changes the size (default 64). 64 MiB take 120-140 s here.
# it-limit: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
impaired_echo_and_get reorder "loss 5 % + reorder 25 %" "${TCP_REORDER_MIB:-64}" "seed = 25
rx_loss = 5
tx_loss = 5
rx_delay_ms = 2
tx_delay_ms = 2
rx_reorder = 25
tx_reorder = 25
rx_reorder_gap_ms = 5
tx_reorder_gap_ms = 5"
assert_gt "$(counter ImpairRxReordered)" 0 "frames reordered on receive"
assert_gt "$(counter ImpairTxReordered)" 0 "frames reordered on transmit"
assert_gt "$(counter ImpairTxLost)" 0 "frames lost on transmit"
assert_gt "$(counter TcpExtTCPSackRecovery)" 0 "SACK recoveries (TcpExtTCPSackRecovery)"
assert_gt "$(counter TcpExtTCPFastRetrans)" 0 "fast retransmits (TcpExtTCPFastRetrans)"
assert_gt "$(counter TcpExtTCPOFOQueue)" 0 "segments tern queued out of order"
end_clean_transfer
