#!/usr/bin/env bash
# Input validation: every kind of malformed or unwanted frame is dropped and
# counted under its own reason, tern keeps answering afterwards and returns
# every mbuf. Runts go through net_pcap (a tap cannot carry them).
source "$(dirname "$0")/lib.sh"

N=5
ns_create
# A listener on :80, so a SYN+FIN meets one (and is still dropped).
tern_start "$(tern_conf hostile "$HOSTILE_SERVICE")"
unreach0=$(ns_exec awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) f[$i] = i; h = 1 } else print $f["InDestUnreachs"] }' /proc/net/snmp)
sent=$(hostile_send "$N") || fail "hostile frames: $sent"
echo "$sent"
kinds=$(grep -c '^sent ' <<<"$sent")

out=$(ns_exec ping -c 5 -i 0.2 -W 2 "$TERN_ADDR" 2>&1) || true
assert_eq "$(ping_received "$out")" 5 "echo replies after the hostile frames"
tern_stop
assert_clean_exit
unreach=$(ns_exec awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) f[$i] = i; h = 1 } else print $f["InDestUnreachs"] }' /proc/net/snmp)
assert_eq "$((unreach - unreach0))" "$N" "ICMP protocol unreachables Linux accepted (valid checksum)"

# Each kind -> the counter it must raise, exactly N times (nothing else in
# the namespace makes these errors; IPv6 is off, so no ND or MLD either).
declare -A expect=(
	[EthInUnknownType]=$N           # EtherType 0x88b5
	[EthInNotForUs]=$N              # another unicast MAC
	[ArpInErrors]=$N                # hlen 5
	[IpInTruncated]=$((2 * N))      # header cut at 10 bytes; total length 200 > frame
	[IpInBadIhl]=$((3 * N))         # IHL 3; IHL 15 > total length 40; total length 16 < IHL*4
	[IpInCsumErrors]=$N
	[IpInBadVersion]=$N             # version 6 in an IPv4 frame
	[IpInFragDropped]=$((2 * N))    # MF set; offset 100
	[TcpInCsumErrors]=$N
	[TcpInBadHeader]=$((2 * N))     # data offset 2; data offset 15 in a 20-byte segment
	[IcmpInErrors]=$N               # bad ICMP checksum
	[EthInVlan]=$N                  # 802.1Q tag, no VLAN configured
	[EthInIpv6]=$N
	[EthInMulticast]=$N             # 01:00:5e:00:00:fb
	[IpInAddrErrors]=$N             # to 198.18.0.99
	[IpInMartianSrc]=$N             # from the subnet broadcast 198.18.0.255
	[IpInUnknownProtos]=$N          # protocol 253
	[IcmpOutDestUnreachs]=$N        # protocol unreachable for each of those
	[TcpInZeroSrcPort]=$N           # a SYN from port 0
	[TcpInSynFin]=$N                # SYN+FIN to the listener on :80
	[TcpInListenRst]=$N             # RST to the listener
	[TcpInListenNoSyn]=$N           # a bare FIN to the listener
	[EthInBadSrc]=$((3 * N))        # source MAC broadcast, multicast, zero
	[ArpInBadSender]=$((3 * N))     # sender MAC zero; sender IP 255.255.255.255, 198.18.0.255
	[EthInOversize]=$N              # a 1662-byte frame on a 1500-byte MTU
)
for c in "${!expect[@]}"; do
	assert_eq "$(counter "$c")" "${expect[$c]}" "$c"
done
hdr_sum=0
for c in IpInTruncated IpInBadIhl IpInBadLength IpInCsumErrors IpInBadVersion; do
	hdr_sum=$((hdr_sum + $(counter $c)))
done
assert_eq "$(counter IpInHdrErrors)" $((7 * N)) "IpInHdrErrors (the 7 header-error kinds sent)"
assert_eq "$(counter IpInHdrErrors)" "$hdr_sum" "IpInHdrErrors = sum of its reasons"
assert_eq "$(counter TcpInErrs)" $((4 * N)) "TcpInErrs (bad checksum, 2 bad data offsets, port 0)"
# Nothing malformed was answered: only the 5 pings got replies (and the
# unknown protocol its ICMP error, counted above).
assert_eq "$(counter IcmpOutEchoReps)" 5 "IcmpOutEchoReps (only the good pings)"
assert_eq "$(counter TcpOutRsts)" 0 "TcpOutRsts (no malformed SYN was answered)"
# The modules' *_counters.def: every dropped frame raises exactly one drop (D) counter.
drops=0
for c in $(sed -n 's/^C(\([A-Za-z0-9]*\), *D,.*/\1/p' "$REPO"/lib/*/*_counters.def); do
	drops=$((drops + $(counter "$c")))
done
assert_eq "$drops" $((kinds * N)) "sum of all drop counters ($kinds kinds x $N frames, one reason each)"

# --- runts, from a pcap file ------------------------------------------------
"$PY" "$IT_DIR/hostile.py" runts "$TMPD/runts.pcap" "$N"
cat >"$TMPD/runts.conf" <<CONF
[port0]
device = net_pcap0,rx_pcap=$TMPD/runts.pcap,tx_pcap=$TMPD/runts-tx.pcap
address = $TERN_ADDR/24
CONF
tern_start --no-tap "$TMPD/runts.conf"
wait_counter EthInUnknownType 1 10 || fail "the pcap frames were not all read within 10 s"
tern_stop
assert_clean_exit
assert_eq "$(counter EthInRunts)" $((N + 1)) "EthInRunts (N 10-byte frames and one 13-byte)"
assert_eq "$(counter EthInUnknownType)" 1 "EthInUnknownType (a bare 14-byte header is not a runt)"
assert_eq "$(counter PortRxPackets)" $((N + 2)) "PortRxPackets from the pcap"
pass
