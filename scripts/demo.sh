#!/usr/bin/env bash
# Runs tern in network namespace tern-demo on a net_tap port (tern0):
# tern at 198.18.0.1/24, the Linux side of the tap at 198.18.0.2/24.
# Foreground until Ctrl-C or SIGTERM; then stops tern, prints its
# counters and removes the namespace. Safe to start again after a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (it creates a network namespace)"; exit 1; }
NS=tern-demo
CONF=${TERN_DEMO_CONF:-config/demo.conf}
scripts/build.sh

cleanup_ns() {
  if ip netns list | grep -qw "$NS"; then
    # A tern left by a crash still holds the tap: stop it before removing the namespace.
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break; sleep 0.1; done
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$NS"
  fi
}
cleanup_ns
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up

ip netns exec "$NS" build/app/tern -c "$CONF" &
tern_pid=$!
stop() {
  trap - INT TERM EXIT
  kill -TERM "$tern_pid" 2>/dev/null || true
  wait "$tern_pid" 2>/dev/null || true
  cleanup_ns
}
trap stop INT TERM EXIT

for _ in $(seq 1 100); do
  ip netns exec "$NS" ip link show tern0 >/dev/null 2>&1 && break
  kill -0 "$tern_pid" 2>/dev/null || { echo "demo.sh: tern exited during start"; exit 1; }
  sleep 0.1
done
ip netns exec "$NS" ip addr add 198.18.0.2/24 dev tern0
ip netns exec "$NS" ip link set tern0 up

cat <<MSG

tern is running in namespace $NS at 198.18.0.1 (Linux side 198.18.0.2). Try:
  sudo ip netns exec $NS ping 198.18.0.1
  sudo ip netns exec $NS curl http://198.18.0.1/            # http on :80 (also /bytes/N)
  sudo ip netns exec $NS ab -k -n 10000 -c 50 http://198.18.0.1/
  echo hello | sudo ip netns exec $NS nc -N 198.18.0.1 7    # echo on :7 (discard on :9)
  sudo ip netns exec $NS nc -zv 198.18.0.1 81               # refused at once (RST)
  sudo kill -USR1 $tern_pid                                  # print counters now
Ctrl-C stops tern, prints its counters and removes the namespace.

MSG
wait "$tern_pid" || true
