#!/bin/bash
# A guest that is root in its own box against the host, through a volume
# (tests/guests/volume_guard.c): set-ID bits and owners the guest sets never
# reach the host file (owner=mapped, the default) while the guest sees them
# as Linux would show them; owner=passthrough is the opt-in to the old way;
# size= bounds the blocks a volume holds on the host, and every way to
# write past it is ENOSPC before the host allocates.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

GUARD=$ROOT/build/guests/volume_guard.hut
umask 022
LIMIT=1048576 # the size= of the size tests, 1M

# host_clean DIR UID GID: no set-ID file anywhere in DIR, and every file
# owned by UID:GID (the user the monitor ran as).
host_clean() {
	local bad
	bad=$(find "$1" -perm /6000 -printf '%m %u:%g %P; ')
	[ -z "$bad" ] || problem "set-ID files on the host: $bad"
	bad=$(find "$1" \( ! -uid "$2" -o ! -gid "$3" \) -printf '%m %U:%G %P; ')
	[ -z "$bad" ] || problem "files not owned by the monitor's user $2:$3: $bad"
}

# xattrs DIR CLASS: DIR's file system keeps CLASS (user, trusted) xattrs
# for us. tmpfs before Linux 6.6 keeps no user ones (the nested guest's
# /tmp): there a root monitor keeps the guest's view in trusted.hut.stat
# and an unprivileged one keeps none, as documented; the host side is
# checked all the same.
xattrs() {
	local st
	command -v python3 >/dev/null || return 0
	touch "$1/xattr-probe"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], b"1")' \
		"$1/xattr-probe" "$2.hut.probe" 2>/dev/null
	st=$?
	rm -f "$1/xattr-probe"
	return $st
}
KEEPS=1 # the root monitor keeps the guest's view
KEEPS_NOBODY=1
xattrs "$TMP" user || KEEPS_NOBODY=0
[ $KEEPS_NOBODY = 1 ] || xattrs "$TMP" trusted || KEEPS=0

# privs_volume DIR: a fresh volume holding a set-user-ID program the host put there.
privs_volume() {
	rm -rf "$1"
	mkdir -p "$1"
	cp /bin/true "$1/hostsuid"
	chmod 4755 "$1/hostsuid"
}

# --- set-ID bits and owners ---------------------------------------------------------
begin "volume owner=mapped: no set-ID file and no other owner on the host (monitor as root)"
if ready_kvm "$MONITOR" "$GUARD"; then
	privs_volume "$TMP/privs"
	run privs "$MONITOR" --volume "$TMP/privs:/data" "$GUARD" privs /data
	expect_status privs 0
	host_clean "$TMP/privs" "$(id -u)" "$(id -g)"
	finish
fi

# What the guest sees, as Linux shows it to root (the same program as a
# process on a host directory), but for the three documented differences:
# O_TMPFILE is not served, a symlink keeps no owner of its own, and a
# set-ID file the host placed loses the bit when the guest writes it.
begin "volume owner=mapped: the guest sees the modes and owners it set, as on Linux"
if [ $KEEPS = 0 ]; then
	begin "volume owner=mapped: with no user xattrs the change is accepted, not kept"
	if ready_kvm "$MONITOR" "$GUARD"; then
		expect_status privs 0
		expect_grep "chmod 04755 failed or was kept" '^chmod mode=100755 uid=0 gid=0$' "$(out privs)"
		expect_grep "chown failed or was kept" '^chown-other mode=100644 uid=0 gid=0$' "$(out privs)"
		finish
	fi
elif [ "$(id -u)" != 0 ]; then
	skip "$TEST_NAME" "not root: Linux's side needs chown to any uid"
elif ready_kvm "$MONITOR" "$GUARD"; then
	privs_volume "$TMP/privs-linux"
	run linux "$GUARD" privs "$TMP/privs-linux"
	expect_status linux 0
	grep -v -e '^tmpfile: ' -e '^lnk ' -e '^hostsuid ' "$(out linux)" >"$TMP/linux.view"
	grep -v -e '^tmpfile: ' -e '^lnk ' -e '^hostsuid ' -e '^raw-' "$(out privs)" >"$TMP/appl.view"
	expect_same_file "the guest's and Linux's views" "$TMP/linux.view" "$TMP/appl.view"
	expect_grep "a set-user-ID file made with chmod is not shown so" '^chmod mode=104755 uid=0 gid=0$' "$(out privs)"
	expect_grep "chown's owner is not shown" '^chown-other mode=100644 uid=1234 gid=5678$' "$(out privs)"
	expect_grep "O_TMPFILE is not refused" '^tmpfile: -1 EOPNOTSUPP$' "$(out privs)"
	expect_grep "the host's set-user-ID file kept its bit after a write" '^hostsuid mode=100755 ' "$(out privs)"
	expect_grep "a raw OPEN's set-ID bits are not shown" '^raw-open mode=106777 uid=0 gid=0$' "$(out privs)"
	expect_grep "a raw FSETATTR's chown kept set-ID bits" '^raw-fsetattr mode=101777 uid=0 gid=0$' "$(out privs)"
	expect_grep "a raw directory's mode or owner is not shown" '^raw-mkdir mode=47777 uid=1 gid=1$' "$(out privs)"
	finish
fi

# The same with the monitor as nobody (in /dev/kvm's group): what it makes
# is nobody's, and nothing it does gives a file another owner.
begin "volume owner=mapped: no set-ID file and no other owner on the host (monitor as nobody)"
if [ "$(id -u)" != 0 ]; then
	skip "$TEST_NAME" "not root: cannot run the monitor as another user"
elif ready_kvm "$MONITOR" "$GUARD"; then
	kvm_gid=$(stat -c %g "$KVM_DEVICE")
	chmod 755 "$TMP"
	privs_volume "$TMP/privs-nobody"
	chown -R "65534:$kvm_gid" "$TMP/privs-nobody"
	run nobody setpriv --reuid=65534 --regid="$kvm_gid" --clear-groups \
		"$MONITOR" --volume "$TMP/privs-nobody:/data" "$GUARD" privs /data
	expect_status nobody 0
	host_clean "$TMP/privs-nobody" 65534 "$kvm_gid"
	if [ $KEEPS_NOBODY = 1 ]; then
		expect_grep "chown's owner is not shown (unprivileged monitor)" '^chown-other mode=100644 uid=1234 gid=5678$' "$(out nobody)"
		expect_grep "set-ID bits are not shown (unprivileged monitor)" "^fchmod mode=106755 uid=65534 gid=$kvm_gid\$" "$(out nobody)"
	fi
	finish
fi

begin "volume owner=passthrough: the opt-in leaves what the guest asked on the host"
if ready_kvm "$MONITOR" "$GUARD"; then
	privs_volume "$TMP/pass"
	run pass "$MONITOR" --volume "$TMP/pass:/data:owner=passthrough" "$GUARD" privs /data
	expect_status pass 0
	[ "$(stat -c %a "$TMP/pass/chmod")" = 4755 ] || problem "chmod 04755 did not reach the host: $(stat -c %a "$TMP/pass/chmod")"
	[ "$(id -u)" != 0 ] || [ "$(stat -c %u:%g "$TMP/pass/chown-other")" = 1234:5678 ] ||
		problem "chown did not reach the host: $(stat -c %u:%g "$TMP/pass/chown-other")"
	finish
fi

# --- size= ---------------------------------------------------------------------------
# within_limit DIR: the host allocated at most the limit plus a block per entry.
within_limit() {
	local used entries
	used=$(du -s -B1 "$1" | cut -f1)
	entries=$(find "$1" | wc -l)
	[ "$used" -le $((LIMIT + 4096 * entries)) ] ||
		problem "the host allocated $used bytes for a ${LIMIT}-byte volume ($entries entries)"
}

# fills_most CASE: the guest wrote at least half the limit, then got ENOSPC.
fills_most() {
	local line n
	while read -r line; do
		n=${line#*: }
		n=${n%% *}
		if [ "$n" -lt $((LIMIT / 2)) ] || [ "$n" -gt $LIMIT ]; then
			problem "the volume took $n bytes: $line"
		fi
	done < <(grep -E ': [0-9]+ bytes, then ' "$(out "$1")")
	[ "$(grep -cE ': [0-9]+ bytes, then ENOSPC$' "$(out "$1")")" = "$2" ] ||
		{ problem "$1 did not end $2 fills with ENOSPC"; detail_file stdout "$(out "$1")"; }
}

for c in write pwrite writev; do
	begin "volume size=1M: $c past the limit is ENOSPC; the host holds at most the limit"
	if ready_kvm "$MONITOR" "$GUARD"; then
		rm -rf "$TMP/size" && mkdir "$TMP/size"
		run "$c" "$MONITOR" --volume "$TMP/size:/data:size=1M" "$GUARD" "$c" /data
		expect_status "$c" 0
		fills_most "$c" 1
		expect_grep "statfs does not show the limit" "^statfs size $LIMIT\$" "$(out "$c")"
		within_limit "$TMP/size"
		finish
	fi
done

begin "volume size=1M: fallocate past the limit is ENOSPC before the host allocates"
if ready_kvm "$MONITOR" "$GUARD"; then
	rm -rf "$TMP/size" && mkdir "$TMP/size"
	run falloc "$MONITOR" --volume "$TMP/size:/data:size=1M" "$GUARD" fallocate /data 67108864
	expect_status falloc 0
	printf '%s\n' "fallocate 64M: ENOSPC" "fallocate 256K: 0" "fallocate 67108864: ENOSPC" \
		"fallocate at 67108864: ENOSPC" >"$TMP/falloc.want"
	head -n 4 "$(out falloc)" >"$TMP/falloc.got"
	expect_same_file "fallocate's results" "$TMP/falloc.want" "$TMP/falloc.got"
	expect_grep "the file is not 256K" '^size 262144, ' "$(out falloc)"
	within_limit "$TMP/size"
	finish
fi

# 1 TiB would take every free block of the disk if the check came after:
# tried on a tmpfs of 64M only, which bounds the damage of a failure.
begin "volume size=1M: fallocate of 1 TiB allocates nothing on the host"
if ready_kvm "$MONITOR" "$GUARD"; then
	mkdir -p "$TMP/bounded"
	if ! mount -t tmpfs -o size=64m tmpfs "$TMP/bounded" 2>/dev/null; then
		skip "$TEST_NAME" "cannot mount a tmpfs to bound the try"
	else
		run tib "$MONITOR" --volume "$TMP/bounded:/data:size=1M" "$GUARD" fallocate /data 1099511627776
		expect_status tib 0
		expect_grep "fallocate of 1 TiB was not ENOSPC" '^fallocate 1099511627776: ENOSPC$' "$(out tib)"
		expect_grep "fallocate at 1 TiB was not ENOSPC" '^fallocate at 1099511627776: ENOSPC$' "$(out tib)"
		within_limit "$TMP/bounded"
		umount "$TMP/bounded"
		finish
	fi
fi

begin "volume size=1M: a truncate growing past the limit is ENOSPC"
if ready_kvm "$MONITOR" "$GUARD"; then
	rm -rf "$TMP/size" && mkdir "$TMP/size"
	run trunc "$MONITOR" --volume "$TMP/size:/data:size=1M" "$GUARD" truncate /data
	expect_status trunc 0
	printf '%s\n' "ftruncate 1T: ENOSPC" "ftruncate 512K: 0" "ftruncate 64M: ENOSPC" \
		"truncate 1T: ENOSPC" "ftruncate 0: 0" >"$TMP/trunc.want"
	expect_same_file "truncate's results" "$TMP/trunc.want" "$(out trunc)"
	within_limit "$TMP/size"
	finish
fi

begin "volume size=1M: freed space comes back (O_TRUNC, rename over, unlink, last close)"
if ready_kvm "$MONITOR" "$GUARD"; then
	rm -rf "$TMP/size" && mkdir "$TMP/size"
	run reuse "$MONITOR" --volume "$TMP/size:/data:size=1M" "$GUARD" reuse /data
	expect_status reuse 0
	fills_most reuse 5
	expect_grep "a full volume made a file" '^create when full: ENOSPC$' "$(out reuse)"
	expect_grep "a full volume made a directory" '^mkdir when full: ENOSPC$' "$(out reuse)"
	expect_grep "a full volume refused an overwrite in place" '^overwrite in place: ok$' "$(out reuse)"
	within_limit "$TMP/size"
	finish
fi

begin "volume size=1M: a new monitor counts what the volume already holds"
if ready_kvm "$MONITOR" "$GUARD"; then
	rm -rf "$TMP/size" && mkdir "$TMP/size"
	run first "$MONITOR" --volume "$TMP/size:/data:size=1M" "$GUARD" write /data
	mv "$TMP/size/fill" "$TMP/size/kept"
	run again "$MONITOR" --volume "$TMP/size:/data:size=1M" "$GUARD" write /data
	expect_status again 0
	expect_grep "the second monitor let the volume grow past its limit" '^write: [0-9]{1,5} bytes, then ENOSPC$' "$(out again)"
	within_limit "$TMP/size"
	finish
fi

begin "volume :ro,size=1M stays read-only"
if ready_kvm "$MONITOR" "$GUARD"; then
	rm -rf "$TMP/size" && mkdir "$TMP/size"
	run rosize "$MONITOR" --volume "$TMP/size:/data:ro,size=1M" "$GUARD" write /data
	expect_status rosize 0
	expect_grep "a write to a read-only volume was not EROFS" '^write: 0 bytes, then Read-only file system$' "$(out rosize)"
	[ -z "$(ls "$TMP/size")" ] || problem "the read-only volume changed: $(ls "$TMP/size")"
	finish
fi
