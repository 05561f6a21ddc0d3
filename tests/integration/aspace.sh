#!/bin/bash
# Address spaces (libos/mem/aspace.c), the ground processes will stand on:
# programs/aspace.c calls the libos directly inside an appliance and must
# print exactly what is written below, which follows from the x86-64 page
# tables' rules, not from the code under test.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
begin "address spaces: a copy, one page pointed elsewhere, a fault taken, switched both ways, a range unmapped, freed"
if ready_kvm "$BUILT/aspace.hut"; then
	run appl "$MONITOR" "$BUILT/aspace.hut"
	expect_status appl 0
	cat >"$TMP/want" <<'WANT'
clone: yes
the copy maps the data page where the boot space does: yes
the boot space cannot be changed in place: yes
an unmapped address cannot be pointed anywhere: yes
point the data page elsewhere: yes
point heap page a at heap page b's frame: yes
the copy says where: yes
the cow page is read-only in the copy: yes
in the copy: child's data page / heap page b / heap page b
a faulting store kept registers, flags and red zone: yes
the copy's cow page: Whared until written
faults taken: 1
the boot space's cow page: shared until written
back: parent's data page / heap page a / heap page b
the copy's write went to its frame: written in the copy
a word written in the copy, read back: 42
unmap a range in the copy: yes
the page before the range stays: yes
the range's first page is gone: yes
a page 2 MiB on is gone: yes
the range's last page is gone: yes
the page after the range stays: yes
the boot space still maps the range: yes
unmapping it again changes nothing: yes
freeing the copy gave its tables back but 16 at most: yes
10 more copies, each changed the same way, map what they were told: yes
all of them together keep 16 tables at most: yes
WANT
	expect_same_file "what the appliance printed and what it must" "$TMP/want" "$(out appl)"
	finish
fi

# The same fault, declined by the handler: the crash report the CPU's own
# fault would have given, with the store's rip and the faulting registers.
begin "address spaces: a page fault the libos declines is the crash it was"
if ready_kvm "$BUILT/aspace.hut"; then
	run appl "$MONITOR" "$BUILT/aspace.hut" decline
	expect_status appl 139
	expect_grep "the crash names the write and where" \
		'guest crashed: #PF page fault \(vector 14, error 0x7\) at rip 0x[0-9a-f]+ <[a-z_]+\+0x[0-9a-f]+>: user write to 0x[0-9a-f]+000 \(protection violation\)' \
		"$(err appl)"
	expect_grep "the registers are the store's" 'rbx 0000000000001111' "$(err appl)"
	finish
fi
