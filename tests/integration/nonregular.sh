#!/bin/bash
# No program blocks on a path that is not a file. A FIFO (with no writer,
# and with one holding it open), a socket, /dev/zero and a directory, given
# as the image to hut-monitor, hut inspect and each form of hut pack, as the
# source to hut build and hut-cc, and as hut-oci's config.json or the
# image its process names: each ends at once (`timeout` would say 124),
# with its documented status and one line saying what the path is. Runs
# without KVM: every such path is refused before /dev/kvm is opened.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUN_LIMIT=10
OCI=$BIN/hut-oci
CC=$BIN/hut-cc
N=$TMP/paths
mkdir -p "$N/dir.hut"
mkfifo "$N/fifo.hut" "$N/held.hut"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$N/sock.hut"
# A writer holding one FIFO open for as long as the test runs.
sleep 600 >"$N/held.hut" &
WRITER=$!
trap 'kill $WRITER 2>/dev/null; rm -rf "$TMP"' EXIT

# one_line_refusal TAG STATUS WORD: the run TAG ended with STATUS, with one
# line on stderr naming what the path is (WORD: FIFO, socket, device...).
one_line_refusal() {
	expect_status "$1" "$2"
	[ "$(wc -l <"$(err "$1")")" = 1 ] || { problem "$1: not one line on stderr"; detail_file "$1" "$(err "$1")"; }
	expect_grep "$1 does not say it is $3" "$3" "$(err "$1")"
}

declare -A WHAT=([fifo.hut]="a FIFO" [held.hut]="a FIFO" [sock.hut]="a socket" [dir.hut]="a directory")

begin "non-regular paths: hut-monitor, hut inspect and hut pack refuse them at once (126)"
if ready "$MONITOR" "$HUT"; then
	for p in fifo.hut held.hut sock.hut dir.hut /dev/zero; do
		path=$N/$p
		what=${WHAT[$p]:-device}
		[ "$p" = /dev/zero ] && path=/dev/zero
		tag=${p//[^a-z]/}
		run "mon-$tag" "$MONITOR" "$path"
		one_line_refusal "mon-$tag" 126 "$what"
		for form in --bundle --oci-archive --oci-layout; do
			run "pack$form-$tag" "$HUT" pack "$form" "$TMP/out-$tag$form" "$path"
			one_line_refusal "pack$form-$tag" 126 "$what"
			[ -e "$TMP/out-$tag$form" ] && problem "hut pack $form left an output for $p"
		done
		[ "$p" = dir.hut ] && continue # a directory is an OCI layout to inspect (oci-image.sh)
		run "inspect-$tag" "$HUT" inspect "$path"
		one_line_refusal "inspect-$tag" 126 "$what"
	done
	finish
fi

begin "non-regular paths: hut build and hut-cc refuse them as sources (1)"
if ready "$HUT" "$CC"; then
	for p in fifo.c held.c sock.c dir.c; do
		ln -s "$N/${p%.c}.hut" "$N/$p"
	done
	for p in fifo.c held.c sock.c dir.c; do
		what=${WHAT[${p%.c}.hut]}
		tag=${p%.c}
		run "build-$tag" "$HUT" build -o "$TMP/b-$tag.hut" "$N/$p"
		one_line_refusal "build-$tag" 1 "$what"
		run "cc-$tag" "$CC" -o "$TMP/c-$tag.hut" "$N/$p"
		one_line_refusal "cc-$tag" 1 "$what"
		run "cc-c-$tag" "$CC" -c "$N/$p" -o "$TMP/c-$tag.o"
		one_line_refusal "cc-c-$tag" 1 "$what"
	done
	finish
fi

begin "non-regular paths: hut-oci reads no FIFO (config.json, the process's image)"
if ready "$OCI" "$HUT"; then
	"$HUT" pack --bundle "$N/bundle" "$IMAGES/hello.hut" >/dev/null 2>&1 || problem "hut pack --bundle failed"
	rm -f "$N/bundle/rootfs/hello.hut"
	mkfifo -m 755 "$N/bundle/rootfs/hello.hut"
	# The image is a FIFO: not a hut image, so the lower runtime gets the
	# bundle (whatever it then says); hut-oci itself must not wait.
	run ocififo "$OCI" --root "$TMP/state" create --bundle "$N/bundle" nr1
	[ "$HUNG" = 1 ] && problem "hut-oci create hung on a FIFO as the process's image"
	"$OCI" --root "$TMP/state" delete --force nr1 >/dev/null 2>&1
	mv "$N/bundle/config.json" "$N/config.json"
	mkfifo "$N/bundle/config.json"
	run occonfig "$OCI" --root "$TMP/state" create --bundle "$N/bundle" nr2
	one_line_refusal occonfig 1 "not a regular file"
	finish
fi
