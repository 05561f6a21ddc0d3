# shellcheck shell=bash
# kvm_kind: which KVM this host offers, in words, for test summaries and
# benchmark headers (a benchmark's figures mean something only on a
# hardware KVM). Sourced, never run. HUT_NESTED is set by tests/vm/run.sh
# inside its nested guest.
kvm_kind() {
	if [ -n "${HUT_NESTED:-}" ]; then
		echo "kvm_amd nested under QEMU TCG (software emulation)"
	elif [ -d /sys/module/kvm_pvm ] || grep -qs kvm_pvm /proc/modules; then
		echo "kvm-pvm (a software nested hypervisor)"
	elif [ -d /sys/module/kvm_intel ]; then echo "kvm_intel (hardware)"
	elif [ -d /sys/module/kvm_amd ]; then echo "kvm_amd (hardware)"
	else echo "KVM of an unknown kind"; fi
}

# bench_kvm_kind: the same, saying loudly when figures mean nothing.
bench_kvm_kind() {
	if [ -n "${HUT_NESTED:-}" ]; then
		echo "$(kvm_kind): THESE FIGURES MEAN NOTHING"
	else
		kvm_kind
	fi
}
