/*
 * The fewest CPUID leaves long mode needs, for the raw-KVM benchmarks
 * (kvm-floor.c, procprims.c): 0x80000001 says LM, 0x80000008 gives the
 * physical address width. KVM_GET_SUPPORTED_CPUID is skipped (it costs
 * ~0.9 ms on kvm-pvm), exactly as hut-monitor skips it, so a floor stays
 * the least any launch can cost. Returns the ioctl's result.
 */
#ifndef HUT_BENCH_KVM_CPUID_H
#define HUT_BENCH_KVM_CPUID_H

#include <cpuid.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <sys/ioctl.h>

static inline int bench_set_minimal_cpuid(int vcpu)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[3];
	} c = {.hdr.nent = 3};
	const uint32_t leaves[3] = {0x80000000u, 0x80000001u, 0x80000008u};
	for (int i = 0; i < 3; i++) {
		c.e[i].function = leaves[i];
		__cpuid(leaves[i], c.e[i].eax, c.e[i].ebx, c.e[i].ecx, c.e[i].edx);
	}
	return ioctl(vcpu, KVM_SET_CPUID2, &c);
}

#endif
