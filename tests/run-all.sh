#!/bin/bash
# The `make test` driver. Runs the Criterion unit-test binaries in
# build/tests/unit/, then every tests/integration/*.sh. Prints one line per
# test (PASS name / FAIL name (why) / SKIP name (why)) and ends with what
# the tests ran on (the KVM; the OCI tests' cgroup layout and lower runtime,
# from their NOTE lines) and "N passed, N failed[, N skipped]". Exits 1 if
# anything failed or skipped.
#
# Where tests run: a test file that boots appliances (it calls ready_kvm,
# need_kvm, differential or files_differential from lib.sh, or says
# `# hut-test: needs-kvm`) needs /dev/kvm. Where the host has a usable one,
# everything runs here. Where it has none, those files run inside one
# nested-KVM guest (tests/vm/run.sh: Debian's kernel under QEMU TCG with
# emulated SVM), booted once for all of them; everything else runs here.
#
# Usage: tests/run-all.sh            as above
#        tests/run-all.sh --nested   only the KVM files, in the nested guest,
#                                    even where /dev/kvm exists (make test-nested)
#        tests/run-all.sh [--nested] FILE...  only these integration files
#                                    (no unit tests), each where it belongs;
#                                    it builds nothing: `make test` builds the
#                                    images tests use (guests, test-programs,
#                                    test-net-images, debian-programs)
#        tests/run-all.sh --inside FILE...   (used by the guest) run FILEs, no summary
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

UNIT_LIMIT=300 # seconds for one unit-test binary
FILE_LIMIT=${HUT_TEST_FILE_LIMIT:-400} # seconds for one integration test file
GUEST_LIMIT=3000 # seconds for the whole nested guest

KVM_DEVICE=${HUT_TEST_KVM_DEVICE:-/dev/kvm}
LOG=$(mktemp -d "${TMPDIR:-/tmp}/hut-run-all.XXXXXX") || exit 1
trap 'rm -rf "$LOG"' EXIT
: >"$LOG/results"
: >"$LOG/notes" # NOTE lines of the test files: what they ran on (the OCI runtime)

# run_file FILE: runs one integration test file; its result lines go to
# stdout and to $LOG/results, then a line `TIME FILE SECONDS`.
run_file() {
	local f=$1 file st t0
	file=integration/$(basename "$f" .sh)
	t0=$(date +%s)
	timeout -s KILL "$FILE_LIMIT" bash "$f" 2>"$LOG/stderr" </dev/null | tee "$LOG/out"
	st=${PIPESTATUS[0]}
	[ -n "$INSIDE" ] && echo "TIME $f $(($(date +%s) - t0))"
	grep -E '^(PASS|FAIL|SKIP) ' "$LOG/out" >>"$LOG/results"
	grep '^NOTE ' "$LOG/out" >>"$LOG/notes"
	# A file that died or printed nothing is a failure of its own.
	if [ "$st" != 0 ] || ! grep -qE '^(PASS|FAIL|SKIP) ' "$LOG/out"; then
		echo "FAIL $file (the test file exited $st)" | tee -a "$LOG/results"
		tail -n 10 "$LOG/stderr" | sed 's/^/    /'
	fi
}

INSIDE=
if [ "${1:-}" = --inside ]; then
	INSIDE=1
	shift
	for f in "$@"; do run_file "$f"; done
	exit 0
fi
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	sed -n '2,/^ROOT=/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
fi
nested_only=0
[ "${1:-}" = --nested ] && nested_only=1 && shift
# Named files: run only those (a quick check while working on one of them).
only_files=("$@")
for f in "${only_files[@]}"; do
	[ -f "$f" ] || { echo "run-all.sh: no such test file: $f" >&2; exit 2; }
done

# kvm_kind: which KVM this host offers, for the summary.
# shellcheck source=../scripts/kvm-kind.bash
. "$ROOT/scripts/kvm-kind.bash"

# The integration files that boot appliances, and the rest: those that call
# lib.sh's ready_kvm or need_kvm, or its checks that call need_kvm
# themselves (differential, files_differential: a file that used only these
# ran on a host without KVM and skipped), or say they need KVM.
KVM_CALLS='\b(ready_kvm|need_kvm|differential|files_differential)\b|^# hut-test: needs-kvm'
kvm_files=()
host_files=()
[ ${#only_files[*]} -gt 0 ] || only_files=(tests/integration/*.sh)
for f in "${only_files[@]}"; do
	[ "$(basename "$f")" = lib.sh ] && continue
	if grep -qE "$KVM_CALLS" "$f"; then kvm_files+=("$f"); else host_files+=("$f"); fi
done

nested=$nested_only
if [ $nested = 0 ] && ! { [ -r "$KVM_DEVICE" ] && [ -w "$KVM_DEVICE" ]; }; then
	if [ -n "${HUT_TEST_KVM_DEVICE:-}" ]; then
		nested=skip # a test of this script's SKIP path: no guest
	else
		echo "== no usable /dev/kvm here: the KVM tests run in a nested guest (tests/vm)"
		nested=1
	fi
fi

# --- unit tests: one result per binary ---------------------------------------------
unit_count=0
[ $# -gt 0 ] && nested_only_units=1 || nested_only_units=$nested_only
[ $nested_only_units = 1 ] || for t in build/tests/unit/*; do
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
[ $nested_only_units = 0 ] && [ $unit_count = 0 ] &&
	echo "SKIP unit (no unit-test binaries in build/tests/unit)" | tee -a "$LOG/results"

# --- integration tests on this host ----------------------------------------------
if [ $nested = 1 ]; then
	[ $nested_only = 1 ] || for f in "${host_files[@]}"; do run_file "$f"; done
else
	for f in "${host_files[@]}" "${kvm_files[@]}"; do run_file "$f"; done
fi
host_count=$(grep -c '^[A-Z]* ' "$LOG/results")

# --- the KVM tests in nested guests ------------------------------------------------
# Emulation is single-threaded, so one guest per core (at most GUESTS_MAX),
# each booted once for its share of the files. Shares are balanced with the
# seconds each file took last time (build/tests/times), else a guess.
TIMES=build/tests/times
GUESTS_MAX=4
guest_seconds() { # FILE: its last duration, or 60
	local t
	t=$(awk -v f="$1" '$1 == f { print $2 }' "$TIMES" 2>/dev/null | tail -n 1)
	echo "${t:-60}"
}
# share_files N: prints N lines, each the files of one guest (greedy: the
# longest file next goes to the guest with the least work so far).
share_files() {
	local n=$1 f
	for f in "${kvm_files[@]}"; do echo "$(guest_seconds "$f") $f"; done | sort -rn |
		awk -v n="$n" '{ best = 0; for (i = 1; i < n; i++) if (load[i] < load[best]) best = i;
			load[best] += $1; files[best] = files[best] " " $2 }
			END { for (i = 0; i < n; i++) print files[i] }'
}
run_guest() { # INDEX FILE...: one guest; its output in $LOG/guest.INDEX.{out,err,st}
	local i=$1
	shift
	# A slow emulated CPU: each file gets more time there.
	HUT_TEST_FILE_LIMIT=$((FILE_LIMIT * 3)) HUT_NESTED=1 \
		tests/vm/run.sh --timeout "$GUEST_LIMIT" -- tests/run-all.sh --inside "$@" \
		2>"$LOG/guest.$i.err" | tee "$LOG/guest.$i.out" | grep --line-buffered -v '^TIME '
	echo "${PIPESTATUS[0]}" >"$LOG/guest.$i.st"
}
guest_kvm=""
if [ $nested = 1 ] && [ ${#kvm_files[*]} -gt 0 ]; then
	guest_kvm=$(tests/vm/run.sh --kvm-info)
	tests/vm/run.sh --prepare || echo "FAIL nested guest (cannot prepare it)" | tee -a "$LOG/results"
	guests=$(nproc)
	[ "$guests" -gt $GUESTS_MAX ] && guests=$GUESTS_MAX
	[ "$guests" -gt ${#kvm_files[*]} ] && guests=${#kvm_files[*]}
	echo "== booting $guests nested guests for ${#kvm_files[*]} test files ($guest_kvm)"
	t0=$(date +%s)
	i=0
	while read -r -a share; do
		[ ${#share[*]} -gt 0 ] && run_guest $i "${share[@]}" &
		i=$((i + 1))
	done < <(share_files "$guests")
	wait
	mkdir -p "$(dirname "$TIMES")"
	: >"$TIMES.new"
	for ((i = 0; i < guests; i++)); do
		[ -f "$LOG/guest.$i.st" ] || continue
		grep -E '^(PASS|FAIL|SKIP) ' "$LOG/guest.$i.out" >>"$LOG/results"
		sed -n 's/^NOTE /NOTE (nested guest) /p' "$LOG/guest.$i.out" >>"$LOG/notes"
		sed -n 's/^TIME //p' "$LOG/guest.$i.out" >>"$TIMES.new"
		st=$(cat "$LOG/guest.$i.st")
		if [ "$st" != 0 ]; then
			echo "FAIL nested guest $i (tests/vm/run.sh exited $st)" | tee -a "$LOG/results"
			tail -n 15 "$LOG/guest.$i.err" | sed 's/^/    /'
		fi
	done
	# Files not run this time keep their last figure.
	awk 'NR == FNR { seen[$1] = 1; print; next } !($1 in seen)' "$TIMES.new" "$TIMES" \
		>"$TIMES.all" 2>/dev/null
	mv "$TIMES.all" "$TIMES" && rm -f "$TIMES.new"
	echo "== the nested guests ran for $(($(date +%s) - t0)) s"
fi

passed=$(grep -c '^PASS ' "$LOG/results")
failed=$(grep -c '^FAIL ' "$LOG/results")
skipped=$(grep -c '^SKIP ' "$LOG/results")
if [ $nested = 1 ]; then
	total=$(wc -l <"$LOG/results")
	echo "where: $host_count on this host (no KVM needed), $((total - host_count))" \
		"in the nested guest${guest_kvm:+ on $guest_kvm}"
elif [ $nested = skip ]; then
	echo "!!! $KVM_DEVICE is missing: $skipped tests SKIPPED, NOT RUN !!!"
else
	echo "where: all on this host, on $(kvm_kind)"
fi
sort -u "$LOG/notes" | sed 's/^NOTE //'
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ] && [ "$skipped" = 0 ]
