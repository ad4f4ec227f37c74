#!/usr/bin/env bash
# Runs tern as a TCP proxy between two network namespaces (config/demo.conf):
#   tern-demo    the clients: Linux 198.18.0.2 on tap tern0; tern answers for
#                198.18.0.1 (its own http/echo/discard services) and for the
#                proxy's virtual IP 198.18.0.10:80;
#   tern-demo-b  the servers: tap tern1 (tern 198.18.1.1), three python3
#                http.servers on 198.18.1.2, .3, .4 port 8000.
# Foreground until Ctrl-C or SIGTERM; then stops tern (it prints its
# counters and the proxy's table), the servers, and removes both namespaces.
# ternctl (build/app/ternctl) finds it by itself while it is the only tern.
# Safe to start again after a crash. TERN_DEMO_NS renames the namespaces
# (the second gets "-b"), TERN_DEMO_CONF replaces the configuration,
# TERN_DEMO_BIN runs that tern binary instead of building build/app/tern.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (it creates network namespaces)"; exit 1; }
NS=${TERN_DEMO_NS:-tern-demo}
NSB=$NS-b
CONF=${TERN_DEMO_CONF:-config/demo.conf}
WWW=$(mktemp -d /tmp/tern-demo-www.XXXXXX)
TERN=${TERN_DEMO_BIN:-}
if [ -z "$TERN" ]; then
  scripts/build.sh
  TERN=build/app/tern
fi

# Stops every process in namespace $1, then removes it.
cleanup_ns() {
  if ip netns list | grep -qw "$1"; then
    # A tern left by a crash still holds the tap: stop it before removing the namespace.
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$1" 2>/dev/null)" ] && break; sleep 0.1; done
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$1"
  fi
}
cleanup_ns "$NS"
cleanup_ns "$NSB"
ip netns add "$NS"
ip netns add "$NSB"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NSB" ip link set lo up

ip netns exec "$NS" "$TERN" -c "$CONF" &
tern_pid=$!
tern_status=
# stop WHY: ends tern (a Ctrl-C reached it already: one signal, so it stops
# gracefully), removes what the demo made, and exits with tern's status (a
# leak at exit is status 1: it must not go unseen).
stop() {
  trap - INT TERM EXIT
  [ "$1" = INT ] || kill -TERM "$tern_pid" 2>/dev/null || true
  if [ -z "$tern_status" ]; then
    tern_status=0
    wait "$tern_pid" 2>/dev/null || tern_status=$?
  fi
  cleanup_ns "$NSB"
  cleanup_ns "$NS"
  rm -rf "$WWW"
  [ "$tern_status" -eq 0 ] || echo "demo.sh: tern exited with status $tern_status" >&2
  exit "$tern_status"
}
trap 'stop INT' INT
trap 'stop TERM' TERM
trap 'stop EXIT' EXIT

wait_link() { # namespace, link
  for _ in $(seq 1 100); do
    ip netns exec "$1" ip link show "$2" >/dev/null 2>&1 && return 0
    kill -0 "$tern_pid" 2>/dev/null || { echo "demo.sh: tern exited during start"; exit 1; }
    sleep 0.1
  done
  echo "demo.sh: tap $2 did not appear"; exit 1
}
wait_link "$NS" tern0
ip netns exec "$NS" ip addr add 198.18.0.2/24 dev tern0
ip netns exec "$NS" ip link set tern0 up
wait_link "$NS" tern1
ip netns exec "$NS" ip link set tern1 netns "$NSB"
ip netns exec "$NSB" ip link set tern1 up

declare -A server_pid=()
for i in 1 2 3; do
  addr=198.18.1.$((i + 1))
  mkdir -p "$WWW/s$i"
  echo "hello from server s$i ($addr)" >"$WWW/s$i/index.html"
  head -c 10485760 /dev/urandom >"$WWW/s$i/10M"
  ip netns exec "$NSB" ip addr add "$addr/24" dev tern1
  ip netns exec "$NSB" python3 -m http.server --bind "$addr" --directory "$WWW/s$i" 8000 \
    >/dev/null 2>&1 &
  server_pid[s$i]=$!
done

cat <<MSG

tern is running in namespace $NS (pid $tern_pid): the proxy on 198.18.0.10:80 in
front of servers s1, s2, s3 (198.18.1.2-4:8000 in namespace $NSB). Try:
  sudo ip netns exec $NS curl http://198.18.0.10/        # round-robin over s1, s2, s3
  sudo ip netns exec $NS curl -s http://198.18.0.10/10M | sha256sum
  sudo ip netns exec $NS ab -n 2000 -c 20 http://198.18.0.10/
  sudo kill ${server_pid[s2]}                         # stop s2: tern marks it DOWN, stops using it
  sudo kill -USR1 $tern_pid                          # print counters and the proxy's table now
  sudo ip netns exec $NS curl -s http://127.0.0.1:9469/metrics   # the same for Prometheus
Look into it and steer it while it runs (ternctl is in build/app):
  sudo build/app/ternctl ss                          # connections, as ss -tan (-i: ss -ti)
  sudo build/app/ternctl stats                       # counters changed since the last call (nstat)
  sudo build/app/ternctl show stat                   # frontends, backends, servers (HAProxy's CSV)
  sudo build/app/ternctl set server web/s1 state drain   # no new connections to s1 (ready: back)
  sudo build/app/ternctl capture -G 5 -w /tmp/demo.pcapng     # 5 s of both ports; then: tshark -r /tmp/demo.pcapng
tern's own services on 198.18.0.1:
  sudo ip netns exec $NS curl http://198.18.0.1/         # http on :80 (also /bytes/N)
  echo hello | sudo ip netns exec $NS nc -N 198.18.0.1 7 # echo on :7 (discard on :9)
Ctrl-C stops tern (it prints its counters) and removes both namespaces.

MSG
# tern stopped by itself; a signal during the wait goes to stop(), which waits again.
wait "$tern_pid" && tern_status=0 || tern_status=$?
