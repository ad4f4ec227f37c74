#!/usr/bin/env bash
# Who closes first, seen from Linux (ss in the namespace):
#   (a) the client closes first (echo): its socket ends in TIME-WAIT, tern's
#       does not (tern's TcpExtTW stays put);
#   (b) tern closes first (http with Connection: close, HTTP/1.0):
#       Linux has no TIME-WAIT for those connections, tern counts them;
#   (c) a port with no service refuses at once;
#   (d) tern restarts (SIGTERM, start again on the same tap) while a client
#       holds a connection: the client's next send/recv gets ECONNRESET.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
# tern's TIME-WAIT lasts 2 * msl_ms = 2 s here; Linux's lasts 60 s (fixed),
# so every Linux TIME-WAIT socket made by this test can still be counted.
conf=$(svc_conf close "
[tcp]
msl_ms = 1000")
tern_start "$conf"
ping_until_reply
URL=http://$TERN_ADDR

# --- (a) the client closes first ---------------------------------------------------
N=20
tw0=$(linux_tw_count "dport = :$ECHO_PORT")
tcp_counters_now
ttw0=$(counter TcpExtTW)
for i in $(seq 1 $N); do
	out=$(pyc close-first "$TERN_ADDR" "$ECHO_PORT") || fail "close-first client $i: $out"
done
sleep 0.5 # the last FIN exchange
tw1=$(linux_tw_count "dport = :$ECHO_PORT")
assert_eq $((tw1 - tw0)) $N "(a) Linux sockets to echo in TIME-WAIT after $N client-first closes"
assert_eq "$(ns_exec ss -Htan "dport = :$ECHO_PORT" | grep -vc TIME-WAIT)" 0 \
	"(a) Linux sockets to echo in another state (FIN-WAIT-2 would mean tern never sent its FIN)"
tcp_counters_now
assert_eq $(($(counter TcpExtTW) - ttw0)) 0 "(a) tern's TcpExtTW (tern closed second: LAST-ACK, no TIME-WAIT)"

# --- (b) tern closes first -------------------------------------------------------------
tw0=$(linux_tw_count "dport = :$HTTP_PORT")
ttw0=$(counter TcpExtTW)
n_curl=30
for i in $(seq 1 $n_curl); do
	# Connection: close on HTTP/1.1, and HTTP/1.0 (no keep-alive) with a larger body.
	if [ $((i % 3)) -eq 0 ]; then
		args=(--http1.0 "$URL/bytes/100000")
	else
		args=(-H 'Connection: close' "$URL/")
	fi
	code=$(ns_exec curl -s --max-time 5 -o /dev/null -w '%{http_code}' "${args[@]}") || true
	[ "$code" = 200 ] || fail "(b) curl ${args[*]}: status $code"
done
# (Not ab: it also opens connections it then closes without a request, and
# those end in TIME-WAIT on the Linux side, rightly.)
sleep 0.5
tw1=$(linux_tw_count "dport = :$HTTP_PORT")
assert_eq $((tw1 - tw0)) 0 "(b) Linux sockets to http in TIME-WAIT after $n_curl tern-first closes"
assert_eq "$(ns_exec ss -Htan "dport = :$HTTP_PORT" | wc -l)" 0 "(b) Linux sockets to http left in any state"
tcp_counters_now
assert_ge $(($(counter TcpExtTW) - ttw0)) $n_curl "(b) tern's TcpExtTW (tern closed first)"

# --- (c) no service: refused at once ------------------------------------------------------
for port in 81 8080; do
	t0=$(now_ms)
	out=$(ns_exec timeout 10 nc -v -z -w 3 "$TERN_ADDR" $port 2>&1) || true
	ms=$(ms_since "$t0")
	assert_match "$out" "Connection refused" "(c) port $port: refused"
	assert_lt "$ms" 1000 "(c) port $port: ms until refused"
done

assert_estab_zero 10

# --- (d) restart under an open connection ----------------------------------------------------
rm -f "$TMPD/go"
pyc hold "$TERN_ADDR" "$ECHO_PORT" "$TMPD/go" >"$TMPD/hold.out" 2>&1 &
hold_pid=$!
IT_PIDS+=("$hold_pid")
for _ in $(seq 1 50); do grep -q 'phase=held' "$TMPD/hold.out" && break; sleep 0.1; done
assert_match "$(cat "$TMPD/hold.out")" 'phase=held .* echo_ok=1' "(d) client holds an echo connection"
assert_eq "$(ns_exec ss -Htn state established "dport = :$ECHO_PORT" | wc -l)" 1 "(d) Linux socket ESTABLISHED"
tcp_counters_now
assert_eq "$(counter TcpCurrEstab)" 1 "(d) tern's TcpCurrEstab with the held connection"
tern_stop
assert_clean_exit
tern_start "$conf"
ping_until_reply
touch "$TMPD/go"
rc=0
wait "$hold_pid" || rc=$?
out=$(cat "$TMPD/hold.out")
log "(d) client after the restart: $(tail -n1 <<<"$out")"
assert_eq "$rc" 0 "(d) hold client exit status"
assert_match "$out" 'result=ECONNRESET' "(d) client's next send/recv after the restart: ECONNRESET"
tcp_counters_now
# (The echo port has a listener: the ACK is answered with <SEQ=SEG.ACK><RST>
# from LISTEN, which is not counted as TcpInClosedPort.)
assert_ge "$(counter TcpOutRsts)" 1 "(d) new tern: RSTs sent"
assert_eq "$(ns_exec ss -Htn "dport = :$ECHO_PORT" | grep -vc TIME-WAIT)" 0 "(d) Linux sockets to echo left open"

# And the restarted tern serves new connections.
out=$(printf 'again\n' | ns_exec timeout 10 nc -N "$TERN_ADDR" "$ECHO_PORT") || true
assert_eq "$out" again "(d) echo through the restarted tern"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
