#!/bin/bash
# Address spaces (libos/mem/aspace.c), the ground processes will stand on:
# programs/aspace.c calls the libos directly inside an appliance and must
# print exactly what is written below, which follows from the x86-64 page
# tables' rules, not from the code under test.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
begin "address spaces: a copy, one page pointed elsewhere, switched both ways, freed"
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
in the copy: child's data page / heap page b / heap page b
back: parent's data page / heap page a / heap page b
the copy's write went to its frame: written in the copy
a word written in the copy, read back: 42
freeing the copy gave every table back: yes
WANT
	expect_same_file "what the appliance printed and what it must" "$TMP/want" "$(out appl)"
	finish
fi
