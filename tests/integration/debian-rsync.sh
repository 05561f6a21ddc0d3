#!/bin/bash
# rsync from Debian's source package, built unmodified with hut-cc
# (tests/debian/debian.mk): a local `rsync -a SRC/ DST/` forks a receiver
# that forks a generator, all talking over socketpairs, none exec'ing. A
# tree of files of several sizes, symlinks (to a file, a directory,
# nowhere), modes and old mtimes is copied on a volume, then updated
# (changed, grown, removed, added and chmod'ed files, --delete-before), as a
# process (in a root of its own, lib.sh's files_process) and as an
# appliance: the same itemized changes on stdout, the same status, and the
# same trees, each the same as its source; then a third pass over the
# up-to-date tree changes nothing. (That pass once crashed the appliance: a
# page let go while shared copy-on-write kept a read-only entry, which the
# libos wrote when it took the page again; docs/ARCHITECTURE.md, Processes.)
# hut-test: needs-kvm
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RS=$ROOT/build/debian/rsync.hut

# make_source DIR: the tree to copy, the same every run.
make_source() {
	local d=$1
	mkdir -p "$d/sub/deeper" "$d/private" "$d/emptydir"
	: >"$d/empty"
	printf x >"$d/one-byte"
	head -c 4096 /dev/zero | tr '\0' 'a' >"$d/sub/page"
	seq 1 20000 >"$d/sub/numbers"
	head -c $((1024 * 1024)) /dev/urandom >"$d/big"
	head -c 100000 /dev/urandom >"$d/sub/deeper/mid"
	printf 'secret\n' >"$d/private/key"
	ln -s one-byte "$d/to-file"
	ln -s sub/deeper "$d/to-dir"
	ln -s nowhere "$d/dangling"
	chmod 600 "$d/private/key"
	chmod 700 "$d/private"
	chmod 751 "$d/sub"
	chmod 755 "$d/sub/numbers"
	find "$d" -exec touch -h -d '2021-03-04 05:06:07' {} +
}

# update_source DIR: the changes the second pass carries over.
update_source() {
	local d=$1
	head -c 4096 /dev/zero | tr '\0' 'b' >"$d/sub/page" # same size, new bytes
	seq 20001 20100 >>"$d/sub/numbers"
	rm "$d/one-byte" "$d/sub/deeper/mid"
	printf 'new\n' >"$d/new-file"
	chmod 640 "$d/private/key"
	touch -d '2022-01-02 03:04:05' "$d/sub/page" "$d/sub/numbers" "$d/new-file"
	touch -h -d '2022-01-02 03:04:05' "$d" "$d/sub" "$d/sub/deeper"
}

# listing DIR: type, mode, size, mtime and target of everything under DIR.
listing() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %s %TY-%Tm-%Td %TT %p -> %l\n' | sort)
}

# same_tree WHAT A B: A and B hold the same names, kinds, modes, mtimes, bytes.
same_tree() {
	listing "$2" >"$TMP/list-a" && listing "$3" >"$TMP/list-b"
	expect_same_file "$1: the listings" "$TMP/list-a" "$TMP/list-b"
	diff -r --no-dereference "$2" "$3" >"$TMP/diff.out" 2>&1 ||
		{ problem "$1: the contents differ"; detail_file diff "$TMP/diff.out"; }
}

# run_both NAME ARG...: rsync as a process and as an appliance, with /data
# the volume; the same stdout and status, and no libos warning but the
# one for openat2, which rsync's secure open tries first and then does
# without (ENOSYS, as on Linux before 5.6).
run_both() {
	local name=$1
	shift
	begin "$name"
	if [ $CAN_UNSHARE = 0 ]; then
		problem "cannot make a private mount namespace (unshare -m -r) for the process"
		finish
		return
	fi
	ready_kvm "$RS" || return
	files_process proc "$RS" "$@"
	local want=$ST
	[ "$want" = 0 ] || { problem "the process exited $want"; detail_file stderr "$(err proc)"; }
	files_appliance appl "$RS" "$@"
	expect_status appl "$want"
	expect_same_file "process and appliance stdout" "$(out proc)" "$(out appl)"
	grep '^hut: warning' "$(err appl)" | grep -v 'syscall openat2 (437) not implemented' \
		>"$TMP/warnings" && { problem "the libos warned"; detail_file warnings "$TMP/warnings"; }
	finish
}

for side in rp ra; do
	rm -rf "${TMP:?}/$side"
	mkdir -p "$TMP/$side/dst"
done
make_source "$TMP/rp/src"
cp -a "$TMP/rp/src" "$TMP/ra/src"
export PVOLUMES="$TMP/rp:/data" AVOLUMES="$TMP/ra:/data" PNAME=rsync

run_both "rsync -a: a tree of files, symlinks and modes copied (a receiver and a generator forked)" \
	-a -i /data/src/ /data/dst/
begin "rsync -a: the appliance's copy is the process's, and each is its source"
same_tree "process: source and copy" "$TMP/rp/src" "$TMP/rp/dst"
same_tree "appliance: source and copy" "$TMP/ra/src" "$TMP/ra/dst"
same_tree "the two copies" "$TMP/rp/dst" "$TMP/ra/dst"
finish

update_source "$TMP/rp/src"
update_source "$TMP/ra/src"
# --delete-before: the generator deletes before it asks for any file, so its
# "*deleting" lines come first whatever the processes' timing (with
# --delete-during they come when it reaches the directory, which the
# receiver's lines may pass).
run_both "rsync -a --delete-before: an update pass (changed, grown, removed, added, chmod'ed)" \
	-a -i --delete-before /data/src/ /data/dst/
begin "rsync --delete: the updated copies are the same, and each is its source"
same_tree "process: source and copy" "$TMP/rp/src" "$TMP/rp/dst"
same_tree "appliance: source and copy" "$TMP/ra/src" "$TMP/ra/dst"
same_tree "the two copies" "$TMP/rp/dst" "$TMP/ra/dst"
finish

# Nothing to do: rsync's processes compare and agree, every page they let go
# while shared with another comes back writable for the next to take it.
run_both "rsync -a over an up-to-date tree: nothing changes" -a -i /data/src/ /data/dst/
begin "rsync -a, nothing to do: the copies are unchanged"
same_tree "the two copies" "$TMP/rp/dst" "$TMP/ra/dst"
finish
