#!/bin/bash
# The file kinds daemons use (programs/memfd.c, fifo.c, signalfd.c, inotify.c,
# splice.c): memfd_create and its seals; FIFOs made by mkfifo and mknod in
# /tmp, opened as fifo(7) says (a thread opens the other end); signalfds
# read, polled and watched by epoll; splice, tee, vmsplice, copy_file_range
# and sendfile between pipes, files and memfds; inotify's events on /tmp.
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
