#!/usr/bin/env bash
# Two workers on one net_tap port (software steering: the tap has no RSS
# table here) under load: wrk's 50 keep-alive connections and two 16 MiB
# downloads at once. The downloads are byte-exact, nothing is lost between
# workers, and no segment is dropped as a PAWS failure: a flow's segments
# that reach their owner out of order because of tern's own steering are
# told apart (TcpExtSteerObsolete) and not answered.
source "$(dirname "$0")/lib.sh"
source "$IT_DIR/tcp_common.sh"

ns_create
conf=$(tern_conf workers_load "
[service.http]
type = http
port = 80")
sed -i 's/^workers = 1$/workers = 2/' "$conf"
tern_start "$conf"
URL=http://$TERN_ADDR
want=$(pattern_sha 16777216)
for i in 1 2; do
	ns_exec curl -s --max-time 100 "$URL/bytes/16777216" -o "$TMPD/dl$i" &
	IT_PIDS+=($!)
done
out=$(ns_exec timeout 60 wrk -t2 -c50 -d5s --latency "$URL/bytes/1000" 2>&1) || fail "wrk: $out"
echo "$out" | sed -n '/Latency Distribution/,/Requests\/sec/p'
wait "${IT_PIDS[@]: -2}" || fail "a download failed"
for i in 1 2; do
	assert_eq "$(sha_file "$TMPD/dl$i")" "$want" "sha256 of download $i (16 MiB)"
done
grep -q ' 0 requests in\| Socket errors' <<<"$out" && fail "wrk: $out"
tern_stop
assert_clean_exit
assert_eq "$(counter TcpExtPAWSEstab)" 0 "TcpExtPAWSEstab (no segment of the peer's refused)"
assert_eq "$(counter SteerIn)" "$(counter SteerOut)" "SteerIn = SteerOut"
assert_gt "$(counter SteerIn)" 0 "SteerIn (flows were steered between the workers)"
log "steered segments older than their flow, not answered: $(counter TcpExtSteerObsolete)"
pass
