#!/bin/bash
# Fuzz smoke run: builds the libFuzzer targets (tests/fuzz/fuzz.mk) into
# build/fuzz/ and runs each for a few seconds (fixed seed, so a run can be
# repeated) over its checked-in corpus and
# regressions. PASS when nothing crashed. Not a KVM test: it needs clang with
# libFuzzer (libclang-rt-*-dev), and says SKIP without it.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

TARGETS="fuzz_image fuzz_hypercall fuzz_size fuzz_netring fuzz_conring fuzz_netconns fuzz_oci fuzz_json fuzz_oci_spec fuzz_snapshot fuzz_snappack"
SECONDS_EACH=${HUT_TEST_FUZZ_SECONDS:-10}
FUZZ=$ROOT/build/fuzz
FUZZ_CC=${FUZZ_CC:-clang}

# Can this clang build a libFuzzer + ASan/UBSan program at all?
no_fuzzer() {
	command -v "$FUZZ_CC" >/dev/null 2>&1 || { echo "$FUZZ_CC not found"; return 0; }
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
		>"$TMP/probe.c"
	"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$TMP/probe" "$TMP/probe.c" >"$TMP/probe.log" 2>&1 ||
		{ echo "$FUZZ_CC cannot link -fsanitize=fuzzer (libFuzzer runtime missing?)"; return 0; }
	return 1
}

if why=$(no_fuzzer); then
	for t in $TARGETS; do skip "fuzz/$t" "$why"; done
	exit 0
fi

begin fuzz/build
if ! make -s -C "$ROOT" FUZZ_CC="$FUZZ_CC" fuzz-build >"$TMP/build.out" 2>"$TMP/build.err" </dev/null; then
	problem "make fuzz-build failed"
	detail_file "make stderr" "$TMP/build.err"
fi
finish

for t in $TARGETS; do
	begin "fuzz/$t"
	if ! need_file "$FUZZ/$t"; then
		finish
		continue
	fi
	mkdir -p "$TMP/corpus-$t"
	dirs=("$TMP/corpus-$t") # new inputs go here, never into the checked-in corpus
	for d in "$ROOT/tests/fuzz/corpus/$t" "$ROOT/tests/fuzz/regressions/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	RUN_LIMIT=$((SECONDS_EACH + 60)) run "$t" env HUT_FUZZ_IMAGE="$IMAGES/hello.hut" \
		"$FUZZ/$t" -seed=1 -max_total_time="$SECONDS_EACH" -close_fd_mask=2 -print_final_stats=1 \
		-artifact_prefix="$TMP/$t-" "${dirs[@]}"
	expect_status "$t" 0
	crashes=$(find "$TMP" -maxdepth 1 -name "$t-*" -type f | head -3)
	if [ -n "$crashes" ]; then
		mkdir -p "$FUZZ/artifacts" && cp $crashes "$FUZZ/artifacts/"
		problem "$t found a crash (reproducer kept in $FUZZ/artifacts/)"
	fi
	grep -q 'Done [0-9]* runs' "$(err "$t")" ||
		grep -q 'stat::number_of_executed_units' "$(err "$t")" || problem "$t did not report its runs"
	finish
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$(err "$t")")
	cov=$(grep -oE 'cov: [0-9]+' "$(err "$t")" | tail -1)
	echo "    $t: ${runs:-?} runs in ${SECONDS_EACH}s, ${cov:-cov: ?}"
done
