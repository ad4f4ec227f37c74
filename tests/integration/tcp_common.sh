# shellcheck shell=bash
# Helpers shared by the test_tcp_*.sh tests (TCP core and built-in services).
# Source it after lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/tcp_common.sh"
#
# Services are always on the same ports: http 80, echo 7, discard 9.
# TCP_IT_PCAP=1 makes the tests that call debug_capture keep a capture of
# the tap (headers only) in their temp directory.

TCP_CLIENT=$IT_DIR/tcp_client.py
HTTP_PORT=80
ECHO_PORT=7
DISCARD_PORT=9

# svc_conf NAME [EXTRA]: tern_conf with the three services and EXTRA
# (more sections, e.g. "[tcp]\nmsl_ms = 500") after them.
svc_conf() {
	tern_conf "$1" "
[service.http]
type = http
port = $HTTP_PORT

[service.echo]
type = echo
port = $ECHO_PORT

[service.discard]
type = discard
port = $DISCARD_PORT
${2:-}"
}

# pyc ARGS...: the python client (tcp_client.py) inside the namespace.
pyc() { ns_exec "$PY" "$TCP_CLIENT" "$@"; }

sha_file() { sha256sum <"$1" | cut -d' ' -f1; }

# pattern_sha N: sha256 of the /bytes/N body (byte i = i mod 251).
pattern_sha() { "$PY" "$TCP_CLIENT" pattern-sha "$1"; }

# random_file PATH BYTES: BYTES random bytes (reproducible within a run only).
random_file() { head -c "$2" /dev/urandom >"$1"; }

# tcp_counters_now: lib.sh's counters_now with a 20 s bound instead of 5 s.
# Right after heavy load tern's main thread can take seconds to act on
# SIGUSR1 (it sleeps in a restarted nanosleep while net_tap's Rx trigger
# signals arrive at packet rate); such a delay is logged, not failed.
tcp_counters_now() {
	local before t0 ms deadline=$((SECONDS + 20))
	t0=$(now_ms)
	before=$(grep -c '^counters:$' "$TERN_LOG" || true)
	kill -USR1 "$TERN_PID" || fail "tcp_counters_now: tern (pid $TERN_PID) is not running"
	while [ "$(grep -c '^counters:$' "$TERN_LOG" || true)" -le "$before" ]; do
		[ $SECONDS -lt $deadline ] || fail "tcp_counters_now: no counters block within 20 s of SIGUSR1"
		sleep 0.05
	done
	sleep 0.1 # the block is one fflush; give a split write time to land
	ms=$(($(now_ms) - t0))
	[ "$ms" -lt 2000 ] || log "note: tern printed its counters $ms ms after SIGUSR1"
}

# wait_counter_eq NAME VALUE SECONDS: polls (SIGUSR1) until NAME == VALUE;
# returns 1 (with the last value printed) when it never gets there.
wait_counter_eq() {
	local name=$1 want=$2 deadline=$((SECONDS + $3)) v
	while :; do
		tcp_counters_now
		v=$(counter "$name")
		[ "$v" = "$want" ] && return 0
		if [ $SECONDS -ge $deadline ]; then
			log "$name is $v after $3 s (wanted $want)"
			return 1
		fi
		sleep 0.2
	done
}

# assert_estab_zero [SECONDS]: tern's TcpCurrEstab gauge drops back to 0
# (every connection has ended) within SECONDS (default 10).
assert_estab_zero() {
	local secs=${1:-10}
	wait_counter_eq TcpCurrEstab 0 "$secs" ||
		fail "TcpCurrEstab did not return to 0 within $secs s (is $(counter TcpCurrEstab))"
	log "ok: TcpCurrEstab = 0"
}

# linux_tw_count FILTER: Linux sockets in TIME-WAIT in the namespace that
# match the ss FILTER (e.g. "dport = :7").
linux_tw_count() {
	ns_exec ss -Htan state time-wait "$@" | wc -l
}

# ms_since T0: milliseconds since now_ms returned T0.
ms_since() { echo $(($(now_ms) - $1)); }

# capture_start FILE [FILTER...]: tcpdump on the Linux side of the tap in the
# namespace; capture_stop ends it (SIGTERM: a background job of a
# non-interactive shell ignores SIGINT, and tcpdump keeps it ignored).
CAPTURE_PID=
capture_start() {
	local f=$1
	shift
	ns_exec tcpdump -i "$TAP" -s 128 -B 32768 --immediate-mode -U -w "$f" "$@" >/dev/null 2>&1 &
	CAPTURE_PID=$!
	IT_PIDS+=("$CAPTURE_PID")
	sleep 0.5
}
capture_stop() {
	[ -n "$CAPTURE_PID" ] || return 0
	sleep 0.5 # the last packets reach the file
	kill -TERM "$CAPTURE_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$CAPTURE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$CAPTURE_PID" 2>/dev/null || true
	wait "$CAPTURE_PID" 2>/dev/null || true
	CAPTURE_PID=
}

# tcp_summary: one line of the TCP counters from the last block.
tcp_summary() {
	local n out=""
	for n in TcpInSegs TcpOutSegs TcpRetransSegs TcpExtTCPTimeouts TcpExtTCPFastRetrans \
		TcpExtTCPRenoRecovery TcpExtTCPOFOQueue TcpExtTCPOFODrop TcpOutRsts TcpCurrEstab \
		TcpExtTCPWinProbe MbufAllocFailed; do
		out+="$n=$(counter "$n") "
	done
	echo "$out"
}

# debug_capture NAME: with TCP_IT_PCAP=1, capture the tap to $TMPD/NAME.pcap
# (headers only) until the test ends; the temp directory is kept on failure.
debug_capture() {
	[ "${TCP_IT_PCAP:-0}" = 1 ] || return 0
	ns_exec tcpdump -i "$TAP" -s 128 -B 65536 --immediate-mode -U -w "$TMPD/$1.pcap" tcp >/dev/null 2>&1 &
	IT_PIDS+=($!)
	sleep 0.5
}

# transfer IN OUT LIMIT STALL CMD...: runs CMD (stdin from IN, stdout to
# OUT) in the background and watches OUT grow. Sets XFER_RC (CMD's exit
# status; 124 when it ran past LIMIT s, 125 when OUT did not grow for STALL s:
# then CMD is stopped at once) and XFER_MS. A stall is logged with tern's
# counters, sampled twice STALL/2 apart, so the report shows whether
# retransmission timers still fire while nothing moves.
transfer() {
	local in=$1 out=$2 limit=$3 stall=$4 pid t0 last=-1 still=0 size child
	shift 4
	t0=$(now_ms)
	"$@" <"$in" >"$out" &
	pid=$!
	IT_PIDS+=("$pid")
	XFER_RC=
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		size=$(stat -c %s "$out" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then still=$((still + 1)); else still=0; fi
		last=$size
		if [ $still -eq $((stall / 2)) ] && [ $still -gt 0 ]; then
			tcp_counters_now
			log "no progress for $still s at $size bytes: $(tcp_summary)"
		fi
		if [ $still -ge "$stall" ] || [ $(($(now_ms) - t0)) -gt $((limit * 1000)) ]; then
			tcp_counters_now
			log "stopping the transfer ($([ $still -ge "$stall" ] && echo "no progress for $still s" || echo "over $limit s")) at $size bytes: $(tcp_summary)"
			[ $still -ge "$stall" ] && XFER_RC=125 || XFER_RC=124
			# CMD's children first (timeout/nc under ip netns exec, in a
			# subshell), then CMD itself; all started here, ended by pid.
			for child in $(pgrep -P "$pid"); do kill -TERM "$child" 2>/dev/null; done
			kill -TERM "$pid" 2>/dev/null
			break
		fi
	done
	local rc=0
	wait "$pid" 2>/dev/null || rc=$?
	[ -n "$XFER_RC" ] || XFER_RC=$rc
	XFER_MS=$(($(now_ms) - t0))
}

# echo_and_get NAME MIB LIMIT: MIB MiB of random bytes through echo (nc -N)
# and GET /bytes/<MIB MiB> (curl) at the same time, each byte-exact (sha256)
# within LIMIT s (a transfer with no progress for 20 s is a stall). The two
# run side by side to halve the wall time: under loss each flow's rate is set
# by its own losses and RTT, not by the other flow. Logs times and counters.
echo_and_get() {
	local name=$1 mib=$2 limit=$3 bytes=$(($2 << 20)) get_rc get_ms size
	random_file "$TMPD/src" "$bytes"
	(
		transfer /dev/null "$TMPD/got" "$limit" 20 ns_exec timeout $((limit + 10)) \
			curl -sS --max-time $((limit + 5)) "http://$TERN_ADDR:$HTTP_PORT/bytes/$bytes"
		echo "$XFER_RC $XFER_MS" >"$TMPD/get.status"
	) &
	IT_PIDS+=($!)
	local get_job=$!
	transfer "$TMPD/src" "$TMPD/echoed" "$limit" 20 ns_exec timeout $((limit + 10)) nc -N "$TERN_ADDR" "$ECHO_PORT"
	wait "$get_job" || true
	read -r get_rc get_ms <"$TMPD/get.status" || fail "$name: no status from the GET"
	tcp_counters_now
	log "$name: echo $(($(stat -c %s "$TMPD/echoed") >> 20)) of $mib MiB in $XFER_MS ms (status $XFER_RC)," \
		"GET $(($(stat -c %s "$TMPD/got") >> 20)) of $mib MiB in $get_ms ms (status $get_rc)"
	log "$name: $(tcp_summary)"
	log "$name: TcpExtTCPSackRecovery=$(counter TcpExtTCPSackRecovery) TcpExtTCPDSACKRecv=$(counter TcpExtTCPDSACKRecv)" \
		"TcpExtTCPDSACKUndo=$(counter TcpExtTCPDSACKUndo) TcpExtTCPSpuriousRTOs=$(counter TcpExtTCPSpuriousRTOs)" \
		"TcpExtTCPLossProbes=$(counter TcpExtTCPLossProbes) TcpExtTCPSlowStartRetrans=$(counter TcpExtTCPSlowStartRetrans)" \
		"TcpInCsumErrors=$(counter TcpInCsumErrors) PortTxDropFull=$(counter PortTxDropFull)"
	xfer_verdict "$name: echo" "$XFER_RC" "$limit"
	xfer_verdict "$name: GET" "$get_rc" "$limit"
	assert_eq "$(stat -c %s "$TMPD/echoed")" "$bytes" "$name: bytes echoed"
	assert_eq "$(sha_file "$TMPD/echoed")" "$(sha_file "$TMPD/src")" "$name: sha256 of the echo"
	assert_get_body "$name" "$bytes"
	rm -f "$TMPD/echoed" "$TMPD/src"
}

# xfer_verdict WHAT RC LIMIT: fails unless transfer()'s status RC is 0.
xfer_verdict() {
	case $2 in
	0) ;;
	125) fail "$1 stalled (no byte for 20 s; counters above)" ;;
	124) fail "$1 not done within $3 s" ;;
	*) fail "$1 client exit status $2" ;;
	esac
}

# assert_get_body NAME BYTES: $TMPD/got is GET /bytes/BYTES, byte-exact; removed after.
assert_get_body() {
	assert_eq "$(stat -c %s "$TMPD/got")" "$2" "$1: bytes of the GET body"
	assert_eq "$(sha_file "$TMPD/got")" "$(pattern_sha "$2")" "$1: sha256 of the GET body"
	rm -f "$TMPD/got"
}

# get_alone NAME MIB LIMIT: GET /bytes/<MIB MiB> with nothing else running,
# byte-exact (sha256) within LIMIT s (no progress for 20 s is a stall).
# Logs the time, the rate and the recovery and ECN counters.
get_alone() {
	local name=$1 mib=$2 limit=$3 bytes=$(($2 << 20))
	transfer /dev/null "$TMPD/got" "$limit" 20 ns_exec timeout $((limit + 10)) \
		curl -sS --max-time $((limit + 5)) "http://$TERN_ADDR:$HTTP_PORT/bytes/$bytes"
	tcp_counters_now
	log "$name: GET $(($(stat -c %s "$TMPD/got") >> 20)) of $mib MiB in $XFER_MS ms" \
		"($((bytes * 8 / (XFER_MS > 0 ? XFER_MS : 1) / 1000)) Mbit/s, status $XFER_RC): $(tcp_summary)"
	xfer_verdict "$name: GET" "$XFER_RC" "$limit"
	assert_get_body "$name" "$bytes"
}

# impaired_echo_and_get NAME LABEL MIB KEYS: tern with the three services
# and KEYS (lines of `key = value`) under [impair.port0], then echo_and_get
# through that impairment within the test's limit less 20 s.
impaired_echo_and_get() {
	local name=$1 label=$2 mib=$3 keys=$4
	tern_start "$(svc_conf "$name" "
[impair.port0]
$keys")"
	ping_until_reply "$TERN_ADDR" 20
	debug_capture "$name"
	echo_and_get "$label" "$mib" $(( ${TERN_IT_TIMEOUT:-120} - 20 ))
}

# client_loop OUT CONNECT_S: GET / from the http service, a new connection
# each time, in the background until client_stop OUT. OUT gets "ok N bad M
# max_connect_ms X" (bad: any status but 200, or no connection within
# CONNECT_S s, or no whole answer within twice that).
client_loop() {
	rm -f "$TMPD/stop"
	ns_exec bash -c '
		url=$1 out=$2 stop=$3 ct=$4 ok=0 bad=0 max=0
		while [ ! -e "$stop" ]; do
			r=$(curl -s -o /dev/null --connect-timeout "$ct" --max-time $((2 * ct)) \
				-w "%{http_code} %{time_connect}" "$url/") || true
			ms=$(awk -v t="${r#* }" "BEGIN { printf \"%d\", t * 1000 }")
			[ "$ms" -gt "$max" ] && max=$ms
			if [ "${r% *}" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		done
		echo "ok $ok bad $bad max_connect_ms $max" >"$out"' _ "http://$TERN_ADDR:$HTTP_PORT" "$1" "$TMPD/stop" "$2" &
	CLIENT_PID=$!
	IT_PIDS+=("$CLIENT_PID")
}

# client_stop OUT: ends client_loop; sets CLIENT_OK, CLIENT_BAD, CLIENT_MAX (ms).
client_stop() {
	touch "$TMPD/stop"
	wait "$CLIENT_PID" || true
	read -r _ CLIENT_OK _ CLIENT_BAD _ CLIENT_MAX <"$1" || fail "no result from the client loop"
}

# end_clean_transfer: no frame dropped for a full TX queue, no mbuf
# allocation failed, every connection closed within 10 s, and tern stops
# cleanly; then the test passes.
end_clean_transfer() {
	assert_eq "$(counter PortTxDropFull)" 0 "PortTxDropFull"
	assert_eq "$(counter MbufAllocFailed)" 0 "MbufAllocFailed"
	assert_estab_zero 10
	tern_stop
	assert_clean_exit
	pass
}
