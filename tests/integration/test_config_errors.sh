#!/usr/bin/env bash
# Command line and configuration errors: exit status 2 with a message on
# stderr that names the file, the section and the key; --check accepts the
# shipped example; no arguments prints usage.
source "$(dirname "$0")/lib.sh"

# Run inside a namespace anyway: if a bad config were accepted, tern would
# start and create its tap there, not in the host.
ns_create

# run_tern ARGS...: sets rc, out (stdout), err (stderr). Bounded.
run_tern() {
	rc=0
	ns_exec timeout 20 "$TERN_BIN" "$@" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
	out=$(cat "$TMPD/out")
	err=$(cat "$TMPD/err")
}

# bad NAME SECTION KEY BODY: BODY must be refused naming SECTION and KEY.
bad() {
	local name=$1 section=$2 key=$3 f=$TMPD/$1.conf
	printf '%s\n' "$4" >"$f"
	run_tern -c "$f"
	[ "$rc" -eq 2 ] || fail "$name: expected exit status 2, got $rc (stderr: $err)"
	grep -qF -- "$f" <<<"$err" || fail "$name: stderr does not name the file $f: $err"
	grep -qF -- "[$section]" <<<"$err" || fail "$name: stderr does not name the section [$section]: $err"
	if [ -n "$key" ]; then
		grep -qF -- " $key" <<<"$err" || fail "$name: stderr does not name the key $key: $err"
	fi
	[ -z "$out" ] || fail "$name: unexpected stdout: $out"
	log "ok: $name -> status 2: $err"
}

PORT="[port0]
device = net_tap0,iface=$TAP
address = 198.18.0.1/24"

bad mtu-range port0 mtu "$PORT
mtu = 99999"
bad unknown-key port0 adress "[port0]
device = net_tap0,iface=$TAP
adress = 198.18.0.1/24"
bad bad-address port0 address "[port0]
device = net_tap0,iface=$TAP
address = 198.18.0.300/24"
bad missing-address port0 address "[port0]
device = net_tap0,iface=$TAP"
bad missing-device port0 device "[port0]
address = 198.18.0.1/24"
bad network-address port0 address "[port0]
device = net_tap0,iface=$TAP
address = 198.18.0.0/24"
bad gateway-off-link port0 gateway "$PORT
gateway = 198.19.0.1"
bad twice port0 mtu "$PORT
mtu = 1500
mtu = 1400"
bad section-twice port0 "" "$PORT
[port0]
mtu = 1400"
bad client-no-target service.load target "$PORT
[service.load]
type = client
port = 80"
bad client-key-on-http service.web target "$PORT
[service.web]
type = http
port = 80
target = 198.18.0.2"
bad client-bad-mode service.load mode "$PORT
[service.load]
type = client
port = 80
target = 198.18.0.2
mode = fast"
bad client-bad-path service.load path "$PORT
[service.load]
type = client
port = 80
target = 198.18.0.2
path = bytes/64"
bad workers-zero tern workers "[tern]
workers = 0
$PORT"
bad loss-range impair.port0 rx_loss "$PORT
[impair.port0]
rx_loss = 150"
bad impair-key impair.port0 rx_lose "$PORT
[impair.port0]
rx_lose = 10"
bad impair-no-port impair.port1 "" "$PORT
[impair.port1]
rx_loss = 10"
bad unknown-section portx "" "$PORT
[portx]
mtu = 1500"
bad log-level tern log_level "[tern]
log_level = loud
$PORT"

# An unreadable file: status 2, the file named.
run_tern -c "$TMPD/does-not-exist.conf"
assert_eq "$rc" 2 "missing file: exit status"
assert_match "$err" "does-not-exist\\.conf: cannot open" "missing file: stderr names the file"

# The shipped example passes --check (which starts nothing).
run_tern -c "$REPO/config/demo.conf" --check
assert_eq "$rc" 0 "--check config/demo.conf: exit status"
assert_match "$out" "configuration OK" "--check config/demo.conf: says OK"

# --check still refuses a bad file.
run_tern -c "$TMPD/mtu-range.conf" --check
assert_eq "$rc" 2 "--check on a bad file: exit status"

# No arguments: usage on stderr, status 2.
run_tern
assert_eq "$rc" 2 "no arguments: exit status"
assert_match "$err" "^usage: " "no arguments: usage line"
# Unknown option: same.
run_tern --frobnicate
assert_eq "$rc" 2 "unknown option: exit status"
assert_match "$err" "^usage: " "unknown option: usage line"

# Nothing was started by any of the above.
[ -z "$(ip netns pids "$NS")" ] || fail "a tern process is still running in $NS"
ip netns exec "$NS" ip link show "$TAP" >/dev/null 2>&1 && fail "a tap was created by a refused config"
pass
