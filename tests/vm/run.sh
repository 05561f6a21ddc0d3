#!/bin/bash
# Runs a command inside a guest with a real (nested, slow) /dev/kvm, for
# hosts that have none: Debian's own kernel under QEMU with pure software
# emulation (TCG), whose `-cpu max` emulates AMD SVM, so the kernel's
# kvm_amd gives the guest a /dev/kvm where hut appliances really boot.
#
# The guest sees the host's whole root read-only (virtio-9p) under a tmpfs
# overlay: same paths, same tools, same build tree; nothing it writes reaches
# the host. The command runs as root in the current directory; its output is
# streamed to stdout and its exit status is this script's.
#
# Usage: tests/vm/run.sh [--timeout SEC] [--mem MIB] [--shadow-paging] [--] CMD [ARG...]
#        tests/vm/run.sh --prepare | --kvm-info
#   --timeout SEC  kill the whole guest after SEC seconds (default 3600): exit 124
#   --mem MIB      guest RAM (default 3072)
#   --shadow-paging  KVM without nested paging (kvm_amd npt=0): it shadows
#                  the appliance's page tables, as kvm-pvm does, so that
#                  the page faults --trace-boot counts are those such a host
#                  serves (tens of microseconds each there)
#   --prepare      install the packages and build the initramfs, then exit
#                  (before starting several guests at once)
#   --kvm-info     print one line naming the KVM the command would run on, and exit
# Exit status: the command's; 124 on timeout; 125 if the guest could not run it.
#
# Timings inside mean nothing (every instruction is emulated); behaviour does.
# Single-threaded TCG on purpose: multi-threaded TCG livelocked the guest in
# 2 of ~9 tries on these machines.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$ROOT/build/vm
limit=3600
mem=3072
info=0
prepare=0
append=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) limit=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--shadow-paging) append=" kvm_amd.npt=0"; shift ;;
	--kvm-info) info=1; shift ;;
	--prepare) prepare=1; shift ;;
	--help | -h) sed -n '/^# Usage/,/^# 2 of/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "tests/vm/run.sh: unknown option $1 (see --help)" >&2; exit 125 ;;
	*) break ;;
	esac
done
if [ $info = 1 ]; then
	echo "kvm_amd${append:+ without NPT (shadow paging)} under QEMU TCG (nested, emulated: timings are not meaningful)"
	exit 0
fi
[ $# -gt 0 ] || [ $prepare = 1 ] || { echo "tests/vm/run.sh: no command (see --help)" >&2; exit 125; }

die() { echo "tests/vm/run.sh: $*" >&2; exit 125; }

# The newest installed kernel that has kvm-amd as a module and can mount the
# host's root (9p over virtio). Debian's cloud kernel (`make bench` installs
# it for its QEMU row) sorts first but has no 9p: it must not be taken.
kernel_release() {
	local k rel
	for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		rel=${k#/boot/vmlinuz-}
		ls /lib/modules/"$rel"/kernel/arch/x86/kvm/kvm-amd.ko* >/dev/null 2>&1 || continue
		grep -Eqs '^CONFIG_9P_FS=[ym]' "/boot/config-$rel" &&
			grep -Eqs '^CONFIG_NET_9P_VIRTIO=[ym]' "/boot/config-$rel" || continue
		echo "$rel"
		return 0
	done
	return 1
}

"$ROOT/scripts/deps.sh" vm >&2 || die "cannot install the guest's packages"
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64"
rel=$(kernel_release) || die "no kernel with kvm-amd and 9p in /boot (install linux-image-amd64)"
kernel=/boot/vmlinuz-$rel
[ -r "$kernel" ] || die "$kernel is not readable (Debian makes it root-only: run as root)"

initrd=$VMDIR/initramfs-$rel.cpio.gz
if [ ! -f "$initrd" ] || [ "$ROOT/tests/vm/init" -nt "$initrd" ] ||
	[ "$ROOT/tests/vm/initramfs.sh" -nt "$initrd" ]; then
	"$ROOT/tests/vm/initramfs.sh" "$rel" "$initrd" || die "cannot build $initrd"
fi
[ $prepare = 1 ] && exit 0

ctl=$(mktemp -d "${TMPDIR:-/tmp}/hut-vm.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$ctl"' EXIT
cp "$ROOT/tests/vm/guest.sh" "$ctl/guest.sh"
# The command, run in this directory with the variables a test run reads.
{
	echo "cd $(printf %q "$PWD") || exit 125"
	echo "export PATH=$(printf %q "$PATH") HOME=/root TERM=dumb LANG=C.UTF-8"
	env | grep -E '^(HUT_[A-Z_]*|CI|FUZZ_SECONDS)=' | while IFS= read -r kv; do
		echo "export ${kv%%=*}=$(printf %q "${kv#*=}")"
	done
	printf '%q ' "$@"
	echo
} >"$ctl/cmd"

# The guest's kernel console, kept only when something went wrong.
console=$VMDIR/console-$(basename "$ctl").log
mkdir -p "$VMDIR"
timeout -s KILL "$limit" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 1 -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init$append" \
	-serial "file:$console" \
	-chardev stdio,id=out,signal=off -serial chardev:out \
	-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
	-virtfs local,path="$ctl",mount_tag=hutctl,security_model=passthrough \
	</dev/null
qst=$?
if [ $qst = 137 ]; then
	echo "tests/vm/run.sh: the guest did not finish in ${limit}s: killed (console: $console)" >&2
	exit 124
fi
if [ ! -s "$ctl/status" ]; then
	echo "tests/vm/run.sh: the guest ended without a status (qemu exit $qst);" \
		"its console is in $console:" >&2
	tail -n 15 "$console" >&2
	exit 125
fi
rm -f "$console"
exit "$(cat "$ctl/status")"
