#!/bin/bash
# The file kinds daemons use (programs/memfd.c, fifo.c, signalfd.c, inotify.c,
# splice.c): memfd_create and its seals; FIFOs made by mkfifo and mknod in
# /tmp, opened as fifo(7) says (a thread opens the other end); signalfds
# read, polled and watched by epoll; splice, tee, vmsplice, copy_file_range
# and sendfile between pipes, files, memfds and sockets; inotify's events on /tmp.
# Each prints every result and errno: the same bytes and status as a glibc
# program, as a process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "fdkinds: memfd_create, seals" "$BUILT/memfd.hut" "$BUILT/memfd-ref" 0
differential "fdkinds: FIFOs and mknod in /tmp" "$BUILT/fifo.hut" "$BUILT/fifo-ref" 0
differential "fdkinds: signalfd" "$BUILT/signalfd.hut" "$BUILT/signalfd-ref" 0
differential "fdkinds: splice, tee, vmsplice, copy_file_range, sendfile" "$BUILT/splice.hut" \
	"$BUILT/splice-ref" 0
differential "fdkinds: inotify on /tmp" "$BUILT/inotify.hut" "$BUILT/inotify-ref" 0

# On a volume: inotify hears the guest's own changes there as Linux does
# (the process runs in a root with the same directory bind-mounted).
mkdir -p "$TMP/vol-inotify" "$TMP/vol-mknod"
VOLUMES="$TMP/vol-inotify:/data" files_differential "fdkinds: inotify on a volume" \
	"$BUILT/inotify.hut" /data

# A FIFO, socket or device node on a volume would be a host object the
# guest could share with nothing: the appliance refuses them with EPERM and
# makes regular files (Linux would make them all: not differential).
begin "fdkinds: mknod on a volume makes regular files, EPERM for the other types"
if ready_kvm "$BUILT/fifo.hut"; then
	run appl "$MONITOR" --volume "$TMP/vol-mknod:/data" "$BUILT/fifo.hut" refused /data
	expect_status appl 0
	printf '%s\n' "mkfifo: EPERM" "mknod S_IFSOCK: EPERM" "mknod S_IFCHR: EPERM" \
		"mknod S_IFREG: 0" "stat: regular 600 size 0" "mkfifo on the file: EEXIST" \
		"unlink: 0" >"$TMP/mknod-want"
	expect_same_file "the appliance's answers and the documented ones" "$TMP/mknod-want" \
		"$(out appl)"
	[ -z "$(ls -A "$TMP/vol-mknod")" ] || problem "the volume is not empty after the test"
	finish
fi

# copy_file_range within a volume copies; from /tmp to a volume it is EXDEV
# (two file systems, as Linux since 5.19).
mkdir -p "$TMP/vol-copy"
VOLUMES="$TMP/vol-copy:/data" files_differential "fdkinds: copy_file_range on a volume and across" \
	"$BUILT/splice.hut" xdev /data
