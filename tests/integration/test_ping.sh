#!/usr/bin/env bash
# ICMP echo: tern answers 10/10 pings and a full-MTU (1472-byte payload) ping,
# counts them, and returns every mbuf at exit.
source "$(dirname "$0")/lib.sh"

ns_create
tern_start "$(tern_conf ping)"

out=$(ns_exec ping -c 10 -i 0.2 -W 2 "$TERN_ADDR" 2>&1) || true
log "$(tail -n 2 <<<"$out" | tr '\n' ' ')"
assert_eq "$(ping_sent "$out")" 10 "echo requests sent"
assert_eq "$(ping_received "$out")" 10 "echo replies received"

# 1472 bytes of payload + 8 ICMP + 20 IP = 1500: a full MTU frame each way,
# with DF set so Linux does not fragment it.
out=$(ns_exec ping -c 3 -i 0.2 -W 2 -s 1472 -M do "$TERN_ADDR" 2>&1) || true
assert_match "$out" '^1480 bytes from 198\.18\.0\.1' "full-MTU echo reply (1480 bytes of ICMP)"
assert_eq "$(ping_received "$out")" 3 "full-MTU echo replies received"

tern_stop
assert_ge "$(counter IcmpInEchos)" 13 "IcmpInEchos"
assert_ge "$(counter IcmpOutEchoReps)" 13 "IcmpOutEchoReps"
assert_eq "$(counter IcmpInErrors)" 0 "IcmpInErrors"
assert_clean_exit
pass
