#!/usr/bin/env bash
# Profiles the TCP path of tern-bench with callgrind, one scenario at a time:
# a native run gives the CPU time per packet, which becomes the worker's
# virtual clock under valgrind (so timers fire as often per packet as they
# do natively), then callgrind with cache simulation collects the timed
# loop only (--toggle-collect='measure*'), and bench/cgsum.py splits the
# cost per packet into gen/parse/lookup/TCB/output/app/tx/tick.
#
# usage: bench/profile.sh [--flows N] [--scenario "ack data64 ..."] [--seconds S]
#                         [--out DIR] [--keep]
# Summaries go to DIR (default bench/results/profile) as <scenario>-<flows>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
FLOWS=1000
SCEN="ack data64 data1448 syn ooo"
SECS=3
OUT=bench/results/profile
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --flows) FLOWS=$2; shift ;;
    --scenario) SCEN=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --keep) KEEP=1 ;;
    *) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is needed" >&2; exit 1; }
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" bench/tern-bench >/dev/null
B=$BUILD/bench/tern-bench
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { python3 -c "import json,sys; r=json.loads(open('$1').read()); print($2)"; }

for sc in $SCEN; do
  "$B" pps --flows "$FLOWS" --scenario "$sc" --runs 3 --seconds 0.5 --tcp-only --json \
    --hugepages no > "$tmp/native.json" 2>/dev/null
  ns=$(field "$tmp/native.json" "1000 / r['mpps_cpu']")
  cg=$tmp/callgrind.$sc.out
  # The VM's CPUID describes a 192 MiB direct-mapped L3; simulate the EPYC's real
  # 32 KiB 8-way L1D and 32 MiB 16-way L3 instead (override with CG_CACHE).
  # shellcheck disable=SC2086
  valgrind --tool=callgrind --cache-sim=yes ${CG_CACHE:---D1=32768,8,64 --LL=33554432,16,64} \
    "--toggle-collect=measure*" \
    --callgrind-out-file="$cg" "$B" pps --flows "$FLOWS" --scenario "$sc" --runs 1 \
    --seconds "$SECS" --warmup 0 --tcp-only --json --hugepages no \
    --virtual-ns-per-pkt "$ns" > "$tmp/cg.json" 2>"$tmp/valgrind.log" ||
    { cat "$tmp/valgrind.log" >&2; exit 1; }
  n=$(field "$tmp/cg.json" "r['packets_total'] + r['warmup_packets']")
  {
    echo "scenario $sc, $FLOWS flows; native: $(field "$tmp/native.json" "'%.0f ns/pkt of CPU time, %.2f Mpps (CPU share %.0f%%)' % (1000 / r['mpps_cpu'], r['mpps_cpu'], 100 * r['cpu_share_min'])")"
    echo "callgrind (virtual clock ${ns} ns/pkt; cache simulation: 32 KiB D1, 32 MiB LL):"
    python3 bench/cgsum.py "$cg" "$n" --top 15
  } | tee "$OUT/$sc-$FLOWS.txt"
  if [ "$KEEP" = 1 ]; then cp "$cg" "$OUT/callgrind.$sc-$FLOWS.out"; fi
done
