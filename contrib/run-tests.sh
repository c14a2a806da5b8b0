#!/bin/bash
# Install, build and run every test (unit, layer check, functional); print "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ERG_BUILD_DIR:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)
"$top/contrib/install-deps.sh" || exit 1
"$top/contrib/build.sh" || exit 1

cd "$build"
# Remove stale results so only this run is counted.
find . -name '*.trs' -delete -o -name 'test_*.log' -delete 2>/dev/null
make -j"$jobs" check >check.out 2>&1
make_rc=$?
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' check.out || true

passed=0
failed=0
# Each test program prints "suite: N passed, M failed"; a test that died before printing
# its line (crash, abort) is counted as one failure from automake's .trs result.
while IFS= read -r trs; do
  log=${trs%.trs}.log
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" 2>/dev/null | tail -1)
  result=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$result" != "PASS" ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
  else
    if [ "$result" = "PASS" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  fi
  if [ "$result" != "PASS" ]; then
    echo "---- $log"
    tail -40 "$log"
  fi
done < <(find . -name '*.trs' | sort)

if [ -f "$top/test/functional/test_runner.py" ]; then
  python3 "$top/test/functional/test_runner.py" --builddir "$build" | tee functional.out
  fline=$(grep -E '^functional: [0-9]+ passed, [0-9]+ failed' functional.out | tail -1)
  if [ -n "$fline" ]; then
    passed=$((passed + $(echo "$fline" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$fline" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')))
  else
    failed=$((failed + 1))
  fi
fi

if [ "$make_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
