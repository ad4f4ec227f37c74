#!/usr/bin/env bash
# Runs tern's standard benchmark set on one worker, in memory, and records it:
#   bench/results/<date>-<commit>.json   every figure with its ceilings (JSON)
#   bench/README.md                      the table between the bench-table markers
#   bench/pps.png                        Mpps per flow count (gnuplot)
# Hugepages are reserved for the run when there is room (DPDK is about twice
# as fast on them here) and the previous reservation is restored at exit.
#
# usage: scripts/bench.sh [--quick] [--seconds S] [--runs N] [--no-hugepages]
#                         [--no-readme] [--build DIR]
#   --quick   flows 1 and 1000 only, 0.3 s per measurement (a minute)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=build-bench
SECS=1
RUNS=3
QUICK=0
HUGE=1
README=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; SECS=0.3 ;;
    --seconds) SECS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --no-hugepages) HUGE=0 ;;
    --no-readme) README=0 ;;
    --build) BUILD=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "bench.sh: $*" >&2; }

# ---- build ----------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$BUILD" bench/tern-bench bench/tern-linux-conn >/dev/null
BENCH=$BUILD/bench/tern-bench

# ---- hugepages ------------------------------------------------------------
# The largest case (pure ACKs on 1 000 000 flows: TCBs, flow table, two
# queued mbufs per flow) needs about 6.3 GiB of EAL memory.
NEED_MB=7168
NR=/proc/sys/vm/nr_hugepages
OLD_NR=""
restore_hugepages() {
  if [ -n "$OLD_NR" ]; then
    echo "$OLD_NR" > "$NR" 2>/dev/null || true
    log "hugepages restored to $OLD_NR (now $(cat "$NR"))"
  fi
}
trap restore_hugepages EXIT
hp_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
free_hp() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }
if [ "$HUGE" = 1 ] && [ -w "$NR" ] && [ "${hp_kb:-0}" -gt 0 ]; then
  avail_mb=$(( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024 ))
  want=$(( NEED_MB * 1024 / hp_kb ))
  have=$(free_hp)
  if [ "$have" -lt "$want" ] && [ "$avail_mb" -gt $(( NEED_MB + 4096 )) ]; then
    OLD_NR=$(cat "$NR")
    echo $(( OLD_NR + want - have )) > "$NR" || true
    log "hugepages: $OLD_NR -> $(cat "$NR") reserved, $(free_hp) free"
  elif [ "$have" -lt "$want" ]; then
    log "hugepages: only ${avail_mb} MB available, running without"
  fi
fi

# ---- the standard set -----------------------------------------------------
date_s=$(date -u +%Y-%m-%d)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD -- lib app 2>/dev/null; then commit="$commit-dirty"; fi
mkdir -p bench/results
out=bench/results/$date_s-$commit.json
tmp=$(mktemp)
trap 'rm -f "$tmp"; restore_hugepages' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

if [ "$QUICK" = 1 ]; then FLOWS="1 1000"; else FLOWS="1 1000 100000 1000000"; fi
for f in $FLOWS; do
  if [ "$f" -ge 1000000 ]; then
    # One process per scenario: each sizes its EAL memory (and hugepage need) for itself.
    for sc in ack data64 data1448 syn ooo; do
      log "pps, $f flows, $sc"
      "$BENCH" pps --flows "$f" --scenario "$sc" --seconds "$SECS" --runs "$RUNS" --json >> "$tmp"
    done
  else
    log "pps, $f flows"
    "$BENCH" pps --flows "$f" --seconds "$SECS" --runs "$RUNS" --json >> "$tmp"
  fi
done
log "pps, 1000 flows, software checksums"
"$BENCH" pps --flows 1000 --scenario ack,data64 --sw-cksum --seconds "$SECS" --runs "$RUNS" \
  --json >> "$tmp"
# Each conn row takes about runs x seconds x 3 per mode: tern, then Linux
# over loopback and over veth (root only) on the same cores.
CONN_SECS=$([ "$QUICK" = 1 ] && echo 0.5 || echo 2)
log "conn, rps and cps, 64 connections, one core, Linux on the same core"
"$BENCH" conn --concurrency 64 --seconds "$CONN_SECS" --runs "$RUNS" \
  --linux "$BUILD/bench/tern-linux-conn" --json >> "$tmp"
if [ "$(nproc)" -ge 2 ]; then
  log "conn, rps and cps, 64 connections, two cores (net_ring), Linux on the same cores"
  "$BENCH" conn --layout two-cores --concurrency 64 --seconds "$CONN_SECS" --runs "$RUNS" \
    --linux "$BUILD/bench/tern-linux-conn" --json >> "$tmp"
fi
for k in 1 100; do
  log "conn, bulk: 1 MiB answers on $k keep-alive connection(s)"
  "$BENCH" conn --mode rps --bytes 1048576 --concurrency "$k" --seconds "$CONN_SECS" \
    --runs "$RUNS" --linux "$BUILD/bench/tern-linux-conn" --json >> "$tmp"
done
# The proxy: tern's client, proxy and server in memory on one core (the
# proxy's own CPU time apart), HAProxy 2.6 mode tcp beside it (root).
log "proxy, rps and cps, 64 connections, HAProxy on the same CPU"
"$BENCH" proxy --concurrency 64 --seconds "$CONN_SECS" --runs "$RUNS" \
  --haproxy "$BUILD/bench/tern-linux-conn" --json >> "$tmp"
log "proxy, bulk: 1 MiB answers on 1 keep-alive connection"
"$BENCH" proxy --mode rps --bytes 1048576 --concurrency 1 --seconds "$CONN_SECS" \
  --runs "$RUNS" --haproxy "$BUILD/bench/tern-linux-conn" --json >> "$tmp"
if [ "$QUICK" = 1 ]; then MEMF=100000; else MEMF=1000000; fi
log "mem, $MEMF flows"
"$BENCH" mem --flows "$MEMF" --runs "$RUNS" --json >> "$tmp"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
log "done in $(( $(date +%s) - t0 )) s"

# ---- record ---------------------------------------------------------------
huge_used=$(python3 -c "import json,sys; r=[json.loads(l) for l in open('$tmp') if l.strip()]; \
h={x.get('hugepages') for x in r}; print('2 MiB hugepages' if h=={True} else \
'4 KiB pages (--no-huge)' if h=={False} else 'hugepages for some runs only')")
python3 - "$tmp" "$out" <<EOF
import json, os, platform, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
def detect(*a):
    try:
        return subprocess.run(["systemd-detect-virt", *a], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return ""
vm, ct = detect("--vm"), detect("--container")
virt = " in ".join(x for x in (ct if ct != "none" else "", vm if vm != "none" else "") if x) \
    or "bare metal"
try:
    dpdk = subprocess.run(["pkg-config", "--modversion", "libdpdk"], capture_output=True,
                          text=True).stdout.strip()
except OSError:
    dpdk = "?"
cc = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
doc = {
    "date": "$date_s", "commit": "$commit", "seconds": float("$SECS"), "runs": int("$RUNS"),
    "machine": {"cpu": cpu, "cpus": os.cpu_count(), "virt": virt, "mem_gib": mem_gib,
                "kernel": platform.release(), "dpdk": dpdk, "cc": cc,
                "hugepages": "$huge_used", "load_before": "$load_before",
                "load_after": "$load_after", "core": os.cpu_count() - 1},
    "tsc_ghz": round(rows[0].get("tsc_hz", 0) / 1e9, 3) if rows else 0,
    "results": rows,
}
json.dump(doc, open(sys.argv[2], "w"), indent=1)
EOF
log "wrote $out"
if [ "$README" = 1 ]; then
  python3 bench/report.py "$out" --readme bench/README.md --png bench/pps.png
  cp bench/pps.png "${out%.json}.png" 2>/dev/null || true
  log "updated bench/README.md and bench/pps.png"
fi
