#!/usr/bin/env bash
# The README's first quick-start command works: scripts/demo.sh starts tern
# as a proxy in front of three python3 http.servers; the virtual IP serves
# each server in turn and a 10 MiB file byte-exact; a server stopped is
# marked DOWN and no longer used (and down in the Prometheus metrics the
# demo serves on 127.0.0.1:9469); SIGTERM stops it all, the proxy's table
# is printed and both namespaces are gone.
# it-limit: 120
source "$(dirname "$0")/lib.sh"

DNS=tern-it-demo-$$
DLOG=$TMPD/demo.log
VIP=198.18.0.10
TERN_DEMO_NS=$DNS TERN_DEMO_BIN=$TERN_BIN setsid "$REPO/scripts/demo.sh" >"$DLOG" 2>&1 &
demo=$!
IT_PIDS+=("$demo")
TERN_LOG=$DLOG # show_log on failure
# demo.sh removes its namespaces itself; these catch a demo that failed half-way.
IT_NAMESPACES+=("$DNS-b" "$DNS")

deadline=$((SECONDS + 60))
until grep -q "stop s2" "$DLOG"; do
	kill -0 "$demo" 2>/dev/null || fail "demo.sh exited during start"
	[ $SECONDS -lt $deadline ] || fail "demo.sh did not print its instructions in 60 s"
	sleep 0.2
done
dx() { ip netns exec "$DNS" "$@"; }
get() { dx curl -sS --max-time 10 "http://$VIP/$1"; }

# Checks start with tern, before the servers do: wait until each answers once.
seen=""
deadline=$((SECONDS + 20))
while [ "$(echo "$seen" | tr ' ' '\n' | sort -u | grep -c .)" -lt 3 ]; do
	[ $SECONDS -lt $deadline ] || fail "not every server answered through $VIP within 20 s: $seen"
	seen+=" $(get "" 2>/dev/null | sed -n 's/hello from server \(s[0-9]\).*/\1/p')"
	sleep 0.1
done
log "servers answering through $VIP: $(echo "$seen" | tr ' ' '\n' | sort -u | xargs)"

# Each server has its own random 10M: a download must be one of them, exactly.
wants=""
for i in 1 2 3; do
	wants+=" $(ip netns exec "$DNS-b" curl -sS --max-time 10 "http://198.18.1.$((i + 1)):8000/10M" |
		sha256sum | cut -c1-64)"
done
for i in 1 2 3; do
	got=$(get 10M | sha256sum | cut -c1-64)
	case $wants in *"$got"*) ;; *) fail "10M download $i: sha256 $got is no server's file" ;; esac
done
log "3 x 10 MiB through the proxy, sha256 of a server's file"

s2=$(sed -n 's/.*kill \([0-9][0-9]*\) .*stop s2.*/\1/p' "$DLOG")
[ -n "$s2" ] || fail "no pid of s2 in the demo's instructions"
kill "$s2"
deadline=$((SECONDS + 20))
until grep -q "server web/s2 is DOWN" "$DLOG"; do
	[ $SECONDS -lt $deadline ] || fail "s2 stopped, but not marked DOWN within 20 s"
	sleep 0.2
done
for i in $(seq 1 12); do
	r=$(get "") || fail "request $i after s2 went DOWN failed"
	case $r in *s2*) fail "request $i went to s2 after it was DOWN" ;; esac
done
log "s2 stopped: DOWN, and 12 requests went to s1 and s3"
grep -q 'curl -s http://127.0.0.1:9469/metrics' "$DLOG" || fail "no metrics line in the demo's tips"
m=$(dx curl -sS --max-time 5 http://127.0.0.1:9469/metrics) || fail "no metrics at 127.0.0.1:9469 in $DNS"
grep -q '^tern_proxy_server_up{backend="web",server="s2"} 0$' <<<"$m" ||
	fail "the metrics do not say web/s2 is down: $(grep tern_proxy_server_up <<<"$m")"
log "metrics at 127.0.0.1:9469: web/s2 down there too"

# The ternctl tips (by pid: other terns may run beside the demo).
tpid=$(sed -n 's/.*(pid \([0-9][0-9]*\)).*/\1/p' "$DLOG" | head -1)
[ -n "$tpid" ] || fail "no tern pid in the demo's tips"
tc() { "$BUILD_DIR/app/ternctl" --pid "$tpid" "$@"; }
grep -q 'ternctl show stat' "$DLOG" || fail "no ternctl line in the demo's tips"
stat=$(tc show stat) || fail "ternctl show stat against the demo"
grep -qE '^web,s2,([^,]*,){15}DOWN,' <<<"$stat" || fail "ternctl does not show web/s2 DOWN: $stat"
tc set server web/s1 state drain || fail "ternctl set server web/s1 state drain"
for i in 1 2 3 4; do
	case $(get "") in *s1*) fail "request $i went to s1 after it was drained" ;; esac
done
tc set server web/s1 state ready || fail "ternctl set server web/s1 state ready"
tc capture -G 2 -w "$TMPD/demo.pcapng" >"$TMPD/capture.out" 2>&1 &
cap=$!
sleep 0.5
get "" >/dev/null
wait "$cap" || fail "ternctl capture: $(cat "$TMPD/capture.out")"
n=$(tshark -r "$TMPD/demo.pcapng" -Y 'tcp.flags.fin == 1' 2>/dev/null | wc -l)
assert_ge "$n" 2 "FIN segments in the demo's capture (a request through the proxy closes both legs)"
log "ternctl: show stat, drain and ready, a capture tshark reads"

kill -TERM "$demo"
deadline=$((SECONDS + 30))
while kill -0 "$demo" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "demo.sh did not stop within 30 s of SIGTERM"
	sleep 0.2
done
status=0
wait "$demo" || status=$?
assert_eq "$status" 0 "demo.sh's exit status (tern's: 1 would be a leak at exit)"
grep -qE '^  web/s2 +DOWN' "$DLOG" || fail "no proxy table with web/s2 DOWN at exit"
ip netns list | grep -qw "$DNS" && fail "namespace $DNS left behind"
pass "demo: 3 servers through $VIP, 10 MiB exact, s2 DOWN and unused, clean stop"
