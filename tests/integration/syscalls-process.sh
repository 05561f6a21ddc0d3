#!/bin/bash
# Syscalls as calls (musl/), what can be checked without KVM: images link
# musl built from Debian's source whose syscalls test for the appliance
# first (musl/syscall_arch.h). As processes they must make the very
# syscalls a plain musl build makes; `hut build` links code built against
# Debian's musl; crypt() works. tests/integration/syscalls.sh boots them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

PROGRAMS=$ROOT/tests/integration/programs
BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
HELLO=$IMAGES/hello.hut

# --- as a process -------------------------------------------------------------------
# Each `syscall` instruction of musl's is the process half of hut's
# sequence (musl/syscall_arch.h): three instructions after a call to the
# dispatcher, whose address (HUT_LIBOS_DISPATCH_VA, include/hut/abi.h) the
# instruction before loads into %r11. The dispatcher has the only other one.
begin "hello.hut: every syscall instruction is behind the appliance test"
if ready "$HELLO"; then
	objdump -d --no-show-raw-insn "$HELLO" >"$TMP/hello.dis" 2>&1 || problem "objdump failed"
	awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; n = 0; next }
	     /^ +[0-9a-f]+:\t/ { insn[++n] = $0
		if ($2 != "syscall") next
		if (fn == "<hut_syscall_dispatch>:") { dispatcher++; next }
		if (n > 4 && insn[n - 3] ~ /call +\*%r11$/ &&
		    insn[n - 4] ~ /movabs +\$0x1000001000,%r11$/) guarded++
		else { unguarded++; print "unguarded: " fn " " $0 > "/dev/stderr" } }
	     END { printf "%d %d %d\n", guarded, unguarded, dispatcher }' \
		"$TMP/hello.dis" >"$TMP/hello.count" 2>"$TMP/hello.unguarded"
	read -r guarded unguarded dispatcher <"$TMP/hello.count"
	[ "${guarded:-0}" -gt 0 ] || problem "no guarded syscall instruction (is musl hut's?)"
	[ "${unguarded:-0}" = 0 ] || { problem "$unguarded unguarded syscall instructions"; detail_file unguarded "$TMP/hello.unguarded"; }
	[ "${dispatcher:-0}" = 1 ] || problem "${dispatcher:-0} syscall instructions in hut_syscall_dispatch, expected 1"
	finish
fi

# The syscall names a program makes as a process, in order (strace).
syscall_names() {
	(cd "$WORK" && timeout -s KILL "$RUN_LIMIT" strace -qq -o "$TMP/strace" "$@" \
		>/dev/null 2>&1 </dev/null)
	sed -n 's/^\([a-z_0-9]\+\)(.*/\1/p' "$TMP/strace"
}

for app in hello malloc signals tls clock; do
	begin "$app as a process makes the syscalls a plain musl build makes"
	if ready "$IMAGES/$app.hut" && ref=$(reference "$app"); then
		syscall_names "$ref" a b >"$TMP/ref.names"
		syscall_names "$IMAGES/$app.hut" a b >"$TMP/image.names"
		[ -s "$TMP/ref.names" ] || problem "strace saw no syscall of the reference"
		expect_same_file "syscall names (plain musl, image)" "$TMP/ref.names" "$TMP/image.names"
		finish
	elif [ -e "$IMAGES/$app.hut" ]; then
		problem "reference build of $app failed"
		finish
	fi
done

# Code built against Debian's musl, with `syscall` instructions, as an
# object and as an archive: hut build links either.
for kind in object archive; do
	input=$BUILT/raw_syscalls.o
	[ $kind = archive ] && input=$BUILT/libraw.a
	begin "hut build links a Debian-musl $kind with raw syscalls"
	if ready "$HUT" "$input"; then
		run build "$HUT" build -o "$TMP/raw-$kind.hut" "$PROGRAMS/raw_main.c" "$input"
		expect_status build 0
		run proc "$TMP/raw-$kind.hut"
		expect_status proc 7
		expect_grep "the raw write did not arrive" '^written by a raw syscall$' "$(out proc)"
		finish
	fi
done

# --- crypt(), which Debian's musl-dev lacks ---------------------------------------------
begin "crypt.h and crypt(): hashes equal to libxcrypt's (perl)"
if ready "$BUILT/crypt.hut"; then
	sed -n 's/^[[:space:]]*"\([^"]*\)",.*/\1/p' "$PROGRAMS/crypt_check.c" >"$TMP/salts"
	[ "$(wc -l <"$TMP/salts")" = 5 ] || problem "did not find the 5 salts in crypt_check.c"
	while IFS= read -r salt; do
		perl -e 'print crypt("hut", $ARGV[0]), "\n"' "$salt"
	done <"$TMP/salts" >"$TMP/crypt.want"
	run proc "$BUILT/crypt.hut"
	expect_status proc 0
	expect_same_file "crypt hashes (perl, image as a process)" "$TMP/crypt.want" "$(out proc)"
	finish
fi

exit 0
