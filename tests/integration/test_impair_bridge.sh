#!/usr/bin/env bash
# tern-impair as a two-port bridge between Linux namespaces A and B:
#
#   A: aA 198.18.1.1/24 --veth-- mA [M: tern-impair] mB --veth-- bB 198.18.1.2/24 :B
#
# tern-impair reads and writes the veth ends in M with net_af_packet
# (promiscuous, no addresses) and delays A->B frames by 20 ms
# ([impair.port0] rx_delay_ms: frames received on port0 = from A).
source "$(dirname "$0")/lib.sh"

[ -x "$TERN_IMPAIR_BIN" ] || fail "no tern-impair binary at $TERN_IMPAIR_BIN"
NS_A=$NS-a
NS_B=$NS-b
NS_M=$NS-m
A_ADDR=198.18.1.1
B_ADDR=198.18.1.2
for ns in "$NS_A" "$NS_B" "$NS_M"; do ns_create "$ns"; done
ip link add mA netns "$NS_M" type veth peer name aA netns "$NS_A"
ip link add mB netns "$NS_M" type veth peer name bB netns "$NS_B"
ip -n "$NS_A" addr add "$A_ADDR/24" dev aA
ip -n "$NS_B" addr add "$B_ADDR/24" dev bB
for l in "$NS_A aA" "$NS_B bB" "$NS_M mA" "$NS_M mB"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
# veth leaves TCP/UDP checksums to "hardware" (CHECKSUM_PARTIAL): a frame
# that leaves Linux through af_packet and enters another veth would arrive
# with an unfilled checksum. Make A and B fill them in software.
ip netns exec "$NS_A" ethtool -K aA tx off >/dev/null
ip netns exec "$NS_B" ethtool -K bB tx off >/dev/null

cat >"$TMPD/bridge.conf" <<CONF
[tern]
workers = 1

[port0]
device = net_af_packet0,iface=mA
promiscuous = yes

[port1]
device = net_af_packet1,iface=mB
promiscuous = yes

[impair.port0]
seed = 7
rx_delay_ms = 20
CONF
tern_start --bin "$TERN_IMPAIR_BIN" --ns "$NS_M" --no-tap "$TMPD/bridge.conf"

# --- ping across: A->B is delayed 20 ms, B->A is not -----------------------
out=$(ip netns exec "$NS_A" timeout 30 ping -c 10 -i 0.1 -W 2 "$B_ADDR" 2>&1) || true
log "$(grep -E 'transmitted|rtt' <<<"$out" | tr '\n' ' ')"
assert_eq "$(ping_received "$out")" 10 "A->B echo replies through tern-impair"
# The median, not the min: a preempted worker stamps frames with its loop's
# start time and can release one early (see test_impair.sh); 2 % clock slack.
assert_ge "$(ping_median "$out")" 19.6 "RTT median A->B (>= the 20 ms delay)"
assert_ge "$(ping_rtt "$out" 2)" 19.6 "RTT avg A->B (>= the 20 ms delay)"
assert_le "$(ping_rtt "$out" 2)" 200 "RTT avg A->B (sanity)"

# --- 4 MiB over TCP from A to B ----------------------------------------------
head -c $((4 << 20)) /dev/urandom >"$TMPD/src.bin"
ip netns exec "$NS_B" timeout 60 nc -l "$B_ADDR" 5001 >"$TMPD/dst.bin" &
IT_PIDS+=($!)
nc_pid=$!
# until B listens (bounded)
for _ in $(seq 1 50); do
	ip netns exec "$NS_B" ss -Hltn "sport = :5001" | grep -q LISTEN && break
	sleep 0.1
done
t0=$(now_ms)
ip netns exec "$NS_A" timeout 60 nc -N "$B_ADDR" 5001 <"$TMPD/src.bin" || fail "nc sender failed"
nc_rc=0
wait "$nc_pid" || nc_rc=$?
ms=$(($(now_ms) - t0))
assert_eq "$nc_rc" 0 "nc receiver exit status"
assert_eq "$(stat -c %s "$TMPD/dst.bin")" $((4 << 20)) "bytes received in B"
assert_eq "$(sha256sum <"$TMPD/dst.bin" | cut -d' ' -f1)" "$(sha256sum <"$TMPD/src.bin" | cut -d' ' -f1)" \
	"sha256 of the 4 MiB file in B"
log "4 MiB A->B in $ms ms"

tern_stop
assert_clean_exit
assert_ge "$(counter ImpairRxDelayed)" 1000 "ImpairRxDelayed (A->B frames of the transfer)"
assert_eq "$(counter ImpairRxLost)" 0 "ImpairRxLost"
assert_eq "$(counter PortTxDropFull)" 0 "PortTxDropFull"
assert_eq "$(counter ImpairRxQueueFull)" 0 "ImpairRxQueueFull"
pass
