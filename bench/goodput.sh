#!/usr/bin/env bash
# Goodput under delay and loss, tern beside Linux in the same run (issue:
# loss recovery). One receiver, one tern-impair, two senders that take turns:
#
#   L: [tern on a tap] + [Linux 198.18.2.1, CUBIC] -- br0 -- lM
#        |veth
#   M: mL [tern-impair: RTT/2 each way, LOSS % and REORDER % each way] mR
#        |veth
#   R: rR 198.18.2.2: curl GET /bytes/N from tern (198.18.2.3) or from Linux
#
# A case is RTT/LOSS/REORDER[/recv]. A sending case downloads N bytes from
# tern's http service, then from bench/bulk_server.py (Linux TCP,
# TCP_CONGESTION cubic) across the same tern-impair. A receiving case
# ("/recv") has R upload N bytes with CUBIC (bench/upload.py) to tern's
# discard service, then to a Linux sink in L. tern keeps running, idle,
# during Linux's transfer: its worker polls a CPU in both turns, so the
# Linux endpoints have the same CPU time left in both (--tern-off-during-
# linux stops it first, as runs before 2026-12-07's last did: that hands
# Linux's turn a free CPU; on this 2-CPU machine the uploader toward tern
# was short of CPU 40-55 % of its samples). Goodput = bytes / transfer time; a
# transfer still running at --max-seconds is cut there and its goodput is
# what it moved until then (marked "cut"). Reordering holds the chosen
# frames back 5 ms.
# tern-impair is pinned to the first CPU it may use and tern to the second:
# both map their worker lcore onto the second CPU they may use, and two
# busy pollers sharing one CPU take turns in scheduler slices of
# milliseconds, which added 12 ms to the RTT of tern's transfers only
# (in runs before 2026-12-07's last two).
#
# usage: bench/goodput.sh [--mib N] [--max-seconds S] [--cases "20/0/0 ..."]
#                         [--loss "0 0.1 1"] [--build DIR] [--json FILE] [--readme]
#                         [--sample] [--tern-off-during-linux]
# --loss L... is the cases 20/L/0; --readme rewrites the goodput table in
# bench/README.md; --sample samples each sender's connection every 0.1 s
# (bench/goodput_sample.py: tern's through ternctl, Linux's through ss)
# and adds what limited it to the JSON rows. Needs root. GOODPUT_KEEP=1
# keeps the work directory (samples, counters per turn); GOODPUT_PCAP=S
# also captures S seconds of headers at R per turn.
set -euo pipefail
cd "$(dirname "$0")/.."

MIB=64
MAXS=60
CASES="20/0/0 20/0.1/0 20/1/0 100/0/0 100/0.1/0 20/0.1/1 20/0/0/recv 20/1/0/recv"
BUILD=build
JSON=""
README=0
SAMPLE=0
TERN_OFF=0
while [ $# -gt 0 ]; do
	case $1 in
	--mib) MIB=$2; shift ;;
	--max-seconds) MAXS=$2; shift ;;
	--loss) CASES=$(for l in $2; do printf '20/%s/0 ' "$l"; done); shift ;;
	--cases) CASES=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--json) JSON=$2; shift ;;
	--readme) README=1 ;;
	--sample) SAMPLE=1 ;;
	--tern-off-during-linux) TERN_OFF=1 ;;
	-h | --help) sed -n '2,38p' "$0"; exit 0 ;;
	*) echo "goodput.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || { echo "goodput.sh: needs root (namespaces, taps)" >&2; exit 2; }
TERN=$BUILD/app/tern
IMPAIR=$BUILD/app/tern-impair
[ -x "$TERN" ] && [ -x "$IMPAIR" ] || { echo "goodput.sh: build first (ninja -C $BUILD)" >&2; exit 2; }
PIN_IMPAIR="" PIN_TERN=""
read -r -a CPUS <<<"$(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')"
if [ "${#CPUS[@]}" -ge 2 ]; then
	PIN_IMPAIR="taskset -c ${CPUS[0]}" PIN_TERN="taskset -c ${CPUS[1]}"
fi

log() { echo "goodput.sh: $*" >&2; }
ID=$$
NS_L=tern-gp-l-$ID NS_M=tern-gp-m-$ID NS_R=tern-gp-r-$ID
TAP=tgp$((ID % 100000))
TMPD=$(mktemp -d /tmp/tern-goodput.XXXXXX)
PIDS=()
BYTES=$((MIB << 20))

cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for ns in "$NS_L" "$NS_M" "$NS_R"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	[ "${GOODPUT_KEEP:-0}" = 1 ] && echo "goodput.sh: kept $TMPD" >&2 || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the lab ---------------------------------------------------------------
for ns in "$NS_L" "$NS_M" "$NS_R"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add lM netns "$NS_L" type veth peer name mL netns "$NS_M"
ip link add rR netns "$NS_R" type veth peer name mR netns "$NS_M"
ip -n "$NS_L" link add br0 type bridge
ip -n "$NS_L" link set lM master br0
ip -n "$NS_L" addr add 198.18.2.1/24 dev br0
ip -n "$NS_R" addr add 198.18.2.2/24 dev rR
for l in "$NS_L br0" "$NS_L lM" "$NS_R rR" "$NS_M mL" "$NS_M mR"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
# Frames cross af_packet in M: Linux must fill its checksums and send
# MTU-sized frames (no TSO/GSO super-frames), and M must not merge (GRO).
ip netns exec "$NS_L" ethtool -K br0 tx off tso off gso off >/dev/null 2>&1 || true
ip netns exec "$NS_L" ethtool -K lM tx off tso off gso off >/dev/null 2>&1 || true
ip netns exec "$NS_R" ethtool -K rR tx off tso off gso off >/dev/null 2>&1 || true
for i in mL mR; do ip netns exec "$NS_M" ethtool -K "$i" gro off >/dev/null 2>&1 || true; done

ip netns exec "$NS_L" /usr/bin/python3 bench/bulk_server.py 198.18.2.1 8080 cubic >"$TMPD/server.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_L" /usr/bin/python3 bench/upload.py sink 198.18.2.1 9009 >"$TMPD/sink.log" 2>&1 &
PIDS+=($!)

start_impair() { # RTT_MS LOSS REORDER
	local half_ms=$(($1 / 2))
	cat >"$TMPD/impair.conf" <<EOF
[tern]
workers = 1
log_level = warning
[port0]
device = net_af_packet0,iface=mL
promiscuous = yes
[port1]
device = net_af_packet1,iface=mR
promiscuous = yes
[impair.port0]
seed = 11
rx_delay_ms = $half_ms
rx_loss = $2
rx_reorder = $3
rx_reorder_gap_ms = 5
[impair.port1]
seed = 12
rx_delay_ms = $half_ms
rx_loss = $2
rx_reorder = $3
rx_reorder_gap_ms = 5
EOF
	ip netns exec "$NS_M" $PIN_IMPAIR "$IMPAIR" -c "$TMPD/impair.conf" >"$TMPD/impair.log" 2>&1 &
	IMPAIR_PID=$!
	PIDS+=("$IMPAIR_PID")
	wait_log "$TMPD/impair.log" "$IMPAIR_PID"
}

start_tern() {
	cat >"$TMPD/tern.conf" <<EOF
[tern]
workers = 1
log_level = warning
[port0]
device = net_tap0,iface=$TAP
address = 198.18.2.3/24
; [tcp] buffers as configured by default: both autotune, as Linux's do
; (sndbuf_max 4 MiB = tcp_wmem, rcvbuf_max 6 MiB = tcp_rmem)
[service.http]
type = http
port = 80
[service.discard]
type = discard
port = 9
EOF
	ip netns exec "$NS_L" $PIN_TERN "$TERN" -c "$TMPD/tern.conf" >"$TMPD/tern.log" 2>&1 &
	TERN_PID=$!
	PIDS+=("$TERN_PID")
	for _ in $(seq 1 150); do
		ip -n "$NS_L" link show "$TAP" >/dev/null 2>&1 && break
		sleep 0.1
	done
	# net_tap gives the kernel side tern's MAC; as a bridge port that MAC
	# would count as the bridge's own and frames for tern would stay in L.
	ip -n "$NS_L" link set "$TAP" address 02:00:00:00:00:01
	ip -n "$NS_L" link set "$TAP" master br0
	ip -n "$NS_L" link set "$TAP" up
	wait_log "$TMPD/tern.log" "$TERN_PID"
}

# wait_log LOG PID: until ": ready, " (15 s at most).
wait_log() {
	for _ in $(seq 1 150); do
		grep -q ': ready, ' "$1" && return 0
		kill -0 "$2" 2>/dev/null || { cat "$1" >&2; log "exited before it was ready"; exit 1; }
		sleep 0.1
	done
	log "not ready within 15 s: $1"
	exit 1
}

stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# fetch URL: one GET from R; prints "bytes seconds cut(0|1)".
fetch() {
	local out rc=0
	out=$(ip netns exec "$NS_R" curl -sS -o /dev/null --max-time "$MAXS" \
		-w '%{size_download} %{time_total} %{time_starttransfer}' "$1" 2>/dev/null) || rc=$?
	set -- $out
	# Goodput from the first byte of the answer: the handshake and request
	# are the same for both senders and not part of the transfer.
	python3 -c "import sys; b,t,s=int('$1'),float('$2'),float('$3'); print(b, round(t - min(s, t), 3), int($rc == 28))"
}

# reach HOST: ARP and the path, before the clock runs. tern gets a new MAC
# at each start: R's neighbour entry from the previous case would send the
# SYN to the old one until it expires (tens of seconds), so it goes first.
reach() {
	ip -n "$NS_R" neigh flush all
	ip netns exec "$NS_R" ping -c 3 -i 0.2 -W 2 "$1" >/dev/null 2>&1 || true
}

# sample_start KIND ARGS...: goodput_sample.py in the background (--sample).
sample_start() {
	[ "$SAMPLE" = 1 ] || return 0
	rm -f "$TMPD/sample.stop" "$TMPD/sample.txt"
	/usr/bin/python3 bench/goodput_sample.py "$@" "$TMPD/sample.stop" "$TMPD/sample.txt" &
	SAMPLER_PID=$!
	PIDS+=("$SAMPLER_PID")
}

# sample_stop WHO: ends it (GOODPUT_KEEP=1 keeps the samples per turn); prints its summary (JSON), or {} without --sample.
sample_stop() {
	if [ "$SAMPLE" != 1 ]; then echo "{}"; return 0; fi
	touch "$TMPD/sample.stop"
	wait "$SAMPLER_PID" 2>/dev/null || true
	cp "$TMPD/sample.txt" "$TMPD/sample-$1-$rtt-$loss-$reorder-$dir.txt" 2>/dev/null || true
	/usr/bin/python3 bench/goodput_sample.py summary "$TMPD/sample.txt"
}

# upload ADDR PORT: one upload from R (CUBIC); prints "bytes seconds cut(0|1)".
upload() {
	ip netns exec "$NS_R" /usr/bin/python3 bench/upload.py send "$1" "$2" "$BYTES" cubic "$MAXS" 2>/dev/null ||
		echo "0 0 1"
}

# turn tern|linux DIR LABEL: one stack's transfer of the case, sampled;
# prints "BYTES SECONDS CUT LIMITS-JSON" (the JSON has no spaces).
turn() {
	local who=$1 dir=$2 label=$3 addr=198.18.2.3 port=9 url="http://198.18.2.3/bytes/$BYTES" res
	if [ "$who" = linux ]; then
		addr=198.18.2.1 port=9009 url="http://198.18.2.1:8080/bytes/$BYTES"
	fi
	reach "$addr"
	local sender_ns=$NS_L
	[ "$dir" = recv ] && sender_ns=$NS_R
	NSTAT_HISTORY=$TMPD/nstat.hist ip netns exec "$sender_ns" nstat -n >/dev/null 2>&1 || true
	if [ -n "${GOODPUT_PCAP:-}" ]; then # headers at R, for reading a turn with tshark
		ip netns exec "$NS_R" timeout "$GOODPUT_PCAP" tcpdump -i rR -s 96 -w "$TMPD/$who-$rtt-$loss-$reorder-$dir.pcap" \
			tcp >/dev/null 2>&1 &
		sleep 0.5
	fi
	if [ "$dir" = recv ]; then
		log "$label: Linux uploads $MIB MiB to $who"
		sample_start linux "$NS_R" "$addr"
		res=$(upload "$addr" "$port")
	else
		log "$label: $who sends $MIB MiB"
		if [ "$who" = tern ]; then
			sample_start tern "$BUILD/app/ternctl" "$TMPD/tern.conf" 198.18.2.2
		else
			sample_start linux "$NS_L" 198.18.2.2
		fi
		res=$(fetch "$url")
	fi
	# The Linux sender's own counters over the transfer (nstat's delta).
	# All of them are kept per turn in nstat-WHO-CASE.json (GOODPUT_KEEP=1).
	local all=$TMPD/nstat-$who-$rtt-$loss-$reorder-$dir.json
	NSTAT_HISTORY=$TMPD/nstat.hist ip netns exec "$sender_ns" nstat --json >"$all" 2>/dev/null || true
	python3 -c "$PICK_COUNTERS" <"$all" >"$TMPD/counters-$who.json" 2>/dev/null || echo '{}' >"$TMPD/counters-$who.json"
	echo "$res $(sample_stop "$who" | tr -d ' ')"
}

# The recovery counters the JSON rows keep, from tern's stats or nstat.
PICK_COUNTERS='
import json, sys
keep = ("TcpRetransSegs", "TcpExtTCPFastRetrans", "TcpExtTCPLossProbes", "TcpExtTCPTimeouts",
        "TcpExtTCPDSACKRecv", "TcpExtTCPDSACKUndo", "TcpExtTCPSpuriousRTOs", "TcpExtTCPSACKReorder",
        "TcpExtTCPRACKReoTimeout", "TcpExtTCPLostRetransmit", "TcpExtTCPFullUndo", "TcpExtTCPSackRecoveryFail",
        "TcpExtTCPLossUndo", "TcpExtTCPSackRecovery", "TcpExtTCPRenoRecovery")
lines = sys.stdin.read().splitlines()
stats = json.loads(lines[0]) if lines else {}
stats = stats.get("kernel", stats)
out = {k: stats[k] for k in keep if k in stats}
link = json.loads(lines[1]) if len(lines) > 1 else []
if link:
    out["TapTxDropped"] = link[0]["stats64"]["tx"]["dropped"]
print(json.dumps(out))'

# tern_counters: tern's recovery counters, and the frames the kernel dropped
# on the tap on their way into tern (its own queue: "tx", toward tern), as JSON.
tern_counters() {
	{
		"$BUILD/app/ternctl" -c "$TMPD/tern.conf" --json stats -a 2>/dev/null | tee "$TMPD/tern-stats-$rtt-$loss-$reorder-$dir.json" ||
			echo '{}'
		ip -n "$NS_L" -s -j link show "$TAP" 2>/dev/null || echo '[]'
	} | python3 -c "$PICK_COUNTERS" 2>/dev/null || echo '{}'
}

results=$TMPD/results.jsonl
for case in $CASES; do
	IFS=/ read -r rtt loss reorder dir <<<"$case"
	dir=${dir:-send}
	label="$rtt ms, loss $loss %, reorder $reorder %"
	# Each turn gets a fresh tern-impair with the same seeds: both stacks
	# meet the same sequence of drops and held-back frames (the n-th frame
	# each way), so a lucky or unlucky first loss in slow start does not
	# decide the ratio. (Before 2026-12-07's last run Linux's turn went on
	# with the random stream tern's turn had left.)
	start_tern
	start_impair "$rtt" "$loss" "$reorder"
	read -r tb ts tcut tlim <<<"$(turn tern "$dir" "$label")"
	stop_pid "$IMPAIR_PID"
	tcnt=$(tern_counters)
	[ "$TERN_OFF" = 1 ] && stop_pid "$TERN_PID"
	start_impair "$rtt" "$loss" "$reorder"
	read -r lb ls lcut llim <<<"$(turn linux "$dir" "$label")"
	[ "$TERN_OFF" = 1 ] || stop_pid "$TERN_PID"
	stop_pid "$IMPAIR_PID"
	python3 - "$dir" "$rtt" "$loss" "$reorder" "$tb" "$ts" "$tcut" "$lb" "$ls" "$lcut" "$tlim" "$llim" "$tcnt" \
		"$(cat "$TMPD/counters-linux.json" 2>/dev/null)" "$(cat "$TMPD/counters-tern.json" 2>/dev/null)" >>"$results" <<'EOF'
import json, sys
d, rtt, loss, reo, tb, ts, tcut, lb, ls, lcut, tlim, llim, tcnt, lcnt, upcnt = sys.argv[1:]
tb, lb, ts, ls = int(tb), int(lb), float(ts), float(ls)
t = tb * 8 / ts / 1e6 if ts > 0 else 0.0
l = lb * 8 / ls / 1e6 if ls > 0 else 0.0
print(json.dumps({"scenario": "goodput", "direction": d, "rtt_ms": int(rtt), "loss_pct": float(loss),
                  "reorder_pct": float(reo),
                  "tern_bytes": tb, "tern_seconds": ts, "tern_mbit_s": round(t, 2), "tern_cut": tcut == "1",
                  "linux_bytes": lb, "linux_seconds": ls, "linux_mbit_s": round(l, 2), "linux_cut": lcut == "1",
                  "linux_cc": "cubic", "ratio": round(t / l, 3) if l > 0 else None,
                  "tern_limits": json.loads(tlim), "linux_limits": json.loads(llim),
                  "tern_counters": json.loads(tcnt or "{}"), "linux_counters": json.loads(lcnt or "{}"),
                  **({"uploader_to_tern_counters": json.loads(upcnt or "{}")} if d == "recv" else {})}))

EOF
	tail -n1 "$results" >&2
done

python3 - "$results" "$MIB" "$MAXS" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"goodput, {sys.argv[2]} MiB across tern-impair, cut at {sys.argv[3]} s")
print(f"{'tern':>8} {'RTT':>4} {'loss %':>7} {'reo %':>6} {'tern Mbit/s':>12} {'tern s':>8} {'Linux Mbit/s':>13} {'Linux s':>8} {'ratio':>6}")
for r in rows:
    print(f"{'sends' if r['direction'] == 'send' else 'receives':>8} {r['rtt_ms']:>4} {r['loss_pct']:>7} {r['reorder_pct']:>6}"
          f" {r['tern_mbit_s']:>12} {r['tern_seconds']:>7}{'*' if r['tern_cut'] else ' '}"
          f" {r['linux_mbit_s']:>13} {r['linux_seconds']:>7}{'*' if r['linux_cut'] else ' '} {r['ratio']:>6}")
if any(r["tern_cut"] or r["linux_cut"] for r in rows):
    print("* cut at the time limit: goodput of the bytes moved until then")
EOF
if [ -n "$JSON" ]; then cp "$results" "$JSON"; fi
if [ "$README" = 1 ]; then
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	python3 - "$results" bench/README.md "$MIB" "$MAXS" "$(date -u +%Y-%m-%d)" "$commit" <<'EOF'
import json, sys
res, readme, mib, maxs, date, commit = sys.argv[1:]
rows = [json.loads(l) for l in open(res)]
out = [f"Run of {date} at commit `{commit}`: {mib} MiB across `tern-impair`, half the RTT each "
       f"way, loss and reordering applied both ways (a reordered frame is held back 5 ms). "
       f"tern sends: a GET from tern's http service beside one from Linux (CUBIC, TCP_CONGESTION); "
       f"tern receives: Linux (CUBIC) uploads to tern's discard service beside a Linux sink. "
       f"Default buffers on both sides (both autotune). A transfer is cut at {maxs} s (marked *).", "",
       "| tern | RTT | loss | reordering | tern Mbit/s (s) | Linux Mbit/s (s) | **ratio** tern/Linux |",
       "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
for r in rows:
    c = lambda cut: "*" if cut else ""
    out.append(f"| {'sends' if r['direction'] == 'send' else 'receives'} | {r['rtt_ms']} ms "
               f"| {r['loss_pct']} % | {r['reorder_pct']} % "
               f"| {r['tern_mbit_s']} ({r['tern_seconds']}{c(r['tern_cut'])}) "

               f"| {r['linux_mbit_s']} ({r['linux_seconds']}{c(r['linux_cut'])}) | **{r['ratio']}** |")
text = open(readme).read()
a, b = "<!-- goodput-table:start -->", "<!-- goodput-table:end -->"
i, j = text.index(a) + len(a), text.index(b)
open(readme, "w").write(text[:i] + "\n" + "\n".join(out) + "\n" + text[j:])
EOF
fi
