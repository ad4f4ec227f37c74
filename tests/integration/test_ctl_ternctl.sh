#!/usr/bin/env bash
# ternctl against a running tern (a proxy in front of two nginx servers and
# tern's own echo and http services):
#  - ss: 20 idle connections from Linux show as ESTAB, as many as Linux's ss
#    counts on its side; listeners (-l) and TIME-WAIT rows (-a) appear; -i
#    fields agree with Linux's ss -ti for one connection (mss, cwnd, rtt);
#  - stats: nstat's deltas (5 new connections between two calls: exactly 5
#    passive opens) and totals (-a);
#  - show stat / set server: HAProxy's CSV; a server drained under load takes
#    no new connection while the download already on it finishes exactly;
#  - workers; DPDK's own dpdk-telemetry.py lists and answers /tern/ commands;
#  - bad input: unknown commands, a tern that is not running, bad servers
#    and values, huge page requests: clear messages, non-zero exits, tern
#    unaffected; every mbuf back at exit.
# it-limit: 120
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"
source "$(dirname "$0")/proxy_common.sh"
# (grep -q reads "<<<$(...)", never a pipe: it would stop reading early, and
# pipefail would count the SIGPIPE of a long output as a failure.)

TERNCTL=$BUILD_DIR/app/ternctl
S1=$(backend_addr 1)
S2=$(backend_addr 2)
mkdir -p "$TMPD/www"
head -c $((8 << 20)) /dev/urandom >"$TMPD/www/big"
conf=$(proxy_conf ctl "
[service.echo]
type = echo
port = 7
[service.http]
type = http
port = 8080
[frontend.web]
bind = $VIP:80
backend = web
[backend.web]
server.s1 = $S1:80
server.s2 = $S2:80
check = http
check_path = /whoami
; generous: a busy machine must not take a server down in the middle of the test
check_interval_ms = 300
check_timeout_ms = 3000
fall = 5")
proxy_start "$conf" 2
backend_nginx 80 "$TMPD/www" "$S1" "$S2"
wait_all_up web s1 s2
tc() { "$TERNCTL" -c "$conf" "$@"; }

# ---- ss -------------------------------------------------------------------
N=20
ns_exec "$PY" -c "
import socket, time
held = [socket.create_connection(('$TERN_ADDR', 7), timeout=5) for _ in range($N)]
open('$TMPD/held', 'w').write('ok')
time.sleep(60)" &
IT_PIDS+=($!)
deadline=$((SECONDS + 10))
until [ -s "$TMPD/held" ]; do
	[ $SECONDS -lt $deadline ] || fail "the $N idle connections did not open"
	sleep 0.1
done
linux=$(ns_exec ss -Htn state established "( dport = :7 )" | wc -l)
ours=$(tc ss state established sport = :7 | tail -n +2 | wc -l)
assert_eq "$linux" "$N" "Linux's ESTAB connections to port 7"
assert_eq "$ours" "$linux" "ternctl ss ESTAB rows on port 7 (Linux's own count)"
grep -qE '^LISTEN +[0-9]+ +[0-9]+ +0\.0\.0\.0:7 ' <<<"$(tc ss -l)" || fail "no LISTEN row for :7 in: $(tc ss -l)"
grep -qE "^LISTEN .* $VIP:80 " <<<"$(tc ss -l)" || fail "no LISTEN row for the VIP in: $(tc ss -l)"
for _ in 1 2 3; do ns_exec curl -s -0 -o /dev/null --max-time 5 "http://$TERN_ADDR:8080/"; done
grep -q '^TIME-WAIT' <<<"$(tc ss -a state time-wait)" || fail "no TIME-WAIT row after 3 closed requests"
# -i: one connection seen from both ends.
row=$(tc ss -i state established sport = :7 | sed -n 2,3p)
lport=$(sed -n '1s/.* 198\.18\.0\.2:\([0-9]*\) *$/\1/p' <<<"$row")
[ -n "$lport" ] || fail "no peer port in: $row"
lin=$(ns_exec ss -Htni state established "( sport = :$lport )")
mss_t=$(grep -o ' mss:[0-9]*' <<<"$row" | cut -d: -f2)
mss_l=$(grep -o ' mss:[0-9]*' <<<"$lin" | cut -d: -f2)
cwnd_t=$(grep -o ' cwnd:[0-9]*' <<<"$row" | cut -d: -f2)
rtt_t=$(grep -o ' rtt:[0-9.]*' <<<"$row" | cut -d: -f2)
log "ternctl: $(tail -1 <<<"$row")"
log "Linux:   $(tail -1 <<<"$lin")"
assert_eq "$mss_t" "$mss_l" "mss seen by tern and by Linux"
assert_range "$cwnd_t" 2 100 "tern's cwnd (segments)"
awk -v r="$rtt_t" 'BEGIN { exit !(r >= 0 && r < 50) }' || fail "tern's rtt $rtt_t ms is not within reason"

# ---- stats ----------------------------------------------------------------
tc stats >/dev/null
for _ in 1 2 3 4 5; do ns_exec curl -s -o /dev/null --max-time 5 "http://$TERN_ADDR:8080/"; done
delta=$(tc stats | awk '$1 == "TcpPassiveOpens" { print $2 }')
assert_eq "$delta" 5 "TcpPassiveOpens since the last ternctl stats"
total=$(tc stats -a | awk '$1 == "TcpPassiveOpens" { print $2 }')
assert_ge "$total" $((N + 8)) "TcpPassiveOpens in all (-a)"
grep -qE '^ProxyQueueFull +0$' <<<"$(tc stats -a -z)" || fail "stats -z does not list zero counters"
tc stats --json | python3 -m json.tool >/dev/null || fail "stats --json is not JSON"
grep -q '^ipackets' <<<"$(tc stats --ports)" || fail "no port statistics in stats --ports"

# ---- show stat, set server under load -------------------------------------
wait_all_up web s1 s2
csv=$(tc show stat)
head -1 <<<"$csv" | grep -q '^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout' ||
	fail "not HAProxy's show stat header: $(head -1 <<<"$csv")"
grep -qE '^web,s1,([^,]*,){15}UP,' <<<"$csv" || fail "web/s1 is not UP in: $csv"
tc show stat --json | python3 -m json.tool >/dev/null || fail "show stat --json is not JSON"
# Everything to s1 for a moment: a slow download starts there.
tc set server web/s2 state maint
ns_exec curl -s --limit-rate 2M --max-time 30 -o "$TMPD/big.out" "http://$VIP/big" &
dl=$!
IT_PIDS+=($dl)
sleep 1
tc set server web/s2 state ready
tc set server web/s1 state drain
sleep 0.3
stot1=$(tc show stat | awk -F, '$1 == "web" && $2 == "s1" { print $8 }')
out=$(ns_exec timeout 30 "$PY" "$PROXY_CLIENT" load "$VIP" 80 8 3 "$TMPD/load")
log "load while s1 drains: $out"
assert_match "$out" "failed 0$" "requests while s1 drains"
grep -q " $S1\$" "$TMPD/load" && fail "a new connection went to drained s1"
assert_eq "$(tc show stat | awk -F, '$1 == "web" && $2 == "s1" { print $8 }')" "$stot1" \
	"sessions of s1 after it was drained"
grep -qE '^web,s1,([^,]*,){15}DRAIN,' <<<"$(tc show stat)" || fail "s1 not shown as DRAIN"
wait "$dl" || fail "the download from s1 failed while s1 drained"
assert_eq "$(sha_file "$TMPD/big.out")" "$(sha_file "$TMPD/www/big")" \
	"the download that was on s1 when it was drained"

# ---- workers, dpdk-telemetry.py ---------------------------------------------
grep -qE '^0 +[0-9.]+ ' <<<"$(tc workers -i 0.3)" || fail "no row for worker 0 in ternctl workers"
prefix=$(basename "$(dirname "$(ls /var/run/dpdk/*/tern.card | while read -r c; do
	grep -q "^pid $TERN_PID\$" "$c" && echo "$c"; done | head -1)")")
[ -n "$prefix" ] || fail "no DPDK runtime directory with tern's card for pid $TERN_PID"
"$TERNCTL" -p "$prefix" stats -a >/dev/null || fail "ternctl -p $prefix"
"$TERNCTL" --pid "$TERN_PID" stats -a >/dev/null || fail "ternctl --pid $TERN_PID"
list=$(echo / | dpdk-telemetry.py -f "$prefix" 2>&1)
grep -q '/tern/conns' <<<"$list" || fail "dpdk-telemetry.py does not list /tern/conns: $list"
info=$(echo /tern/info | dpdk-telemetry.py -f "$prefix" 2>&1 | sed -n '/^{/,$p' | head -c 100000)
python3 -c 'import json, sys
d = json.loads(sys.stdin.read().split("\n--> ")[0].strip().split("\n\n")[0])
assert d["/tern/info"]["workers"] == 1, d' <<<"$(echo "$info" | sed -n '/"\/tern\/info"/,/^}/p')" ||
	fail "dpdk-telemetry.py's /tern/info is not the JSON expected: $info"

# ---- bad input ------------------------------------------------------------
err=$(tc bogus 2>&1) && fail "ternctl bogus succeeded"
assert_match "$err" "unknown command 'bogus'" "ternctl bogus"
err=$("$TERNCTL" -c /nonexistent.conf ss 2>&1) && fail "ternctl for a tern that is not running succeeded"
assert_match "$err" "no running tern" "ternctl -c for no running tern"
err=$(tc set server web/nope state drain 2>&1) && fail "set server of no server succeeded"
assert_match "$err" "no server web/nope" "set server web/nope"
err=$(tc set server web/s1 state sideways 2>&1) && fail "set server with a bad state succeeded"
err=$(tc set server web/s1 weight 999 2>&1) && fail "weight 999 succeeded"
assert_match "$err" "bad value" "weight 999"
err=$(tc ss sport 2>&1) && fail "ss with a filter missing its value succeeded"
tel() { "$PY" - "$1" "$(ls /var/run/dpdk/"$prefix"/dpdk_telemetry.v2)" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[2])
s.recv(4096)
s.send(sys.argv[1].encode())
print(s.recv(65536).decode())
EOF
}
assert_match "$(tel /tern/conns,0,4294967295)" '"error"' "a cursor past the end"
assert_match "$(tel /tern/conns,7,0)" '"error"' "a worker that does not exist"
assert_match "$(tel /tern/conns,0,-1)" '"error"' "a negative cursor"
assert_match "$(tel /tern/proxy/stat,99999999999)" '"error"' "a page far past the end"
assert_match "$(tel "/tern/proxy/set,$(printf 'x%.0s' $(seq 300))/y,state,drain")" '"error"' \
	"a server name longer than any"
assert_match "$(tel /tern/counters,abc)" '"error"' "a worker that is not a number"
# tern is unaffected.
assert_eq "$(tc stats -a | awk '$1 == "TcpCurrEstab" { print $2 }')" "$N" \
	"established connections after the bad requests"
proxy_stop
assert_clean_exit
pass "ss, stats, show stat, set server (drain under load), workers, dpdk-telemetry.py, bad input"
