#!/bin/bash
# Builds the nested-KVM guest's initramfs: busybox, the kernel modules needed
# to mount the host's root over virtio-9p with an overlay on top, and
# tests/vm/init. Everything else (bash, kmod, the KVM and network modules,
# the build tree) comes from the host's own root once it is mounted.
#
# Usage: tests/vm/initramfs.sh KERNEL_RELEASE OUT.cpio.gz
set -euo pipefail
release=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$release

die() { echo "tests/vm: $*" >&2; exit 1; }
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep (is linux-image-$release installed?)"
[ -x /bin/busybox ] || die "no /bin/busybox (install busybox-static)"
command -v cpio >/dev/null || die "no cpio (install cpio)"

# The modules for the root file system, in load order: each one's
# dependencies (from modules.dep, deepest last there) come before it.
wanted="virtio_pci 9pnet_virtio 9p overlay"
ordered=()
add_module() {
	local name=$1 line path dep
	line=$(grep -E "/${name//_/[_-]}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -n1) ||
		return 0 # built into the kernel: nothing to load
	path=${line%%:*}
	for dep in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
		add_path "$dep"
	done
	add_path "$path"
}
add_path() {
	local p
	for p in "${ordered[@]}"; do [ "$p" = "$1" ] && return 0; done
	ordered+=("$1")
}
for m in $wanted; do add_module "$m"; done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mnt/lower,mnt/upper,mnt/root,modules}
cp /bin/busybox "$root/bin/busybox"
for tool in sh mount umount mkdir insmod switch_root cat echo sleep poweroff ln; do
	ln -s busybox "$root/bin/$tool"
done
: >"$root/modules/order"
for p in "${ordered[@]}"; do
	case $p in
	*.ko) cp "$moddir/$p" "$root/modules/" ;;
	*.ko.xz) xz -dc "$moddir/$p" >"$root/modules/$(basename "$p" .xz)" ;;
	*.ko.zst) zstd -qdc "$moddir/$p" >"$root/modules/$(basename "$p" .zst)" ;;
	*) die "unknown module format: $p" ;;
	esac
	basename "${p%.ko*}.ko" >>"$root/modules/order"
done
cp "$here/init" "$root/init"
chmod 755 "$root/init"
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
