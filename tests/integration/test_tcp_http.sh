#!/usr/bin/env bash
# The http service against real clients: 500 sequential curl requests (one
# connection each) with checked bodies, ab with and without keep-alive, wrk,
# HEAD, 404, 405, 431 for a 10 KiB header (answered without a RST, RFC 9112
# §9.6), 400 for a malformed request line, 505, pipelining, and a 64 MiB body
# byte for byte.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

ns_create
tern_start "$(svc_conf http)"
ping_until_reply
URL=http://$TERN_ADDR

# --- 500 sequential curl requests, each on its own connection -------------
# The loop runs inside the namespace in one shell (ip netns exec per request
# would cost more than the request). Bodies are checked by sha256.
sizes=(0 1 250 251 1000 1448 1449 4096 65536 300000)
home_sha=$(ns_exec curl -s --max-time 5 "$URL/" | sha_file /dev/stdin)
{
	echo "home $home_sha"
	for n in "${sizes[@]}"; do echo "$n $(pattern_sha "$n")"; done
} >"$TMPD/want"
t0=$(now_ms)
ns_exec bash -c '
	url=$1 want=$2 body=$3 bad=0
	mapfile -t rows <"$want"
	for i in $(seq 0 499); do
		row=${rows[$((i % ${#rows[@]}))]}
		n=${row% *} sha=${row#* }
		if [ "$n" = home ]; then path=/; else path=/bytes/$n; fi
		code=$(curl -s --max-time 5 -o "$body" -w "%{http_code}" "$url$path") || true
		got=$(sha256sum <"$body" | cut -d" " -f1)
		if [ "$code" != 200 ] || [ "$got" != "$sha" ]; then
			echo "request $i $path: status $code, body sha $got (want $sha)" >&2
			bad=$((bad + 1))
			[ $bad -lt 5 ] || break
		fi
	done
	echo $bad' _ "$URL" "$TMPD/want" "$TMPD/body" >"$TMPD/curl.out" || true
log "500 curl requests in $(ms_since "$t0") ms"
assert_eq "$(cat "$TMPD/curl.out")" 0 "curl requests with a wrong status or body"
assert_match "$(ns_exec curl -s --max-time 5 "$URL/")" '<h1>tern</h1>' "GET / is the home page"

# --- ab, keep-alive and not --------------------------------------------------
# ab_check NAME ARGS...: zero failed, zero non-2xx, all complete.
ab_check() {
	local name=$1 out t0
	shift
	t0=$(now_ms)
	out=$(ns_exec timeout 60 ab -q -s 10 "$@" 2>&1) || fail "ab $name failed: $(tail -n 5 <<<"$out")"
	log "ab $name: $(ms_since "$t0") ms, $(grep -E '^Requests per second' <<<"$out" | tr -s ' ')"
	assert_eq "$(sed -n 's/^Complete requests: *//p' <<<"$out")" 20000 "ab $name: complete requests"
	assert_eq "$(sed -n 's/^Failed requests: *//p' <<<"$out")" 0 "ab $name: failed requests"
	grep -q '^Non-2xx responses' <<<"$out" && fail "ab $name: $(grep '^Non-2xx' <<<"$out")"
	grep -q '^Keep-Alive requests' <<<"$out" && log "ab $name: $(grep '^Keep-Alive requests' <<<"$out")"
	return 0
}
ab_check "-k" -n 20000 -c 100 -k "$URL/bytes/1000"
ab_check "(no -k)" -n 20000 -c 100 "$URL/"

# --- wrk ---------------------------------------------------------------------
out=$(ns_exec timeout 30 wrk -t2 -c50 -d5s "$URL/bytes/4096" 2>&1) || fail "wrk failed: $out"
log "wrk: $(grep -E 'requests in|Requests/sec' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
grep -q 'Socket errors' <<<"$out" && fail "wrk: $(grep 'Socket errors' <<<"$out")"
grep -q 'Non-2xx' <<<"$out" && fail "wrk: $(grep 'Non-2xx' <<<"$out")"
assert_match "$out" 'requests in' "wrk ran"

# --- HEAD, 404, 405, 431, 400, 505 -------------------------------------------
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
unhex() { "$PY" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$1"; }
# raw_http REQUEST: the whole answer (text) to REQUEST sent in one write.
raw_http() {
	local r
	r=$(pyc raw "$TERN_ADDR" "$HTTP_PORT" "$(hex "$1")") || fail "raw request failed: $r"
	RAW_ERR=$(sed -n 's/.* err=\([^ ]*\).*/\1/p' <<<"$r")
	RAW_LEN=$(sed -n 's/^got=\([0-9]*\).*/\1/p' <<<"$r")
	RAW_HEAD=$(sed -n 's/.* head=\([-0-9]*\).*/\1/p' <<<"$r")
	RAW_TEXT=$(unhex "$(sed -n 's/.* hex=\([0-9a-f-]*\).*/\1/p' <<<"$r" | tr -d -)" | tr -d '\r')
}

raw_http $'HEAD /bytes/12345 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
assert_match "$RAW_TEXT" '^HTTP/1.1 200 ' "HEAD: 200"
assert_match "$RAW_TEXT" '^Content-Length: 12345$' "HEAD: Content-Length of the body it would send"
assert_eq "$RAW_LEN" "$RAW_HEAD" "HEAD: bytes received (the head only, no body)"
code=$(ns_exec curl -s --max-time 5 -o /dev/null -w '%{http_code}' -I "$URL/") || true
assert_eq "$code" 200 "curl -I /"

code=$(ns_exec curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/nope") || true
assert_eq "$code" 404 "GET /nope"
code=$(ns_exec curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X DELETE "$URL/") || true
assert_eq "$code" 405 "DELETE /"

# 10 KiB of header fields: 431, delivered to the client (not lost to a RST).
# tern answers once it has 8 KiB; the rest of the header arrives after its
# answer. RFC 9112 §9.6: a server closes in stages (half-close, then read
# and drop what still comes) so that no RST can destroy the response at the
# client; tern must send no RST here.
big=$(head -c 10240 /dev/zero | tr '\0' a)
tcp_counters_now
rst0=$(counter TcpOutRsts) aod0=$(counter TcpExtTCPAbortOnData)
for i in 1 2 3 4 5; do
	code=$(ns_exec curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL/") || true
	assert_eq "$code" 431 "request with a 10 KiB header (try $i)"
done
raw_http $'GET / HTTP/1.1\r\nX-Big: '"$big"$'\r\n\r\n'
assert_match "$RAW_TEXT" '^HTTP/1.1 431 ' "raw 10 KiB header: 431 (read error: $RAW_ERR)"
assert_eq "$RAW_ERR" none "raw 10 KiB header: the answer ends with FIN, not RST"
tcp_counters_now
aod431=$(($(counter TcpExtTCPAbortOnData) - aod0)) rst431=$(($(counter TcpOutRsts) - rst0))
log "431 answers: TcpExtTCPAbortOnData +$aod431, TcpOutRsts +$rst431 (asserted at the end)"

raw_http $'GARBAGE\r\n\r\n'
assert_match "$RAW_TEXT" '^HTTP/1.1 400 ' "malformed request line 'GARBAGE': 400"
raw_http $'GET /\r\nHost: x\r\n\r\n'
assert_match "$RAW_TEXT" '^HTTP/1.1 400 ' "request line without a version: 400"
raw_http $'GET / HTTP/2.0\r\n\r\n'
assert_match "$RAW_TEXT" '^HTTP/1.1 505 ' "HTTP/2.0 request line: 505"

# --- pipelining ----------------------------------------------------------------
# Two GETs in one write through nc: two answers, in order.
# (GET / first: its body is text ending in a newline, so the second status
# line starts a line of its own.)
out=$(printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n' |
	ns_exec timeout 10 nc -N "$TERN_ADDR" "$HTTP_PORT" | tr -d '\r' | grep -a '^HTTP/') || true
assert_eq "$(tr '\n' ' ' <<<"$out")" "HTTP/1.1 200 OK HTTP/1.1 404 Not Found " "nc: two pipelined answers in order"
out=$(pyc pipeline "$TERN_ADDR" "$HTTP_PORT") || fail "pipeline client: $out"
assert_eq "$out" "answers=200:1000:1,404:10:1,200:3:1" "three pipelined requests (status:length:body ok)"

# --- 64 MiB body ---------------------------------------------------------------
t0=$(now_ms)
got=$(ns_exec timeout 60 curl -s --max-time 50 "$URL/bytes/67108864" | sha256sum | cut -d' ' -f1)
log "GET /bytes/67108864 in $(ms_since "$t0") ms"
assert_eq "$got" "$(pattern_sha 67108864)" "sha256 of /bytes/67108864"

tcp_counters_now
log "$(tcp_summary)"
assert_eq "$aod431" 0 \
	"431 answers: connections reset because header bytes came after the answer (TcpExtTCPAbortOnData)"
assert_eq "$rst431" 0 "431 answers: RSTs sent"
assert_estab_zero 10
tern_stop
assert_clean_exit
pass
