#!/bin/bash
# Real programs built from Debian source packages (tests/debian/debian.mk):
# zlib's minigzip and example, each with a file workload, as a process (in
# a root of its own, lib.sh's files_process) and as an appliance: the same
# output, the same files left behind, byte for byte.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

MINIGZIP=$ROOT/build/debian/minigzip.hut
EXAMPLE=$ROOT/build/debian/example.hut

# The input: text that compresses, and a megabyte that does not.
IN=$TMP/input
mkdir -p "$IN"
seq 1 50000 | sed 's/$/ a line of text/' >"$IN/text"
head -c 1048576 /dev/urandom >"$IN/random"

# zlib_pair: a volume for the process and one for the appliance, made alike.
zlib_pair() {
	rm -rf "$TMP/zp" "$TMP/za"
	cp -a "$IN" "$TMP/zp"
	cp -a "$IN" "$TMP/za"
}

# same_volumes: both ended with the same files, byte for byte.
same_volumes() {
	local f
	[ "$(cd "$TMP/zp" && ls)" = "$(cd "$TMP/za" && ls)" ] ||
		{ problem "different files: $(cd "$TMP/zp" && ls | tr '\n' ' ')/ $(cd "$TMP/za" && ls | tr '\n' ' ')"; return; }
	for f in "$TMP/zp"/*; do
		cmp -s "$f" "$TMP/za/${f##*/}" || problem "${f##*/} differs"
	done
}

zlib_pair
PVOLUMES="$TMP/zp:/data" AVOLUMES="$TMP/za:/data" RUN_LIMIT=200 \
	files_differential "minigzip compresses files on a volume" "$MINIGZIP" /data/text /data/random
begin "minigzip left the same .gz files"
if need_kvm; then
	same_volumes
	[ -e "$TMP/za/text.gz" ] && [ ! -e "$TMP/za/text" ] || problem "no text.gz in place of text"
	finish
fi

PVOLUMES="$TMP/zp:/data" AVOLUMES="$TMP/za:/data" RUN_LIMIT=200 \
	files_differential "minigzip -d restores them" "$MINIGZIP" -d /data/text.gz /data/random.gz
begin "minigzip -d gave back the input"
if need_kvm; then
	same_volumes
	cmp -s "$TMP/za/text" "$IN/text" && cmp -s "$TMP/za/random" "$IN/random" ||
		problem "the round trip changed the files"
	finish
fi

# Packed read-only, compressed to stdout (-c): the image's own files.
begin "hut build packs minigzip's input"
"$HUT" build --files "$IN:/srv" -o "$TMP/minigzip-packed.hut" \
	"$ROOT"/build/src/zlib/{adler32,compress,crc32,deflate,gzclose,gzlib,gzread,gzwrite,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c \
	"$ROOT/build/src/zlib/test/minigzip.c" -- -I"$ROOT/build/src/zlib" -DHAVE_UNISTD_H \
	>"$TMP/build.out" 2>&1 || { problem "hut build failed"; detail_file build "$TMP/build.out"; }
finish
PACKED="$IN:/srv" RUN_LIMIT=200 files_differential "minigzip -c of a packed file" \
	"$TMP/minigzip-packed.hut" -c /srv/text

# example: zlib's own test, writing and reading a .gz in /tmp.
RUN_LIMIT=200 files_differential "zlib example in /tmp" "$EXAMPLE" /tmp/foo.gz
