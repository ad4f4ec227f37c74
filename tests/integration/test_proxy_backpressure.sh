#!/usr/bin/env bash
# A client uploads as fast as it can for 20 s through the proxy to a backend
# that reads 1 MiB/s: tern holds the fast side back with TCP's own window,
# so its mbufs in use stay flat (sampled every second) instead of growing
# with the traffic, and the bytes that arrive are exact.
# it-limit: 90
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

SECS=${PROXY_IT_SECS:-20}
RATE=$((1 << 20))
SRV=$(backend_addr 1)
conf=$(proxy_conf pressure "
[frontend.up]
bind = $VIP:9
backend = slow
[backend.slow]
server.s = $SRV:9")
proxy_start "$conf" 1
bg_nsb slow "$PY" "$PROXY_CLIENT" slow-reader "$SRV" 9 $RATE "$TMPD/slow.out" >/dev/null
wait_listening "$NSB" "$SRV" 9

# The drivers' receive rings hold mbufs of the pool too (rx_desc per port):
# what tern holds for the transfer is what comes on top of the idle count.
counters_now
base=$(pool_in_use 0)
ns_exec "$PY" "$PROXY_CLIENT" upload "$VIP" 9 "$SECS" >"$TMPD/up.out" 2>&1 &
upid=$!
IT_PIDS+=("$upid")
samples=()
for _ in $(seq 1 $((SECS - 2))); do
	sleep 1
	counters_now
	samples+=("$(pool_in_use 0)")
done
log "mbufs in use, once a second: ${samples[*]} (idle: $base)"
wait "$upid" || fail "upload failed: $(cat "$TMPD/up.out")"
out=$(cat "$TMPD/up.out")
log "client: $out"
sent_sha=$(awk '{print $4}' <<<"$out")
assert_match "$out" "answer bytes [0-9]+ sha $sent_sha" "the backend got exactly what was sent"
# Flat: after the first few seconds (windows filling), the highest sample is
# no more than the lowest plus one buffer's worth of full-size segments.
steady=("${samples[@]:3}")
min=$(printf '%s\n' "${steady[@]}" | sort -n | head -n1)
max=$(printf '%s\n' "${steady[@]}" | sort -n | tail -n1)
assert_le "$max" $((min + 262144 / 1448 + 64)) "highest mbufs in use once steady (lowest $min)"
# Bounded by the two connections' buffers and the headers of what is in
# flight, whatever the traffic. Autotuning may grow them while the backend's
# side still takes data fast (the first second): at most rcvbuf_max +
# sndbuf_max (6 + 4 MiB) of full segments; a unit test (test_proxy's
# test_backpressure) holds the fixed-buffer bound.
assert_le $((max - base)) $(((6291456 + 4194304) / 1448 + 1024)) "mbufs held for the transfer at the most"
proxy_stop
assert_clean_exit
pass "mbufs held $((min - base))-$((max - base)) while $(awk '{print $2}' <<<"$out") bytes went through at 1 MiB/s"
