#!/bin/bash
# Shared file mappings (programs/shmap.c): MAP_SHARED with PROT_WRITE on
# /tmp (tmpfs) and on a volume, coherent with read and write, between two
# mappings and two opens, after munmap, close and unlink, through truncate;
# msync's flags and every error as Linux. The glibc program on a host
# directory is the reference; the hut image as a process (in a root with a
# tmpfs at /tmp and the volume bind-mounted) and as an appliance must print
# the same bytes. Then stores left in a mapping at exit (no msync, no
# munmap) must be in the host file, both ways.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
IMAGE=$BUILT/shmap.hut

begin "shmap: the glibc reference runs"
if ready "$BUILT/shmap-ref"; then
	mkdir -p "$TMP/refdir"
	run ref "$BUILT/shmap-ref" "$TMP/refdir"
	expect_status ref 0
	expect_grep "the reference checked nothing" '^a second mapping.s store shows in the first: Q$' "$(out ref)"
	finish
fi
cp "$(out ref)" "$TMP/want.out"

# shared_on WHERE GUEST_DIR: the process and the appliance against the reference.
shared_on() {
	local where=$1 dir=$2
	rm -rf "$TMP/volp" "$TMP/vola"
	mkdir -p "$TMP/volp" "$TMP/vola"
	begin "shmap on $where: a hut process prints what glibc prints"
	if [ $CAN_UNSHARE = 0 ]; then
		problem "cannot make a private mount namespace (unshare -m -r) for the process"
	elif ready "$IMAGE"; then
		PVOLUMES="$TMP/volp:/data" files_process proc "$IMAGE" "$dir"
		expect_status proc 0
		expect_same_file "reference and process stdout" "$TMP/want.out" "$(out proc)"
	fi
	finish
	begin "shmap on $where: the appliance prints what glibc prints"
	if ready_kvm "$IMAGE"; then
		AVOLUMES="$TMP/vola:/data" files_appliance appl "$IMAGE" "$dir"
		expect_status appl 0
		expect_same_file "reference and appliance stdout" "$TMP/want.out" "$(out appl)"
		expect_no_grep "the libos warned" '^hut: warning' "$(err appl)"
		finish
	fi
}

shared_on /tmp /tmp
shared_on "a volume" /data

# --- stores left in a mapping reach the host file at the end ----------------------
begin "shmap: stores left in a mapping at exit are in the volume's file (process)"
rm -rf "$TMP/volp" "$TMP/vola"
mkdir -p "$TMP/volp" "$TMP/vola"
if [ $CAN_UNSHARE = 1 ] && ready "$IMAGE"; then
	PVOLUMES="$TMP/volp:/data" files_process leavep "$IMAGE" /data leave
	expect_status leavep 0
	[ "$(cat "$TMP/volp/shmap-file")" = "left by the mapping" ] ||
		problem "the host file holds: $(od -c "$TMP/volp/shmap-file" | head -3)"
fi
finish
begin "shmap: stores left in a mapping at exit are in the volume's file (appliance)"
if ready_kvm "$IMAGE"; then
	AVOLUMES="$TMP/vola:/data" files_appliance leavea "$IMAGE" /data leave
	expect_status leavea 0
	expect_same_file "process and appliance stdout" "$(out leavep)" "$(out leavea)"
	[ "$(cat "$TMP/vola/shmap-file")" = "left by the mapping" ] ||
		problem "the host file holds: $(od -c "$TMP/vola/shmap-file" | head -3)"
	[ "$(stat -c %s "$TMP/vola/shmap-file")" = 20 ] || problem "the write-back changed the file's size"
	finish
fi

# --- what msync(MS_SYNC) and fsync acknowledged survives SIGKILL ------------------------
# "synced" stores in two pages, acknowledges one with msync(MS_SYNC) and the
# other with fsync, stores once more unsynced, then waits: killed with
# SIGKILL (the monitor, for the appliance), the host file must hold both
# acknowledged stores.

# kill_after_fsync TAG DIR CMD...: runs CMD until it printed "fsync: 0",
# then kills it with SIGKILL; checks DIR/shmap-file.
kill_after_fsync() {
	local tag=$1 dir=$2 pid
	shift 2
	mkdir -p "$dir"
	(cd "$WORK" && exec "$@") >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	pid=$!
	for _ in $(seq 1 $((300 * SLOW))); do
		grep -q '^fsync: 0$' "$TMP/$tag.out" && break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -q '^fsync: 0$' "$TMP/$tag.out" || { problem "$tag never acknowledged its fsync"; detail_file stderr "$TMP/$tag.err"; return; }
	[ "$(head -c 7 "$dir/shmap-file")" = msynced ] || problem "$tag: the msync'ed store is not in the host file"
	[ "$(tail -c +4097 "$dir/shmap-file" | head -c 7)" = fsynced ] || problem "$tag: the fsync'ed store is not in the host file"
	[ "$(stat -c %s "$dir/shmap-file")" = 8192 ] || problem "$tag: the file's size changed"
}

begin "shmap: msync(MS_SYNC) and fsync survive SIGKILL (process)"
if ready "$IMAGE"; then
	kill_after_fsync syncp "$TMP/syncp" "$IMAGE" "$TMP/syncp" synced
	finish
fi
begin "shmap: msync(MS_SYNC) and fsync survive SIGKILL of the monitor (appliance)"
if ready_kvm "$IMAGE"; then
	kill_after_fsync synca "$TMP/synca" "$MONITOR" --volume "$TMP/synca:/data" "$IMAGE" /data synced
	expect_same_file "process and appliance stdout" "$TMP/syncp.out" "$TMP/synca.out"
	finish
fi
