#!/bin/bash
# exec (programs/exec.c): a program execs its own file (on a volume for the
# appliance), keeps its pid, kept fds, ignored signals and mask, loses its
# memory, close-on-exec fds and handlers; fork+exec+wait; ENOEXEC, EACCES
# and ENOENT. Then other programs (programs/exec_other.c, execee.c):
# another image, one larger than the appliance's, a static glibc program.
# The same bytes as a glibc program and as the hut image run as a process.
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

begin "exec: other programs run on the appliance's libos: another image, a larger one, static glibc"
if ready_kvm "$BUILT/exec_other.hut" "$BUILT/exec_other-ref" "$BUILT/execee.hut" \
	"$BUILT/execee-ref" "$BUILT/execee-big.hut" "$BUILT/execee-big-ref" "$BUILT/execee-static"; then
	BIN=$TMP/bin2
	mkdir -p "$BIN"
	for f in execee.hut execee-ref execee-big.hut execee-big-ref execee-static; do
		cp "$BUILT/$f" "$BIN/"
	done
	run ref "$BUILT/exec_other-ref" "$BIN/execee-ref" "$BIN/execee-big-ref" "$BIN/execee-static"
	expect_status ref 0
	expect_grep "the reference ran the three" '^run 3: exited 7$' "$(out ref)"
	run proc "$BUILT/exec_other.hut" "$BIN/execee.hut" "$BIN/execee-big.hut" "$BIN/execee-static"
	expect_status proc 0
	expect_same_file "process and reference stdout" "$(out ref)" "$(out proc)"
	run appl "$MONITOR" --volume "$BIN:/bin" "$BUILT/exec_other.hut" /bin/execee.hut \
		/bin/execee-big.hut /bin/execee-static
	expect_status appl 0
	expect_same_file "appliance and reference stdout" "$(out ref)" "$(out appl)"
	finish
fi

begin "exec: a dynamic executable and an image for another libos are refused, in one line"
if ready_kvm "$BUILT/exec_other.hut" "$BUILT/execee.hut" "$BUILT/execee-ref"; then
	BIN=$TMP/bin3
	mkdir -p "$BIN"
	cp "$BUILT/execee-ref" "$BIN/dynamic"
	cp "$BUILT/execee.hut" "$BIN/old-abi"
	# The ABI page opens the libos's window (include/hut/abi.h): its
	# abi_version, 24 bytes in, made another.
	off=$(readelf -lW "$BIN/old-abi" | awk '$1 == "LOAD" && $3 == "0x0000001000000000" { print $2 }')
	printf '\x07' | dd of="$BIN/old-abi" bs=1 seek=$((off + 24)) conv=notrunc status=none
	run appl "$MONITOR" --volume "$BIN:/bin" "$BUILT/exec_other.hut" /bin/dynamic /bin/old-abi
	expect_status appl 0
	expect_grep "the child of a refused exec exits 99" '^run 2: exited 99$' "$(out appl)"
	expect_grep "a dynamic executable is explained" \
		'^hut: exec of /bin/dynamic: not a static executable \(dynamic or position-independent\): ENOEXEC$' \
		"$(err appl)"
	expect_grep "another ABI is explained" \
		'^hut: exec of /bin/old-abi: built for another libos \(hut ABI differs\): rebuild it: ENOEXEC$' \
		"$(err appl)"
	finish
fi
