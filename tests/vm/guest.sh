#!/bin/bash
# Stage 2 of the nested-KVM guest, running on the host's root (read-only,
# under a tmpfs overlay): make a minimal Linux userland, load KVM and the
# network modules, run the command, leave its exit status in the control
# share and power off. The command's output goes to the second serial port,
# which the host streams to its own stdout. /tmp is the host's, seen through
# the overlay (the command may live there: CI clones into a temporary
# folder); what the guest writes there stays in the overlay's tmpfs.
ctl=/run/hutctl
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname hut-nested
ip link set lo up 2>/dev/null

out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null

# KVM: this CPU is QEMU's (TCG, -cpu max), which offers SVM.
if grep -qw svm /proc/cpuinfo; then
	modprobe kvm_amd 2>/dev/ttyS0
else
	modprobe kvm_intel 2>/dev/ttyS0
fi
# What the network tests need: taps, veths, bridges, tc redirects.
for m in tun veth bridge sch_ingress act_mirred cls_u32 cls_matchall; do
	modprobe $m 2>/dev/ttyS0
done

if [ ! -e /dev/kvm ]; then
	echo "tests/vm: no /dev/kvm in the guest (see the console log tests/vm/run.sh names)" >$out
	echo 125 >$ctl/status
else
	# As Debian's udev rules make it: tests run the monitor as a user of
	# the kvm group too (volume-guard.sh).
	chgrp kvm /dev/kvm 2>/dev/null && chmod 660 /dev/kvm
	HUT_NESTED=1 bash $ctl/cmd </dev/null >$out 2>&1
	echo $? >$ctl/status
fi
sync
echo o >/proc/sysrq-trigger
sleep 30
