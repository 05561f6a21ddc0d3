#!/bin/bash
# A forked child's read of stdin into a buffer it still shares
# copy-on-write with its parent (programs/forkread.c): the monitor writes
# the bytes without a page fault, so the libos must first give the child
# its own pages (mem/mm.c own_pages), or the parent's buffer changes too.
# The same bytes and status as a glibc program, as a process and as an
# appliance, with stdin a file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
IMAGE=$BUILT/forkread.hut
REF=$BUILT/forkread-ref
printf 'sixteen bytes ok\n' >"$TMP/stdin"

# run_stdin TAG CMD...: as run, with stdin the file above.
run_stdin() {
	local tag=$1
	shift
	(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" "$@") \
		>"$TMP/$tag.out" 2>"$TMP/$tag.err" <"$TMP/stdin"
	ST=$?
}

begin "fork: a child's read of stdin changes only its own pages"
if ready "$IMAGE" "$REF"; then
	run_stdin ref "$REF" 8192
	expect_status ref 0
	expect_grep "the reference did not read" "^child read 17 bytes: 'sixteen bytes ok$" "$(out ref)"
	expect_grep "the reference's parent changed" "; parent: 0 bytes of its buffer changed$" \
		"$(out ref)"
	run_stdin proc "$IMAGE" 8192
	expect_status proc 0
	expect_same_file "reference and process stdout" "$(out ref)" "$(out proc)"
	if need_kvm; then
		run_stdin appl "$MONITOR" "$IMAGE" 8192
		expect_status appl 0
		expect_same_file "reference and appliance stdout" "$(out ref)" "$(out appl)"
		finish
	fi
fi

exit 0
