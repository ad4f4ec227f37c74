#!/usr/bin/env bash
# Two workers, software steering on net_tap (its RSS needs rte_flow): both
# legs of every proxied pair live on one worker (each worker opened exactly
# as many server connections as it accepted sessions: the replies to its
# source ports came back to it), nothing is lost between the workers, and
# 8 parallel 8 MiB echoes are exact.
# it-limit: 120
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"

PROXY_WORKERS=2
SRV=$(backend_addr 1)
conf=$(proxy_conf workers "
[frontend.echo]
bind = $VIP:7
backend = echo
[backend.echo]
server.e = $SRV:7")
proxy_start "$conf" 1
backend_echo "$SRV" 7
random_file "$TMPD/in" $((8 << 20))
want=$(sha_file "$TMPD/in")
pids=()
for i in $(seq 1 8); do
	ns_exec "$PY" "$PROXY_CLIENT" echo "$VIP" 7 "$TMPD/in" "$TMPD/out$i" >"$TMPD/c$i.log" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "an echo client failed: $(cat "$TMPD"/c*.log)"; done
for i in $(seq 1 8); do
	assert_eq "$(sha_file "$TMPD/out$i")" "$want" "sha256 of echo $i"
done
proxy_stop
assert_clean_exit
total=0
for w in 0 1; do
	s=$(worker_counter $w ProxySessions)
	total=$((total + s))
	assert_eq "$(worker_counter $w TcpActiveOpens)" "$s" "worker $w: server connections opened = its sessions"
	assert_eq "$(worker_counter $w TcpPassiveOpens)" "$s" "worker $w: client connections accepted = its sessions"
done
assert_eq "$total" 8 "sessions over both workers"
assert_gt "$(counter SteerOut)" 0 "segments steered to their worker in software"
assert_eq "$(counter SteerDropFull)" 0 "segments lost between workers"
assert_eq "$(counter ProxyConnectFailures)" 0 "failed server connections"
pass "8 x 8 MiB exact over 2 workers, each pair on one worker"
