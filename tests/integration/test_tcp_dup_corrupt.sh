#!/usr/bin/env bash
# Duplication and corruption: 2 % of frames sent twice and 0.5 % with one
# bit flipped, both directions ([impair.port0] rx_/tx_duplicate,
# rx_/tx_corrupt, 2 ms delay each way). Echo (Linux -> tern -> Linux) and
# GET /bytes/N (tern -> Linux) run side by side and must arrive
# byte-exact: every corrupted frame tern receives is dropped under a named
# checksum counter (never delivered), every duplicate is absorbed (D-SACK
# reports it). A corrupted frame is a lost frame, so fast retransmits show.
# TCP_DUPCORRUPT_MIB changes the size (default 64).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
impaired_echo_and_get dupcorrupt "duplicate 2 % + corrupt 0.5 %" "${TCP_DUPCORRUPT_MIB:-64}" "seed = 2
rx_delay_ms = 2
tx_delay_ms = 2
rx_duplicate = 2
tx_duplicate = 2
rx_corrupt = 0.5
tx_corrupt = 0.5"
drops=0
for n in IpInHdrErrors TcpInCsumErrors; do
	drops=$((drops + $(counter "$n")))
done
log "frames tern dropped as damaged: $drops (ImpairRxCorrupted=$(counter ImpairRxCorrupted))"
assert_gt "$(counter ImpairRxDuplicated)" 0 "frames duplicated on receive"
assert_gt "$(counter ImpairTxDuplicated)" 0 "frames duplicated on transmit"
assert_gt "$(counter ImpairRxCorrupted)" 0 "frames corrupted on receive"
assert_gt "$(counter ImpairTxCorrupted)" 0 "frames corrupted on transmit"
assert_gt "$drops" 0 "damaged frames tern dropped under a checksum/header counter"
# A flip in an ARP frame or in Ethernet padding lands under no IP/TCP counter.
assert_le "$drops" "$(counter ImpairRxCorrupted)" "IP/TCP checksum drops (at most the frames corrupted)"
assert_gt "$(counter TcpExtTCPDSACKRecv)" 0 "D-SACK blocks from Linux (duplicates tern sent)"
assert_gt "$(counter TcpExtTCPFastRetrans)" 0 "fast retransmits (TcpExtTCPFastRetrans)"
assert_gt "$(counter TcpExtTCPSackRecovery)" 0 "SACK recoveries (TcpExtTCPSackRecovery)"
end_clean_transfer
