#!/usr/bin/env bash
# Runs tern's integration tests: every tests/integration/test_*.sh in order,
# each under a 120 s limit (TERN_IT_TIMEOUT; a test's own "# it-limit: N"
# line raises it for that test), against one build directory.
#
#   tests/integration/run.sh [BUILD_DIR] [TEST...]
#
# BUILD_DIR (default build; absolute or relative to the repository) is
# exported as TERN_BUILD, so `run.sh build-san` runs the same tests against
# the sanitizer build. TEST names (test_ping or ping) select a subset.
# Prints "PASS name (Ns)" or "FAIL name (Ns)" per test, the tail of a failing
# test's output, and finally "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1
export TERN_BUILD=${1:-build}
shift || true
limit=${TERN_IT_TIMEOUT:-120}

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: needs root (network namespaces, taps, DPDK)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
case $TERN_BUILD in /*) bdir=$TERN_BUILD ;; *) bdir=$repo/$TERN_BUILD ;; esac
if [ ! -x "$bdir/app/tern" ]; then
	echo "run.sh: no $bdir/app/tern; build first (ninja -C $TERN_BUILD)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t%.sh}
		t=test_${t#test_}
		[ -f "$here/$t.sh" ] || { echo "run.sh: no test $here/$t.sh" >&2; echo "0 passed, 1 failed"; exit 1; }
		tests+=("$here/$t.sh")
	done
else
	for t in "$here"/test_*.sh; do tests+=("$t"); done
fi

echo "integration tests against $TERN_BUILD (limit ${limit}s each)"
passed=0 failed=0
out=$(mktemp /tmp/tern-it-run.XXXXXX)
trap 'rm -f "$out"' EXIT
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	t0=$(date +%s.%N)
	# A test may ask for more time with a "# it-limit: SECONDS" line.
	tlimit=$(sed -n 's/^# it-limit: *\([0-9][0-9]*\)$/\1/p' "$t" | head -n1)
	[ -n "$tlimit" ] && [ "$tlimit" -gt "$limit" ] || tlimit=$limit
	# -k: a test that ignores SIGTERM (stuck in cleanup) is killed 10 s later.
	TERN_IT_TIMEOUT=$tlimit timeout -k 10 "$tlimit" bash "$t" >"$out" 2>&1
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if [ $rc -eq 0 ]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
	else
		why=""
		[ $rc -eq 124 ] || [ $rc -eq 137 ] && why=", timed out after ${tlimit}s"
		echo "FAIL $name (${secs}s, exit status $rc$why)"
		echo "---- $name: last 40 lines ----"
		tail -n 40 "$out" | sed 's/^/  /'
		echo "----"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
