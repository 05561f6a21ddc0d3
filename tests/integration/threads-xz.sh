#!/bin/bash
# A real threaded program: xz from Debian's xz-utils source, built with its
# own configure and Makefiles and CC=hut-cc (tests/debian/debian.mk). With
# -T4 and small blocks it compresses with four threads (pthread mutexes,
# condition variables on CLOCK_MONOTONIC, joins). As a process (in a root of
# its own, lib.sh's files_process) and as an appliance: the same output,
# the same .xz files left behind, byte for byte, and a round trip.
# hut-test: needs-kvm
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

XZ=$ROOT/build/debian/xz.hut
XZ_THREADS=(-T4 --block-size=262144)

IN=$TMP/input
mkdir -p "$IN"
seq 1 200000 | sed 's/$/ a line of text/' >"$IN/text"
head -c 1048576 /dev/urandom >"$IN/random"
rm -rf "$TMP/xp" "$TMP/xa"
cp -a "$IN" "$TMP/xp"
cp -a "$IN" "$TMP/xa"
export PVOLUMES="$TMP/xp:/data" AVOLUMES="$TMP/xa:/data" RUN_LIMIT=300

files_differential "xz -T4 compresses files on a volume" "$XZ" "${XZ_THREADS[@]}" -1 -k \
	/data/text /data/random
begin "xz -T4 left the same .xz files both ways"
if need_kvm; then
	for f in text.xz random.xz; do
		[ -s "$TMP/xa/$f" ] || problem "the appliance left no $f"
		cmp -s "$TMP/xp/$f" "$TMP/xa/$f" || problem "$f differs"
	done
	finish
fi

files_differential "xz -t checks them" "$XZ" "${XZ_THREADS[@]}" -t /data/text.xz /data/random.xz
files_differential "xz -dc gives the text back on stdout" "$XZ" -dc /data/text.xz
begin "xz -dc's output is the input"
if need_kvm; then
	cmp -s "$(out appl)" "$IN/text" || problem "the appliance's round trip changed the text"
	finish
fi
