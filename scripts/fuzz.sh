#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [HARNESS...]: builds the fuzz harnesses of
# tests/fuzz (build-fuzz: clang, libFuzzer, ASan+UBSan) and runs each for
# SECONDS (default 60), starting from its seeds (tests/fuzz/seeds/<name>,
# the scenario scripts and config/ examples where they fit), its regression
# inputs (tests/fuzz/regress/<name>) and the corpus earlier runs kept
# (build-fuzz/corpus/<name>). Seeds of the frame harness are made afresh
# from the scenario scripts (fuzz-seeds). A finding (crash, leak, timeout,
# failed check) leaves its input in build-fuzz/findings/<name>/; the script
# then exits 1. Prints one line per harness: runs, coverage, corpus.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
dir=${FUZZ_BUILD:-build-fuzz}
all=(frames tcp_stream config http_request http_answer proxy_proto pkt_script)
if [ $# -gt 0 ]; then harnesses=("$@"); else harnesses=("${all[@]}"); fi

command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (scripts/deps.sh installs it)" >&2; exit 1; }
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Djemalloc=false --buildtype=debug --werror >/dev/null || { echo "fuzz.sh: meson setup failed" >&2; exit 1; }
fi
ninja -C "$dir" >"$dir/fuzz-build.log" 2>&1 || { tail -30 "$dir/fuzz-build.log"; echo "fuzz.sh: build failed" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

gen="$dir/seeds-frames"
rm -rf "$gen" && mkdir -p "$gen"
find tests/scenario -name '*.pkt' | LC_ALL=C sort | xargs "$dir/tests/fuzz/fuzz-seeds" "$gen" >/dev/null \
  || { echo "fuzz.sh: fuzz-seeds failed" >&2; exit 1; }

# Per harness: extra seed directories and libFuzzer options. The stateful
# harnesses run without the entropic schedule: with tens of thousands of
# features an input, its bookkeeping took 90 % of the time (10x fewer runs).
extra_dirs() {
  case $1 in
    frames) echo "$gen" ;;
    config) echo config ;;
    pkt_script) echo tests/scenario ;;
  esac
}
extra_opts() {
  case $1 in
    frames) echo "-entropic=0 -max_len=4096 -len_control=0" ;;
    tcp_stream) echo "-entropic=0 -max_len=2048 -len_control=0" ;;
    config|pkt_script) echo "-max_len=8192" ;;
  esac
}

failed=0
printf '%-13s %9s %7s %8s %7s  %s\n' harness runs cov features corpus findings
for h in "${harnesses[@]}"; do
  bin="$dir/tests/fuzz/fuzz-$h"
  [ -x "$bin" ] || { echo "fuzz.sh: no harness $h" >&2; failed=1; continue; }
  corpus="$dir/corpus/$h" found="$dir/findings/$h" log="$dir/fuzz-$h.log"
  mkdir -p "$corpus" "$found"
  seeds=()
  for d in "tests/fuzz/regress/$h" "tests/fuzz/seeds/$h" $(extra_dirs "$h"); do
    [ -d "$d" ] && seeds+=("$d")
  done
  # shellcheck disable=SC2046
  "$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$found/" ${TERN_FUZZ_SEED:+-seed="$TERN_FUZZ_SEED"} $(extra_opts "$h") \
    "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  last=$(grep -E '(DONE|INITED|pulse|NEW|REDUCE) +cov:' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  n=$(find "$found" -type f | wc -l)
  printf '%-13s %9s %7s %8s %7s  %s\n' "$h" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
    "$(find "$corpus" -type f | wc -l)" "$n"
  if [ "$rc" -ne 0 ] || [ "$n" -gt 0 ]; then
    failed=1
    echo "---- $h: exit $rc; findings in $found; log $log ----"
    grep -E 'ERROR|SUMMARY|check failed|runtime error' "$log" | head -10
  fi
done
[ "$failed" -eq 0 ] || { echo "fuzz.sh: findings (reproduce: $dir/tests/fuzz/fuzz-NAME FILE)"; exit 1; }
