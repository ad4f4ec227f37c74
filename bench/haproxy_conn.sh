#!/usr/bin/env bash
# The HAProxy baseline of tern-bench proxy: HAProxy (Debian's 2.6) in mode
# tcp, one thread, between tern-linux-conn's client and its server, all in
# one network namespace (named after this script's pid, deleted on exit
# whatever happens) on loopback, so that only the proxy is between them.
#
# usage: bench/haproxy_conn.sh LINUX_CONN_BIN PROXY_CPU PEERS_CPU CLIENT_OPTIONS...
#   LINUX_CONN_BIN  tern-linux-conn
#   PROXY_CPU       CPU haproxy is pinned to (taskset and cpu-map)
#   PEERS_CPU       CPU the server and the client are both pinned to
#   CLIENT_OPTIONS  passed to `tern-linux-conn client` as they are (--mode,
#                   --concurrency, --bytes, --seconds ...); --json is implied
# Prints the client's JSON line with four fields added: haproxy_cpu_seconds,
# haproxy_cpu_share (those seconds / the client's measured seconds),
# rate_per_haproxy_cpu_second (requests / haproxy_cpu_seconds) and
# haproxy_splice (below). Exit status 3: it cannot run (not root, no
# haproxy, no `ip netns`); one line on stderr says why.
# Environment: HAPROXY=path (default /usr/sbin/haproxy);
# HAPROXY_SPLICE=auto|always|never (default: always when --bytes >= 65536,
# else auto).
#
# Splice. HAProxy forwards through Linux splice(2) (socket -> pipe -> socket,
# no copy to user space) only with one of the splice options, and logs
# nothing about it. "option splice-auto" was measured NOT to splice here
# (2.6.12, mode tcp, 1 MiB answers on one keep-alive connection): strace -c
# shows only recvfrom/sendto, and haproxy never opens a pipe besides its
# wake-up pipe. Its heuristic enables splicing in process_stream() once a
# channel is a "fast streamer" (3 full-buffer reads in a row), which a
# stream that is only forwarding apparently never gets back to. Forcing it
# ("option splice-request" + "option splice-response": always) does splice
# (strace: splice() only, no recvfrom/sendto) and moves 1 MiB answers
# faster on less CPU, but costs small exchanges (64 B rps) a quarter of
# their rate. So the default is the better of the two for the size:
#   auto    option splice-auto (in effect: no splicing, 16 KiB buffer copies)
#   always  option splice-request + option splice-response
#   never   no splice option
#
# HAProxy's CPU time is utime+stime of its process (/proc/PID/stat, clock
# ticks, all threads). The client measures after a 0.2 s warm-up of its own
# (WARMUP_NS in linux_conn.c), so the first sample is taken in the
# background 0.2 s after the client is launched, the second as soon as the
# client has exited: the interval is the client's measured one to within a
# few milliseconds (its start-up and exit) plus one clock tick (10 ms at
# CLK_TCK 100) of rounding at each end; the warm-up is not in it.
set -uo pipefail

if [ $# -lt 3 ]; then
	sed -n '7,20p' "$0" >&2
	exit 2
fi
BIN=$1 PROXY_CPU=$2 PEERS_CPU=$3
shift 3
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}

# Addresses from 198.18.0.0/15 (benchmarking, RFC 2544) only, both /32 on
# the loopback of our own namespace: nothing leaves it.
SRV_IP=198.18.210.1
HAP_IP=198.18.210.2
PORT=8080
NS=hap-$$
SRV=""
HAP=""
SAMPLER=""
TMP=""

skip() {
	echo "haproxy_conn: $*; no haproxy figure" >&2
	exit 3
}

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	local p
	for p in "$SAMPLER" "$HAP" "$SRV"; do
		if [ -n "$p" ]; then
			kill "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
	ip netns del "$NS" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || skip "not root"
[ -x "$BIN" ] || skip "$BIN is not executable"
[ -x "$HAPROXY" ] || skip "no haproxy at $HAPROXY"
command -v taskset >/dev/null || skip "no taskset"
TMP=$(mktemp -d /tmp/haproxy_conn.XXXXXX) || skip "mktemp failed"
err=$( { ip netns add "$NS" && ip -n "$NS" link set lo up &&
	ip -n "$NS" addr add "$SRV_IP/32" dev lo &&
	ip -n "$NS" addr add "$HAP_IP/32" dev lo; } 2>&1) ||
	skip "ip netns: $(echo "$err" | head -n 1)"

# maxconn 100000 needs 2 descriptors a connection plus 2 a pipe (maxpipes
# is maxconn/4): 250000 descriptors, and haproxy refuses to start when it
# cannot raise RLIMIT_NOFILE that far. Where the hard limit is lower (a
# container), maxconn is what it allows; the runs need only --concurrency.
MAXCONN=100000
nofile=$(ulimit -Hn)
if [ "$nofile" != unlimited ] && [ $(((nofile - 1000) * 2 / 5)) -lt "$MAXCONN" ]; then
	MAXCONN=$(((nofile - 1000) * 2 / 5))
	[ "$MAXCONN" -ge 64 ] || skip "open files hard limit $nofile is too low"
fi

secs=1
bytes=0
prev=""
for a in "$@"; do
	case $prev in
	--seconds) secs=$a ;;
	--bytes) bytes=$a ;;
	esac
	case $a in
	--seconds=*) secs=${a#*=} ;;
	--bytes=*) bytes=${a#*=} ;;
	esac
	prev=$a
done
SPLICE=${HAPROXY_SPLICE:-}
if [ -z "$SPLICE" ]; then
	SPLICE=auto
	[[ $bytes =~ ^[0-9]+$ ]] && [ "$bytes" -ge 65536 ] && SPLICE=always
fi
case $SPLICE in
auto) SPLICE_CFG=$'\toption splice-auto' ;;
always) SPLICE_CFG=$'\toption splice-request\n\toption splice-response' ;;
never) SPLICE_CFG=$'\t# no splice option' ;;
*)
	echo "haproxy_conn: HAPROXY_SPLICE is auto, always or never, not '$SPLICE'" >&2
	exit 2
	;;
esac

CFG=$TMP/haproxy.cfg
cat >"$CFG" <<EOF
global
	maxconn $MAXCONN
	nbthread 1
	# thread group 1, thread 1 (on top of the taskset below)
	cpu-map 1/1 $PROXY_CPU
	# HAProxy 2.6's default; it accepts at most 4 connections in a row
	# before serving the others, which its documentation says works best
	tune.maxaccept 4

defaults
	mode tcp
	no log
	maxconn $MAXCONN
	timeout connect 5s
	timeout client 30s
	timeout server 30s
	# Linux splice(2) between the two sockets needs one of the splice
	# options (see the top of the script: splice-auto does not splice here)
$SPLICE_CFG

frontend fe
	bind $HAP_IP:$PORT
	default_backend be

backend be
	server s1 $SRV_IP:$PORT
EOF
err=$("$HAPROXY" -c -q -f "$CFG" 2>&1) || skip "haproxy rejects its config: $(echo "$err" | head -n 1)"

ip netns exec "$NS" "$BIN" server --addr "$SRV_IP" --port "$PORT" --cpu "$PEERS_CPU" \
	>/dev/null 2>&1 &
SRV=$!
# ip netns exec and taskset exec haproxy, so $! is haproxy's pid; -db keeps
# it in the foreground.
ip netns exec "$NS" taskset -c "$PROXY_CPU" "$HAPROXY" -db -f "$CFG" \
	>"$TMP/haproxy.log" 2>&1 &
HAP=$!

# Ready when a connection goes through to the server, then to haproxy (at
# most 2 s each).
ready() { # PID IP NAME
	local _
	for _ in $(seq 40); do
		ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/$2/$PORT" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || {
			echo "haproxy_conn: the $3 died" >&2
			[ "$3" = haproxy ] && grep -m 3 -v NOTICE "$TMP/haproxy.log" >&2
			exit 1
		}
		sleep 0.05
	done
	echo "haproxy_conn: the $3 does not accept connections after 2 s" >&2
	exit 1
}
ready "$SRV" "$SRV_IP" server
ready "$HAP" "$HAP_IP" haproxy
[ "$(cat "/proc/$HAP/comm" 2>/dev/null)" = haproxy ] ||
	{ echo "haproxy_conn: pid $HAP is not haproxy" >&2; exit 1; }

TCK=$(getconf CLK_TCK)
cpu_ticks() { # utime + stime of haproxy (fields 14 and 15, after "(comm)")
	local s
	s=$(cat "/proc/$HAP/stat") || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $s
	echo $((${12} + ${13}))
}

# The client stops by itself after its warm-up and --seconds; the limit only
# guards against a hang.
limit=$(awk -v s="$secs" 'BEGIN { print s + 10 }')

(
	sleep 0.2
	cpu_ticks >"$TMP/cpu0"
) &
SAMPLER=$!
out=$(timeout -k 1 "$limit" ip netns exec "$NS" "$BIN" client --addr "$HAP_IP" --port "$PORT" \
	--cpu "$PEERS_CPU" "$@" --json)
rc=$?
t1=$(cpu_ticks)
wait "$SAMPLER"
SAMPLER=""
t0=$(cat "$TMP/cpu0" 2>/dev/null)
kill -0 "$HAP" 2>/dev/null || { echo "haproxy_conn: haproxy died during the run" >&2; rc=1; }

line=$(printf '%s\n' "$out" | grep '^{' | tail -n 1)
if [ -z "$line" ] || [ -z "$t0" ] || [ -z "$t1" ]; then
	[ -n "$out" ] && printf '%s\n' "$out"
	[ "$rc" = 0 ] && rc=1
	exit "$rc"
fi
printf '%s\n' "$line" | awk -v t0="$t0" -v t1="$t1" -v tck="$TCK" -v splice="$SPLICE" '
function field(name,   m) {
	if (match($0, "\"" name "\":[-0-9.eE+]+") == 0)
		return 0
	m = substr($0, RSTART, RLENGTH)
	sub(/^[^:]*:/, "", m)
	return m + 0
}
{
	cpu = (t1 - t0) / tck
	secs = field("seconds")
	req = field("requests")
	share = secs > 0 ? cpu / secs : 0
	per = cpu > 0 ? req / cpu : 0
	sub(/}[ \t]*$/, "")
	printf "%s,\"haproxy_cpu_seconds\":%.2f,\"haproxy_cpu_share\":%.3f," \
		"\"rate_per_haproxy_cpu_second\":%.1f,\"haproxy_splice\":\"%s\"}\n", \
		$0, cpu, share, per, splice
}'
exit "$rc"
