#!/usr/bin/env bash
# Smoke test of tern-linux-conn (not a speed test): a server on 127.0.0.1,
# then client cps and rps for 1 s each with --json; each JSON line must
# parse, with rate > 0 and errors == 0. The server must stop on SIGTERM
# with its "served R requests on C connections" line. No root needed.
#
# usage: bench/linux_conn_smoke.sh [PATH/TO/tern-linux-conn]
#        (default: build-dev/bench/tern-linux-conn, then build/bench/...)
set -euo pipefail
BIN=${1:-}
[ -z "$BIN" ] || BIN=$(realpath "$BIN") # before the cd: meson passes paths relative to the build dir
cd "$(dirname "$0")/.."
if [ -z "$BIN" ]; then
	for b in build-dev/bench/tern-linux-conn build/bench/tern-linux-conn; do
		[ -x "$b" ] && BIN=$b && break
	done
fi
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "tern-linux-conn not found (pass its path)" >&2
	exit 2
fi

TMP=$(mktemp -d)
SRV=""
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# A free port: bind port 0 and let the kernel pick one.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$BIN" server --addr 127.0.0.1 --port "$PORT" >"$TMP/server.out" 2>"$TMP/server.err" &
SRV=$!
for _ in $(seq 50); do
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
	kill -0 "$SRV" 2>/dev/null || { echo "server died:" >&2; cat "$TMP/server.err" >&2; exit 1; }
	sleep 0.1
done

check() { # MODE: one client run, its JSON line checked
	"$BIN" client --addr 127.0.0.1 --port "$PORT" --mode "$1" --concurrency 4 --seconds 1 \
		--json --label smoke >"$TMP/$1.json" 2>"$TMP/$1.err" ||
		{ echo "client $1 failed:" >&2; cat "$TMP/$1.err" >&2; return 1; }
	cat "$TMP/$1.err" >&2
	python3 - "$TMP/$1.json" "$1" <<-'EOF'
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	assert len(lines) == 1, f"expected one JSON line, got {len(lines)}"
	r = json.loads(lines[0])
	keys = ["bench", "mode", "label", "concurrency", "bytes", "seconds", "requests",
	        "connections", "errors", "rate", "cpu_seconds", "rate_per_cpu_second",
	        "p50_us", "p99_us", "p999_us"]
	missing = [k for k in keys if k not in r]
	assert not missing, f"missing keys {missing}"
	assert r["bench"] == "linux-conn" and r["mode"] == sys.argv[2] and r["label"] == "smoke", r
	assert r["rate"] > 0 and r["requests"] > 0, f"no requests: {r}"
	assert r["errors"] == 0, f"errors: {r}"
	assert 0 < r["p50_us"] <= r["p99_us"] <= r["p999_us"], f"percentiles: {r}"
	if sys.argv[2] == "cps":  # one connection per request, give or take those at the edges
	    assert abs(r["connections"] - r["requests"]) <= r["concurrency"], f"cps: {r}"
	print(f"ok {sys.argv[2]}: {r['rate']:.0f} req/s, p50 {r['p50_us']} us")
	EOF
}

fail=0
check cps || fail=1
check rps || fail=1
# The client stops while 1 MiB answers are being written: the server must
# take the EPIPE and live on (a SIGPIPE used to kill it).
"$BIN" client --addr 127.0.0.1 --port "$PORT" --mode rps --concurrency 8 --bytes 1048576 \
	--seconds 0.5 >/dev/null 2>&1 || true
sleep 0.2
kill -0 "$SRV" 2>/dev/null || { echo "server died while a client closed mid-answer" >&2; fail=1; }

kill -TERM "$SRV"
if ! wait "$SRV"; then
	echo "server did not exit 0 on SIGTERM" >&2
	fail=1
fi
SRV=""
grep -Eq '^served [1-9][0-9]* requests on [1-9][0-9]* connections$' "$TMP/server.out" ||
	{ echo "server summary missing: $(cat "$TMP/server.out")" >&2; fail=1; }
cat "$TMP/server.out"
if [ "$fail" = 0 ]; then
	echo "linux_conn smoke: PASS"
else
	echo "linux_conn smoke: FAIL" >&2
fi
exit "$fail"
