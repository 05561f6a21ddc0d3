#!/bin/bash
# A volume's fast paths (programs/volfast.c), each printing what Linux
# prints (the expected lines below, written from Linux's rules; glibc's
# program, the hut image as a process and the appliance must all print
# them):
# - reopen: a cached file opened again and again by name. cache=auto
#   revalidates each open with an LSTAT that leaves out the owner view's
#   xattr while the ctime stays (HUT_FILE_LSTAT_HOST), so the set-user-ID
#   bit only the guest's view holds must still show, and a chmod on the host
#   (through a second volume with cache=none on the same directory: only
#   the ctime moves) and writes on the host must show at the next open;
#   cache=none the same;
# - scattered: reads of 1 MiB and more straight into the app's buffer
#   (no cache copy) whose pages are not contiguous in guest RAM (a forked
#   child's copy-on-write copies of every other page): whole, as Linux
#   reads a regular file, right, and leaving the parent's frames, still
#   shared with the child, and the bytes around the buffer unchanged.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
IMAGE=$BUILT/volfast.hut
REF=$BUILT/volfast-ref
umask 022

cat >"$TMP/want-reopen" <<'EOF'
open 1: 3 'one' mode 104755 size 3
open 2: 3 'one' mode 104755 size 3
open 3: 3 'one' mode 104755 size 3
after a chmod on the host: 3 'one' mode 100750 size 3
again: 3 'one' mode 100750 size 3
after a write on the host: 11 'two, longer' mode 100750 size 11
again: 11 'two, longer' mode 100750 size 11
after another write on the host: 19 'three, longer still' mode 100750 size 19
EOF
cat >"$TMP/want-scattered" <<'EOF'
child pread of 1048581 at 12365 into scattered pages: 1048581 bytes, 0 wrong
child: the bytes before it kept, after it kept
child readv of 2621446 in 3 pieces into scattered pages: 2621446 bytes, 0 wrong
child: the byte between pieces kept
child status 0
parent: 0 bytes of its buffer changed
parent pread of 2 MiB at 1: 2097152 bytes, 0 wrong
EOF

# Where the host file system keeps no xattr for the monitor (tmpfs before
# Linux 6.6 for an unprivileged one), the guest's set-user-ID bit is
# accepted and not kept, as documented (volume-guard.sh checks that): the
# appliance then shows the host's mode.
cp "$TMP/want-reopen" "$TMP/want-reopen-appl"
if command -v python3 >/dev/null; then
	keeps=0
	touch "$TMP/xattr-probe"
	for class in user trusted; do # trusted: a root monitor's, where user ones are not kept
		python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], b"1")' \
			"$TMP/xattr-probe" "$class.hut.probe" 2>/dev/null && keeps=1
	done
	rm -f "$TMP/xattr-probe"
	[ $keeps = 1 ] || sed -i 's/mode 104755/mode 100755/' "$TMP/want-reopen-appl"
fi

for what in reopen scattered; do
	begin "volume $what: glibc on Linux prints what Linux promises"
	if ready "$REF"; then
		mkdir -p "$TMP/$what-ref"
		if [ $what = reopen ]; then
			run "$what-ref" "$REF" reopen "$TMP/$what-ref" "$TMP/$what-ref"
		else
			run "$what-ref" "$REF" scattered "$TMP/$what-ref"
		fi
		expect_status "$what-ref" 0
		expect_same_file "Linux's promise and glibc's output" "$TMP/want-$what" \
			"$(out "$what-ref")"
		finish
	fi

	begin "volume $what: the hut process prints the same"
	if ready "$IMAGE"; then
		mkdir -p "$TMP/$what-proc"
		if [ $what = reopen ]; then
			run "$what-proc" "$IMAGE" reopen "$TMP/$what-proc" "$TMP/$what-proc"
		else
			run "$what-proc" "$IMAGE" scattered "$TMP/$what-proc"
		fi
		expect_status "$what-proc" 0
		expect_same_file "Linux's promise and the process's output" "$TMP/want-$what" \
			"$(out "$what-proc")"
		finish
	fi
done

for mode in auto none; do
	begin "volume cache=$mode: reopened by name, the view kept and host changes seen"
	if ready_kvm "$MONITOR" "$IMAGE"; then
		mkdir -p "$TMP/reopen-$mode"
		run "reopen-$mode" "$MONITOR" --volume "$TMP/reopen-$mode:/a:cache=$mode" \
			--volume "$TMP/reopen-$mode:/b:cache=none" "$IMAGE" reopen /a /b
		expect_status "reopen-$mode" 0
		expect_same_file "Linux's promise and the appliance's output" "$TMP/want-reopen-appl" \
			"$(out "reopen-$mode")"
		finish
	fi
done

begin "volume: 1 MiB reads into pages scattered in guest RAM are whole and touch nothing else"
if ready_kvm "$MONITOR" "$IMAGE"; then
	mkdir -p "$TMP/scattered-appl"
	run scattered-appl "$MONITOR" --mem 256M --volume "$TMP/scattered-appl:/v" "$IMAGE" \
		scattered /v
	expect_status scattered-appl 0
	expect_same_file "Linux's promise and the appliance's output" "$TMP/want-scattered" \
		"$(out scattered-appl)"
	finish
fi

exit 0
