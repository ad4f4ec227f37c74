#!/usr/bin/env bash
# ternctl capture against a running tern: a capture with a host filter runs
# in the background while curl fetches 1 MiB from the http service; Ctrl-C
# (SIGINT to ternctl) ends it once the connection has closed. tshark reads
# the file; the server's half of the stream, reassembled by tshark, holds
# the body (its sha256 is the pattern's); tshark's expert finds no error,
# with checksum validation on (tern fills in the capture the checksums it
# left to the port); both directions and one interface are there, with
# timestamps of today. Also: a second capture is refused while one runs,
# -c stops after N packets, a bad filter and a relative path are refused,
# a port filter keeps other traffic out, the counters show CapturePackets,
# and after tern has stopped ternctl capture fails clearly. tern exits with
# every mbuf back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

TERNCTL=$BUILD_DIR/app/ternctl
[ -x "$TERNCTL" ] || fail "no ternctl at $TERNCTL"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
BODY=1048576
CAP=$TMPD/http.pcapng

# tctl ARGS...: ternctl aimed at this test's tern (other terns may be running).
tctl() { "$TERNCTL" --pid "$TERN_PID" "$@"; }
# tsh ARGS...: tshark reading a capture, with checksum validation on.
tsh() { tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "$@" 2>/dev/null; }

# check_stream FILE WHAT: the server's half of the file's first TCP stream
# (tshark's follow, hex lines indented by a tab) holds the /bytes/$BODY
# body, and tshark's expert finds no error with checksums validated.
check_stream() {
	local f=$1 what=$2
	tsh -r "$f" -q -z follow,tcp,raw,0 | sed -n 's/^\t//p' | tr -d '\n' |
		"$PY" -c 'import sys
d = bytes.fromhex(sys.stdin.read().strip())
head, sep, body = d.partition(b"\r\n\r\n")
sys.stdout.buffer.write(body)' >"$TMPD/body"
	assert_eq "$(stat -c %s "$TMPD/body")" "$BODY" "$what: bytes of the body tshark reassembled"
	assert_eq "$(sha_file "$TMPD/body")" "$(pattern_sha "$BODY")" "$what: sha256 of the body tshark reassembled"
	tsh -r "$f" -q -z expert >"$TMPD/expert.txt"
	log "$what: tshark expert: $(grep -E '^(Errors|Warns|Notes|Chats) \(' "$TMPD/expert.txt" | tr '\n' ' ')"
	if grep -qE '^Errors \(' "$TMPD/expert.txt"; then
		cat "$TMPD/expert.txt" >&2
		fail "$what: tshark's expert reports errors in the capture"
	fi
	log "ok: $what: no Error-severity expert entries (checksums validated)"
}

ns_create
tern_start "$(svc_conf capture)"
ping_until_reply

# --- a capture in the background, host filter ----------------------------------
"$TERNCTL" --pid "$TERN_PID" capture -w "$CAP" host "$LINUX_ADDR" >"$TMPD/cap.out" 2>"$TMPD/cap.err" &
CAP_PID=$!
IT_PIDS+=("$CAP_PID")
deadline=$((SECONDS + 10))
until grep -q 'capturing on' "$TMPD/cap.err"; do
	kill -0 "$CAP_PID" 2>/dev/null || fail "ternctl capture exited: $(cat "$TMPD/cap.err")"
	[ $SECONDS -lt $deadline ] || fail "ternctl capture did not start within 10 s"
	sleep 0.1
done
log "$(cat "$TMPD/cap.err")"

# --- a second capture is refused while one runs -----------------------------------
rc=0
out=$(tctl capture -w "$TMPD/second.pcapng" -c 1 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status of a second concurrent capture"
assert_match "$out" 'a capture is already running' "a second capture is refused: $out"
[ ! -e "$TMPD/second.pcapng" ] || fail "the refused capture created its file"

# --- traffic: 1 MiB over http, a connection that closes ---------------------------
got=$(ns_exec curl -s --max-time 20 "http://$TERN_ADDR/bytes/$BODY" | sha256sum | cut -d' ' -f1)
assert_eq "$got" "$(pattern_sha "$BODY")" "sha256 of /bytes/$BODY through curl"
# curl has closed; tern's FIN and Linux's last ACK follow within a round trip.
assert_estab_zero 10
sleep 0.5
kill -INT "$CAP_PID"
rc=0
wait "$CAP_PID" || rc=$?
assert_eq "$rc" 0 "exit status of ternctl capture after Ctrl-C"
summary=$(cat "$TMPD/cap.out")
log "ternctl capture: $summary"
assert_match "$summary" '^[0-9]+ packets captured, 0 dropped$' "ternctl capture's summary"
npk=${summary%% *}
assert_gt "$npk" 700 "packets captured (1 MiB in 1448-byte segments and their ACKs)"

# --- tshark reads it ------------------------------------------------------------------
[ -s "$CAP" ] || fail "no capture file at $CAP"
total=$(tsh -r "$CAP" | wc -l)
assert_eq "$total" "$npk" "packets tshark reads from the file"
capinfos "$CAP" >"$TMPD/capinfos.txt" 2>&1 || fail "capinfos failed: $(cat "$TMPD/capinfos.txt")"
assert_match "$(cat "$TMPD/capinfos.txt")" 'File encapsulation: +Ethernet' "capinfos: Ethernet"
assert_match "$(cat "$TMPD/capinfos.txt")" 'Number of interfaces in file: +1' "capinfos: one interface (one tern port)"
from_tern=$(tsh -r "$CAP" -Y "ip.src == $TERN_ADDR" | wc -l)
to_tern=$(tsh -r "$CAP" -Y "ip.dst == $TERN_ADDR" | wc -l)
assert_gt "$from_tern" 700 "packets from tern in the capture (TX)"
assert_gt "$to_tern" 5 "packets to tern in the capture (RX)"
first=$(tsh -r "$CAP" -c 1 -T fields -e frame.time_epoch)
skew=$(awk -v a="${first%.*}" -v b="$(date +%s)" 'BEGIN { d = b - a; print d < 0 ? -d : d }')
assert_le "$skew" 120 "seconds between the first packet's timestamp and now"
# The host filter: every frame carries Linux's address (IPv4, or ARP's sender or target).
others=$(tsh -r "$CAP" -Y "!(ip.addr == $LINUX_ADDR) && !(arp.src.proto_ipv4 == $LINUX_ADDR) && !(arp.dst.proto_ipv4 == $LINUX_ADDR)" | wc -l)
assert_eq "$others" 0 "frames in the capture without host $LINUX_ADDR"

check_stream "$CAP" "one worker"

# --- -c stops after N packets; a port filter keeps other traffic out -----------------
"$TERNCTL" --pid "$TERN_PID" capture -w "$TMPD/count.pcapng" -c 6 port "$HTTP_PORT" >"$TMPD/count.out" 2>"$TMPD/count.err" &
CNT_PID=$!
IT_PIDS+=("$CNT_PID")
sleep 0.5
ns_exec ping -c 3 -i 0.2 -W 1 "$TERN_ADDR" >/dev/null || fail "ping during the -c capture"
for _ in 1 2 3; do ns_exec curl -s --max-time 5 -o /dev/null "http://$TERN_ADDR/"; done
deadline=$((SECONDS + 10))
while kill -0 "$CNT_PID" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "ternctl capture -c 6 did not end within 10 s"
	sleep 0.1
done
rc=0
wait "$CNT_PID" || rc=$?
assert_eq "$rc" 0 "exit status of ternctl capture -c 6"
assert_eq "$(cat "$TMPD/count.out")" "6 packets captured, 0 dropped" "ternctl capture -c 6"
assert_eq "$(tsh -r "$TMPD/count.pcapng" | wc -l)" 6 "packets in the -c 6 file"
assert_eq "$(tsh -r "$TMPD/count.pcapng" -Y "tcp.port == $HTTP_PORT" | wc -l)" 6 \
	"packets of port $HTTP_PORT in the -c 6 file (no ICMP, no ARP)"

# --- refused requests -------------------------------------------------------------------
for args in "host 198.18.0.300" "port 0" "port 70000" "-i 7" "-s 300000" "bogus"; do
	rc=0
	# shellcheck disable=SC2086
	out=$(tctl capture -w "$TMPD/bad.pcapng" $args 2>&1) || rc=$?
	assert_eq "$rc" 2 "exit status of ternctl capture $args"
	assert_match "$out" '^ternctl capture: ' "ternctl capture $args says why: $out"
done
rc=0
out=$("$TERNCTL" --pid "$TERN_PID" capture -w "$TMPD" -c 1 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status of a capture into a directory"
assert_match "$out" 'Is a directory' "a capture into a directory is refused: $out"
# The telemetry command itself: a relative path and a bad host are refused by tern.
out=$(printf '/tern/capture/start,any,any,any,0,0,0,relative.pcapng' |
	"$PY" -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1]); s.recv(1024)
s.send(sys.stdin.read().encode()); print(s.recv(65536).decode())' \
	"/var/run/dpdk/tern-$TERN_PID/dpdk_telemetry.v2")
assert_match "$out" 'must be an absolute path' "tern refuses a relative file: $out"
st=$(tctl --json capture --stop 2>&1) && fail "capture --stop with nothing running succeeded: $st"
assert_match "$st" 'no capture is running' "capture --stop with nothing running: $st"

# --- counters ---------------------------------------------------------------------------
tcp_counters_now
assert_ge "$(counter CapturePackets)" "$((npk + 6))" "CapturePackets"
assert_eq "$(counter CaptureDrops)" 0 "CaptureDrops"

tern_stop
assert_clean_exit
grep -q 'capture 1 to .* ended (stopped)' "$TERN_LOG" || fail "no 'capture 1 ... ended (stopped)' in tern's log"

# --- two workers: -G ends it, the rings are merged in time order ------------------
# With two workers the tap spreads frames over two queues and tern steers
# each segment to the worker that owns its flow: one flow's frames come
# from both workers' rings.
conf=$(svc_conf capture2)
sed -i 's/^workers = 1$/workers = 2/' "$conf"
tern_start "$conf"
assert_match "$(cat "$TERN_LOG")" "ready, 2 worker\\(s\\)" "tern runs two workers"
ping_until_reply
CAP2=$TMPD/two.pcapng
"$TERNCTL" --pid "$TERN_PID" capture -w "$CAP2" -G 4 host "$LINUX_ADDR" >"$TMPD/cap2.out" 2>"$TMPD/cap2.err" &
CAP_PID=$!
IT_PIDS+=("$CAP_PID")
sleep 0.5
got=$(ns_exec curl -s --max-time 20 "http://$TERN_ADDR/bytes/$BODY" | sha256sum | cut -d' ' -f1)
assert_eq "$got" "$(pattern_sha "$BODY")" "two workers: sha256 of /bytes/$BODY through curl"
rc=0
wait "$CAP_PID" || rc=$?
assert_eq "$rc" 0 "two workers: exit status of ternctl capture -G 4"
assert_match "$(cat "$TMPD/cap2.out")" '^[0-9]+ packets captured, 0 dropped$' "two workers: $(cat "$TMPD/cap2.out")"
check_stream "$CAP2" "two workers"

# --- tern stops during a capture: the file is closed, ternctl says so -------------
"$TERNCTL" --pid "$TERN_PID" capture -w "$TMPD/stop.pcapng" >"$TMPD/cap3.out" 2>"$TMPD/cap3.err" &
CAP_PID=$!
IT_PIDS+=("$CAP_PID")
sleep 0.5
ns_exec ping -c 3 -i 0.2 -W 1 "$TERN_ADDR" >/dev/null || fail "ping during the third capture"
tern_stop
assert_clean_exit
wait_log 'capture [0-9]+ to .*stop.pcapng ended \(tern is stopping\)' 5
rc=0
wait "$CAP_PID" || rc=$?
assert_eq "$rc" 1 "exit status of ternctl capture when tern stops under it"
assert_match "$(cat "$TMPD/cap3.err")" 'tern stopped during the capture' "ternctl says tern stopped"
assert_ge "$(tsh -r "$TMPD/stop.pcapng" -Y icmp | wc -l)" 6 "ICMP echo requests and replies in the file tern closed"

# --- no tern: a clear failure ---------------------------------------------------------
rc=0
out=$("$TERNCTL" --pid "$TERN_PID" capture -w "$TMPD/none.pcapng" -c 1 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status of ternctl capture without a tern"
assert_match "$out" 'no running tern' "ternctl capture without a tern: $out"
pass
