#!/bin/bash
# What a dirfd and the cwd hold, and how deep paths go (programs/paths.c):
# a dirfd or cwd follows its directory through renames (and exchanges) and
# finds nothing once it is removed, even when a new directory takes its
# name; mkdir+chdir goes on past PATH_MAX of cwd, getcwd then says
# ENAMETOOLONG, and one path argument over PATH_MAX is ENAMETOOLONG. On
# /tmp as a glibc process, the hut image as a process and an appliance; on
# a volume as a process in a root like the appliance's and as an
# appliance, to a depth whose path stays within PATH_MAX of the volume
# (the monitor takes a volume's paths whole: ARCHITECTURE.md, "Files").
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
DIR=/tmp/hut-paths.$$
differential "paths on /tmp: dirfds and the cwd through renames, 120 deep" \
	"$BUILT/paths.hut" "$BUILT/paths-ref" 0 "$DIR" 120
rm -rf "$DIR"

rm -rf "$TMP/volp" "$TMP/vola"
mkdir -p "$TMP/volp" "$TMP/vola"
PVOLUMES="$TMP/volp:/data" AVOLUMES="$TMP/vola:/data" \
	files_differential "paths on a volume: dirfds and the cwd through renames, 120 deep" \
	"$BUILT/paths.hut" /data/p 120
