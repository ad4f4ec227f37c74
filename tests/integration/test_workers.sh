#!/usr/bin/env bash
# Two workers on one net_tap port (two queue pairs; the tap has no RSS table,
# so tern steers TCP flows in software): pings, refused connects and the
# hostile frames are handled and counted once, steered packets all arrive,
# and both workers' pools are whole at exit.
source "$(dirname "$0")/lib.sh"

ns_create
conf=$(tern_conf workers "$HOSTILE_SERVICE")
sed -i 's/^workers = 1$/workers = 2/' "$conf"
tern_start "$conf"
assert_match "$(cat "$TERN_LOG")" "ready, 2 worker\\(s\\)" "tern runs two workers"

out=$(ns_exec ping -c 10 -i 0.1 -W 2 "$TERN_ADDR" 2>&1) || true
assert_eq "$(ping_received "$out")" 10 "echo replies"

# Different source ports hash to both workers.
for i in $(seq 1 20); do
	t0=$(now_ms)
	out=$(ns_exec timeout 10 nc -v -z -w 3 "$TERN_ADDR" $((1000 + i)) 2>&1) || true
	ms=$(($(now_ms) - t0))
	grep -q 'Connection refused' <<<"$out" || fail "connect #$i: expected 'Connection refused', got: $out"
	[ "$ms" -lt 1000 ] || fail "connect #$i took $ms ms to be refused"
done
log "ok: 20 connects refused"

N=3
sent=$(hostile_send "$N") || fail "hostile frames: $sent"
kinds=$(grep -c '^sent ' <<<"$sent")
out=$(ns_exec ping -c 5 -i 0.1 -W 2 "$TERN_ADDR" 2>&1) || true
assert_eq "$(ping_received "$out")" 5 "echo replies after the hostile frames"

tern_stop
assert_clean_exit
assert_eq "$(grep -c '^mbufs: pool ' "$TERN_LOG")" 2 "pools reported at exit (one per worker)"
assert_eq "$(counter TcpInClosedPort)" 20 "TcpInClosedPort (each SYN handled once)"
assert_eq "$(counter TcpOutRsts)" 20 "TcpOutRsts"
assert_eq "$(counter SteerIn)" "$(counter SteerOut)" "SteerIn = SteerOut (nothing lost between workers)"
assert_eq "$(counter SteerDropFull)" 0 "SteerDropFull"
assert_eq "$(counter IpInHdrErrors)" $((7 * N)) "IpInHdrErrors"
drops=0
for c in $(sed -n 's/^C(\([A-Za-z0-9]*\), *D,.*/\1/p' "$REPO"/lib/*/*_counters.def); do
	drops=$((drops + $(counter "$c")))
done
# one reason each: the hostile frames, and the 20 SYNs (TcpInClosedPort)
assert_eq "$drops" $((kinds * N + 20)) "sum of all drop counters ($kinds kinds x $N frames + 20 SYNs)"
pass
