#!/bin/bash
# The `make test` driver. Runs the Criterion unit-test binaries in
# build/tests/unit/, then every tests/integration/*.sh. Prints one line per
# test (PASS name / FAIL name (why) / SKIP name (why)) and ends with
# "N passed, N failed[, N skipped]". Exits 1 if anything failed.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

UNIT_LIMIT=300 # seconds for one unit-test binary
FILE_LIMIT=400 # seconds for one integration test file

KVM_DEVICE=${HUT_TEST_KVM_DEVICE:-/dev/kvm} # another path only to test the SKIP path
LOG=$(mktemp -d "${TMPDIR:-/tmp}/hut-run-all.XXXXXX") || exit 1
trap 'rm -rf "$LOG"' EXIT
: >"$LOG/results"

if [ ! -e "$KVM_DEVICE" ]; then
	echo "!!! /dev/kvm is missing: every test that boots an appliance is SKIPPED, NOT RUN !!!"
fi

# --- unit tests: one result per binary ---------------------------------------------
unit_count=0
for t in build/tests/unit/*; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
	unit_count=$((unit_count + 1))
	name=unit/$(basename "$t")
	timeout -s KILL "$UNIT_LIMIT" "$t" >"$LOG/unit.log" 2>&1 </dev/null
	st=$?
	if [ $st = 0 ]; then
		echo "PASS $name" | tee -a "$LOG/results"
	else
		why="exit $st"
		[ $st = 137 ] && why="killed after ${UNIT_LIMIT}s or by SIGKILL"
		echo "FAIL $name ($why)" | tee -a "$LOG/results"
		tail -n 25 "$LOG/unit.log" | sed 's/^/    /'
	fi
done
[ $unit_count = 0 ] && echo "SKIP unit (no unit-test binaries in build/tests/unit)" | tee -a "$LOG/results"

# --- integration tests: each file prints its own result lines ---------------------
for f in tests/integration/*.sh; do
	[ "$(basename "$f")" = lib.sh ] && continue
	file=integration/$(basename "$f" .sh)
	timeout -s KILL "$FILE_LIMIT" bash "$f" 2>"$LOG/stderr" </dev/null | tee "$LOG/out"
	st=${PIPESTATUS[0]}
	grep -E '^(PASS|FAIL|SKIP) ' "$LOG/out" >>"$LOG/results"
	# A file that died or printed nothing is a failure of its own.
	if [ "$st" != 0 ] || ! grep -qE '^(PASS|FAIL|SKIP) ' "$LOG/out"; then
		echo "FAIL $file (the test file exited $st)" | tee -a "$LOG/results"
		tail -n 10 "$LOG/stderr" | sed 's/^/    /'
	fi
done

passed=$(grep -c '^PASS ' "$LOG/results")
failed=$(grep -c '^FAIL ' "$LOG/results")
skipped=$(grep -c '^SKIP ' "$LOG/results")
if [ ! -e "$KVM_DEVICE" ]; then
	echo "!!! /dev/kvm is missing: $skipped tests SKIPPED, NOT RUN !!!"
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
