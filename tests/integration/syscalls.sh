#!/bin/bash
# Syscalls as calls (musl/): images link musl built from Debian's source
# whose syscalls call the libos dispatcher. As a process they must make the
# very syscalls a plain musl build makes; as an appliance musl's syscalls
# must not trap, while `syscall` instructions from code built against
# another libc still do, and work. `hut-monitor --trace-boot` prints the
# number of trapped syscalls.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

PROGRAMS=$ROOT/tests/integration/programs
HELLO=$IMAGES/hello.hut

# trapped TAG: the trapped-syscall count in run TAG's --trace-boot lines.
trapped() {
	sed -n 's/^hut-monitor: trace-boot: trapped syscalls: \([0-9]\+\)$/\1/p' "$(err "$1")"
}

# expect_trapped TAG N: run TAG reported exactly N trapped syscalls.
expect_trapped() {
	local n
	n=$(trapped "$1")
	[ "$n" = "$2" ] && return 0
	problem "$1: ${n:-no} trapped syscalls reported, expected $2"
	detail_file "$1 stderr" "$(err "$1")"
}

# --- as a process -------------------------------------------------------------------
# Each `syscall` instruction of musl's is the process half of hut's
# sequence (musl/syscall_arch.h): three instructions after a call to the
# dispatcher. The dispatcher has the only other one.
begin "hello.hut: every syscall instruction is behind the appliance test"
if ready "$HELLO"; then
	objdump -d --no-show-raw-insn "$HELLO" >"$TMP/hello.dis" 2>&1 || problem "objdump failed"
	awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; n = 0; next }
	     /^ +[0-9a-f]+:\t/ { insn[++n] = $0
		if ($2 != "syscall") next
		if (fn == "<hut_syscall_dispatch>:") { dispatcher++; next }
		if (n > 3 && insn[n - 3] ~ /call .*<hut_syscall_dispatch>$/) guarded++
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

# --- as an appliance -----------------------------------------------------------------
begin "hello makes no trapped syscalls"
if ready_kvm "$HELLO"; then
	run appl "$MONITOR" --trace-boot "$HELLO" world
	expect_status appl 0
	expect_grep "hello did not greet" '^hello, world$' "$(out appl)"
	expect_trapped appl 0
	finish
fi

# Code built against Debian's musl with `syscall` instructions, linked as an
# object and as an archive: the same output and status three ways, and in
# the appliance exactly its five raw syscalls trap.
raw_object=$TMP/raw_syscalls.o
musl-gcc -std=gnu11 -O2 -c -o "$raw_object" "$PROGRAMS/raw_syscalls.c" >"$TMP/raw-cc.log" 2>&1
ar rcs "$TMP/libraw.a" "$raw_object" 2>>"$TMP/raw-cc.log"
musl-gcc -std=gnu11 -O2 -static -o "$TMP/raw-ref" "$PROGRAMS/raw_main.c" "$raw_object" \
	>>"$TMP/raw-cc.log" 2>&1
for kind in object archive; do
	input=$raw_object
	[ $kind = archive ] && input=$TMP/libraw.a
	begin "raw syscalls from a Debian-musl $kind: hut build links it"
	if ready "$HUT" "$raw_object" "$TMP/raw-ref"; then
		run build "$HUT" build -o "$TMP/raw-$kind.hut" "$PROGRAMS/raw_main.c" "$input" -- \
			-I"$PROGRAMS"
		expect_status build 0
		finish
	fi
	differential "raw syscalls from a Debian-musl $kind" "$TMP/raw-$kind.hut" "$TMP/raw-ref" 7
	begin "raw syscalls from a Debian-musl $kind trap, and only they"
	if ready_kvm "$TMP/raw-$kind.hut"; then
		run appl "$MONITOR" --trace-boot "$TMP/raw-$kind.hut"
		expect_status appl 7
		expect_grep "the raw write did not arrive" '^written by a raw syscall$' "$(out appl)"
		expect_trapped appl 5
		finish
	fi
done

# --- crypt(), which Debian's musl-dev lacks ---------------------------------------------
begin "crypt.h and crypt(): hashes equal to libxcrypt's (perl)"
if ready "$HUT"; then
	run build "$HUT" build -o "$TMP/crypt.hut" "$PROGRAMS/crypt_check.c"
	expect_status build 0
	sed -n 's/^[[:space:]]*"\([^"]*\)",.*/\1/p' "$PROGRAMS/crypt_check.c" >"$TMP/salts"
	[ "$(wc -l <"$TMP/salts")" = 5 ] || problem "did not find the 5 salts in crypt_check.c"
	while IFS= read -r salt; do
		perl -e 'print crypt("hut", $ARGV[0]), "\n"' "$salt"
	done <"$TMP/salts" >"$TMP/crypt.want"
	run proc "$TMP/crypt.hut"
	expect_status proc 0
	expect_same_file "crypt hashes (perl, image as a process)" "$TMP/crypt.want" "$(out proc)"
	finish
fi
differential "crypt() both ways" "$TMP/crypt.hut" - 0

exit 0
