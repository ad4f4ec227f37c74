#!/usr/bin/env bash
# ARP: tern answers arping, announces itself with a gratuitous ARP at start,
# resolves a configured gateway at start, and Linux learns tern's MAC.
source "$(dirname "$0")/lib.sh"

ns_create

# --- 1. arping, gratuitous ARP, Linux's neighbour table --------------------
tern_start "$(tern_conf arp)"
[ -n "$TERN_MAC" ] || fail "no 'port0 ... mac XX' line in the log"

out=$(ns_exec timeout 20 arping -c 3 -I "$TAP" "$TERN_ADDR" 2>&1) && rc=0 || rc=$?
log "arping: $(grep -E 'transmitted|received' <<<"$out" | tr '\n' ' ')"
assert_eq "$rc" 0 "arping exit status"
replies=$(grep -ciE "^[0-9]+ bytes from $TERN_MAC \\(198\\.18\\.0\\.1\\)" <<<"$out" || true)
assert_eq "$replies" 3 "arping replies from tern's MAC"

# Linux resolves tern through its own ARP when it has something to send.
ns_exec ping -c 1 -W 2 "$TERN_ADDR" >/dev/null || fail "ping after arping failed"
neigh=$(ns_exec ip neigh show "$TERN_ADDR" dev "$TAP")
log "neighbour: $neigh"
lladdr=$(sed -n 's/.* lladdr \([0-9a-fA-F:]*\).*/\1/p' <<<"$neigh")
assert_eq "${lladdr,,}" "${TERN_MAC,,}" "Linux's neighbour entry for $TERN_ADDR (tern's MAC)"

tern_stop
assert_ge "$(counter ArpOutGratuitous)" 1 "ArpOutGratuitous"
assert_ge "$(counter ArpInRequests)" 3 "ArpInRequests"
assert_ge "$(counter ArpOutReplies)" 3 "ArpOutReplies"
assert_eq "$(counter ArpInErrors)" 0 "ArpInErrors"
assert_clean_exit

# --- 2. gateway resolved at start -------------------------------------------
# tern asks for its gateway (Linux, 198.18.0.2) as soon as its worker runs,
# which can be before the test has put the address on the tap; retries every
# 200 ms for 10 s cover that window.
conf=$(tern_conf arp-gw "gateway = $LINUX_ADDR

[arp]
retry_ms = 200
retries = 50")
tern_start "$conf"
wait_counter ArpInReplies 1 12 || fail "tern did not get an ARP reply from its gateway within 12 s"
tern_stop
assert_ge "$(counter ArpOutRequests)" 1 "ArpOutRequests (gateway resolution)"
assert_ge "$(counter ArpInReplies)" 1 "ArpInReplies (from the gateway)"
assert_eq "$(counter ArpResolveFailed)" 0 "ArpResolveFailed"
assert_ge "$(counter ArpOutGratuitous)" 1 "ArpOutGratuitous"
assert_clean_exit

# --- 3. tern resolves Linux on demand ----------------------------------------
# Linux gets a permanent entry for tern, so it never asks; tern has to ARP
# for 198.18.0.2 itself, hold its reply meanwhile, then send it with a
# complete Ethernet header. A RST is a freshly built frame (an echo reply
# reuses the request's buffer and would hide a header left unfilled), so it
# goes first: refused at once, or Linux retransmits its SYN after 1 s.
tern_start "$(tern_conf arp-ondemand)"
ns_exec ip neigh replace "$TERN_ADDR" lladdr "$TERN_MAC" dev "$TAP" nud permanent
t0=$(now_ms)
out=$(ns_exec timeout 10 nc -v -z -w 3 "$TERN_ADDR" 80 2>&1) || true
ms=$(($(now_ms) - t0))
assert_match "$out" "Connection refused" "TCP RST from tern while it resolves Linux"
assert_lt "$ms" 1000 "ms until refused (the first RST, held for ARP, arrived)"
out=$(ns_exec ping -c 3 -i 0.2 -W 2 "$TERN_ADDR" 2>&1) || true
assert_eq "$(ping_received "$out")" 3 "echo replies"
tern_stop
assert_eq "$(counter ArpInRequests)" 0 "ArpInRequests (Linux never asked)"
assert_ge "$(counter ArpOutRequests)" 1 "ArpOutRequests (tern asked for 198.18.0.2)"
assert_ge "$(counter ArpInReplies)" 1 "ArpInReplies"
assert_eq "$(counter TcpOutRsts)" 1 "TcpOutRsts (one SYN, one RST)"
assert_eq "$(counter ArpQueueDrops)" 0 "ArpQueueDrops"
assert_clean_exit
pass
