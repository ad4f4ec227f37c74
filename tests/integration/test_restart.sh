#!/usr/bin/env bash
# Restart after a crash: tern is SIGKILLed (no shutdown path runs), then a
# new tern starts in the same namespace with the same tap name and works.
# Also checks what the crash left behind: the tap (the kernel removes a
# non-persistent tap when its last file descriptor closes) and EAL's
# runtime directory /var/run/dpdk/tern-PID.
source "$(dirname "$0")/lib.sh"

ns_create
conf=$(tern_conf restart)

tern_start "$conf"
ping_until_reply
first_pid=$TERN_PID
tern_kill
assert_eq "$TERN_STATUS" 137 "first tern killed by SIGKILL"

# Who cleans the tap? Give the kernel 5 s to drop it; remove it ourselves
# only if it stays (and say so).
gone=0
for _ in $(seq 1 50); do
	ns_exec ip link show "$TAP" >/dev/null 2>&1 || { gone=1; break; }
	sleep 0.1
done
if [ $gone -eq 1 ]; then
	log "the kernel removed tap $TAP when the killed tern's file descriptors closed"
else
	log "tap $TAP survived the SIGKILL: the test removes it"
	ns_exec ip link del "$TAP"
fi

# Second start: same namespace, same config, same tap name.
tern_start "$conf"
out=$(ns_exec ping -c 5 -i 0.2 -W 2 "$TERN_ADDR" 2>&1) || true
assert_eq "$(ping_received "$out")" 5 "echo replies from the restarted tern"
out=$(ns_exec timeout 10 nc -v -z -w 3 "$TERN_ADDR" 80 2>&1) || true
assert_match "$out" "Connection refused" "restarted tern refuses TCP port 80"
# The restarted tern cleans runtime directories of dead tern processes at
# start (when it builds its own EAL arguments); report what it did.
if [ -d "/var/run/dpdk/tern-$first_pid" ]; then
	log "note: /var/run/dpdk/tern-$first_pid of the killed tern is still there"
else
	log "the killed tern's /var/run/dpdk/tern-$first_pid is gone"
fi
second_pid=$TERN_PID
tern_stop
assert_clean_exit
assert_ge "$(counter IcmpOutEchoReps)" 5 "IcmpOutEchoReps of the restarted tern"
if [ -d "/var/run/dpdk/tern-$second_pid" ]; then
	log "note: /var/run/dpdk/tern-$second_pid is left after a clean exit"
fi

# A third start right after a clean stop works too (the tap went with it).
tern_start "$conf"
ping_until_reply
tern_stop
assert_clean_exit
pass
