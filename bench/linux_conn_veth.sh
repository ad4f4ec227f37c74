#!/usr/bin/env bash
# The Linux baseline of tern-bench conn over a veth pair between two network
# namespaces: tern-linux-conn's server in one, its client in the other, so
# that every frame crosses a (virtual) link with its own device queues
# instead of loopback. Both namespaces are created here, named after this
# script's pid, and deleted on exit whatever happens.
#
# usage: bench/linux_conn_veth.sh BIN SERVER_CPU CLIENT_CPU CLIENT_OPTIONS...
#   BIN             tern-linux-conn
#   SERVER_CPU      CPU the server is pinned to (the client's for one core)
#   CLIENT_CPU      CPU the client is pinned to
#   CLIENT_OPTIONS  passed to `tern-linux-conn client` as they are (--mode,
#                   --concurrency, --bytes, --seconds, --json ...)
# Prints what the client prints. Exit status 3: the namespaces could not be
# set up (not root, no `ip netns`); one line on stderr says why.
set -uo pipefail

if [ $# -lt 3 ]; then
	sed -n '8,16p' "$0" >&2
	exit 2
fi
BIN=$1 SRV_CPU=$2 CL_CPU=$3
shift 3

# Addresses from 198.18.0.0/15 (benchmarking, RFC 2544) only; the /30 lives
# in our own namespaces, so concurrent runs do not collide.
SRV_IP=198.18.200.1
CL_IP=198.18.200.2
PORT=8080
NS_S=tlc-$$-s
NS_C=tlc-$$-c
SRV=""

skip() {
	echo "linux_conn_veth: $*; no veth figure" >&2
	exit 3
}

cleanup() {
	if [ -n "$SRV" ]; then
		kill "$SRV" 2>/dev/null
		wait "$SRV" 2>/dev/null
	fi
	ip netns del "$NS_S" 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || skip "not root"
[ -x "$BIN" ] || skip "$BIN is not executable"
err=$( { ip netns add "$NS_S" && ip netns add "$NS_C" &&
	ip link add "tlc$$s" netns "$NS_S" type veth peer name "tlc$$c" netns "$NS_C" &&
	ip -n "$NS_S" addr add "$SRV_IP/30" dev "tlc$$s" &&
	ip -n "$NS_C" addr add "$CL_IP/30" dev "tlc$$c" &&
	ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up &&
	ip -n "$NS_S" link set "tlc$$s" up && ip -n "$NS_C" link set "tlc$$c" up; } 2>&1) ||
	skip "ip netns: $(echo "$err" | head -n 1)"

ip netns exec "$NS_S" "$BIN" server --addr "$SRV_IP" --port "$PORT" --cpu "$SRV_CPU" \
	>/dev/null 2>&1 &
SRV=$!
# Ready when a connection from the client's side goes through (at most 2 s).
for _ in $(seq 40); do
	ip netns exec "$NS_C" bash -c "exec 3<>/dev/tcp/$SRV_IP/$PORT" 2>/dev/null && break
	kill -0 "$SRV" 2>/dev/null || { echo "linux_conn_veth: the server died" >&2; exit 1; }
	sleep 0.05
done

# The client stops by itself after its warm-up and --seconds; the limit only
# guards against a hang.
secs=1
prev=""
for a in "$@"; do
	[ "$prev" = "--seconds" ] && secs=$a
	prev=$a
done
limit=$(awk -v s="$secs" 'BEGIN { print s + 10 }')
timeout -k 1 "$limit" ip netns exec "$NS_C" "$BIN" client --addr "$SRV_IP" --port "$PORT" \
	--cpu "$CL_CPU" "$@"
