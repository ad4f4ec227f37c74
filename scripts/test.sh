#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds the normal and the
# sanitizer build, runs unit tests under both, integration tests (real
# Linux peers in network namespaces) and prints a summary. Exits non-zero
# on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test.sh: needs root (network namespaces, DPDK)"; exit 1; }
start=$(date +%s)
scripts/build.sh --sanitize || { echo "test.sh: build failed"; exit 1; }

passed=0 failed=0
declare -a failures=()
suite() { # name, command...
  local name=$1; shift
  local t0=$(date +%s) out rc
  out=$(mktemp)
  "$@" >"$out" 2>&1; rc=$?
  # Each suite reports "N passed, N failed" (meson test: "Ok: N ... Fail: N").
  local p f
  p=$(grep -E '^(Ok|Expected Fail):' "$out" | awk '{s+=$NF} END {print s+0}')
  f=$(grep -E '^(Fail|Unexpected Pass|Timeout):' "$out" | awk '{s+=$NF} END {print s+0}')
  if grep -qE '^[0-9]+ passed, [0-9]+ failed' "$out"; then
    p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | awk '{print $1}')
    f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | awk '{print $3}')
  fi
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f))
  printf '%-34s %4d passed %4d failed  %4ds\n' "$name" "$p" "$f" $(( $(date +%s) - t0 ))
  if [ "$rc" -ne 0 ]; then
    failures+=("$name")
    echo "---- $name: what failed ----"; grep -E '^(FAIL|Fail:|[ 0-9]+/[0-9]+ .*FAIL)' "$out" | head -20
    echo "---- $name output (tail) ----"; tail -40 "$out"; echo "----"
  fi
  rm -f "$out"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
suite "unit (release)"       meson test -C build --suite unit --print-errorlogs
suite "unit (asan+ubsan)"    meson test -C build-san --suite unit --print-errorlogs
suite "scenario (release)"   meson test -C build --suite scenario --print-errorlogs
suite "scenario (asan+ubsan)" meson test -C build-san --suite scenario --print-errorlogs
suite "bench smoke (release)" meson test -C build --suite bench --print-errorlogs
# Every fuzz harness for 12 s from its seeds and regression inputs (a clang
# build of its own, about 2 min on 2 CPUs, plus 7 x 12 s): scripts/fuzz.sh.
# A fixed libFuzzer seed: the suite explores the same inputs each run (a
# finding is a bug either way; campaigns by hand use random seeds).
export TERN_FUZZ_SEED=${TERN_FUZZ_SEED:-1}
suite "fuzz (12 s per harness)" scripts/fuzz.sh "${TERN_FUZZ_SECONDS:-12}"
# The 64 MiB transfer at 1 % loss and 20 ms RTT takes 75-100 s (as Linux does): allow 180 s per test.
export TERN_IT_TIMEOUT=${TERN_IT_TIMEOUT:-180}
suite "integration (release)" bash tests/integration/run.sh build
suite "integration (asan+ubsan)" bash tests/integration/run.sh build-san test_ping test_hostile test_closed_port tcp_echo tcp_close tcp_client proxy_protocol proxy_hostile proxy_stop proxy_close

echo
echo "test.sh: $(( $(date +%s) - start ))s; failed suites: ${failures[*]:-none}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
