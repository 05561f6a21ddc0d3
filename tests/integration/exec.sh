#!/bin/bash
# exec (programs/exec.c): a program execs its own file (on a volume for the
# appliance: the one image an appliance can exec), keeps its pid, kept fds,
# ignored signals and mask, loses its memory, close-on-exec fds and
# handlers; fork+exec+wait; ENOEXEC, EACCES and ENOENT. The same bytes as a
# glibc program and as the hut image run as a process.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
begin "exec: the image execs itself, what survives and what does not, the errors"
if ready_kvm "$BUILT/exec.hut" "$BUILT/exec-ref"; then
	BIN=$TMP/bin
	mkdir -p "$BIN"
	cp "$BUILT/exec.hut" "$BUILT/exec-ref" "$BIN/"
	printf 'not a program\n' >"$BIN/text" && chmod 755 "$BIN/text"
	cp "$BUILT/exec.hut" "$BIN/no-x" && chmod 644 "$BIN/no-x"
	run ref "$BIN/exec-ref" "$BIN/exec-ref" "$BIN/text" "$BIN/no-x"
	expect_status ref 0
	run proc "$BIN/exec.hut" "$BIN/exec.hut" "$BIN/text" "$BIN/no-x"
	expect_status proc 0
	expect_same_file "process and reference stdout" "$(out ref)" "$(out proc)"
	run appl "$MONITOR" --volume "$BIN:/bin" "$BUILT/exec.hut" /bin/exec.hut /bin/text /bin/no-x
	expect_status appl 0
	expect_same_file "appliance and reference stdout" "$(out ref)" "$(out appl)"
	expect_grep "ENOEXEC is explained" '^hut: exec of /bin/text: not an ELF executable: ENOEXEC$' \
		"$(err appl)"
	finish
fi

begin "exec: another image is refused with ENOEXEC, in one line"
if ready_kvm "$BUILT/exec.hut" "$BUILT/timers.hut"; then
	BIN=$TMP/bin2
	mkdir -p "$BIN"
	cp "$BUILT/exec.hut" "$BIN/"
	cp "$BUILT/timers.hut" "$BIN/other.hut"
	printf 'x\n' >"$BIN/text" && chmod 755 "$BIN/text"
	run appl "$MONITOR" --volume "$BIN:/bin" "$BUILT/exec.hut" /bin/other.hut /bin/text /bin/text
	expect_status appl 1
	expect_grep "the reason is given" \
		'^hut: exec of /bin/other.hut: another image \(only the appliance.s own can be exec.d yet\): ENOEXEC$' \
		"$(err appl)"
	finish
fi
