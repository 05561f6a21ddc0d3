/*
 * kvm-floor: the least a KVM launch can cost on this host.
 *
 * Opens /dev/kvm, creates a VM with one small memslot and one vCPU, puts the
 * vCPU straight into 64-bit mode at CPL3 (kvm-pvm emulates CPL0 code, so
 * CPL3 is what runs natively there), and runs a single store to a
 * guest-physical page that has no memslot. That store must come back as
 * KVM_EXIT_MMIO; anything else is a failure (exit 1, one line on stderr).
 *
 * hut-monitor does all of this and more, so its exec-to-exit time is
 * compared against this program's (bench/boot.sh). Both are static musl
 * programs, so neither pays glibc's start-up.
 */
#include "kvm_cpuid.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <hut/x86.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Guest-physical layout: one 64 KiB memslot at 0. */
#define MEM_SIZE 0x10000ull
#define GDT_GPA 0x1000ull
#define PML4_GPA 0x2000ull
#define PDPT_GPA 0x3000ull
#define PD_GPA 0x4000ull
#define CODE_GPA 0x8000ull
#define STACK_TOP 0xf000ull
/* Inside the identity-mapped first 2 MiB, outside the memslot. */
#define DOORBELL_GPA 0x100000ull
#define DOORBELL_VALUE 0x2a

static void die(const char *what)
{
	fprintf(stderr, "kvm-floor: %s (%s)\n", what, strerror(errno));
	exit(1);
}

/* A flat 64-bit segment descriptor (the GDT copy is for completeness: the
 * hidden parts below are what KVM_SET_SREGS actually loads). */
static uint64_t gdt_entry(unsigned dpl, int code)
{
	uint64_t type = code ? 0xb : 0x3; /* code: exec/read/accessed; data: rw/accessed */
	uint64_t d = 0xffff;		  /* limit 15:0 */
	d |= (type | 0x10 | (uint64_t)dpl << 5 | 0x80) << 40; /* S, DPL, P */
	d |= 0xfull << 48;				      /* limit 19:16 */
	d |= (code ? 0x2ull /* L */ : 0x4ull /* D/B */) << 52;
	d |= 0x8ull << 52; /* G */
	return d;
}

static struct kvm_segment user_segment(uint16_t selector, int code)
{
	struct kvm_segment s = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = code ? 0xb : 0x3,
		.present = 1,
		.dpl = 3,
		.db = code ? 0 : 1,
		.s = 1,
		.l = code ? 1 : 0,
		.g = 1,
	};
	return s;
}

static void set_cpuid(int vcpu)
{
	if (bench_set_minimal_cpuid(vcpu) < 0)
		die("KVM_SET_CPUID2");
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");

	uint8_t *mem =
		mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");

	/* GDT: null, kernel code, kernel data, user data (0x1b), user code (0x23). */
	uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);
	gdt[1] = gdt_entry(0, 1);
	gdt[2] = gdt_entry(0, 0);
	gdt[3] = gdt_entry(3, 0);
	gdt[4] = gdt_entry(3, 1);

	/* Identity-map the first 2 MiB with one user-accessible large page:
	 * it covers the memslot and the doorbell. */
	uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_GPA);
	uint64_t *pd = (uint64_t *)(mem + PD_GPA);
	pml4[0] = PDPT_GPA | PTE_P | PTE_W | PTE_U;
	pdpt[0] = PD_GPA | PTE_P | PTE_W | PTE_U;
	pd[0] = 0 | PTE_P | PTE_W | PTE_U | PTE_PS;

	/* movl $DOORBELL_VALUE, DOORBELL_GPA ; then ud2 (never reached) */
	static const uint8_t code[] = {
		0xc7,
		0x04,
		0x25,
		DOORBELL_GPA & 0xff,
		(DOORBELL_GPA >> 8) & 0xff,
		(DOORBELL_GPA >> 16) & 0xff,
		(DOORBELL_GPA >> 24) & 0xff,
		DOORBELL_VALUE,
		0,
		0,
		0,
		0x0f,
		0x0b,
	};
	memcpy(mem + CODE_GPA, code, sizeof(code));

	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	set_cpuid(vcpu);

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs = user_segment(0x23, 1);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = user_segment(0x1b, 0);
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");

	struct kvm_regs regs = {
		.rip = CODE_GPA,
		.rsp = STACK_TOP,
		.rflags = 0x2,
	};
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		die("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_MMIO) {
		fprintf(stderr, "kvm-floor: expected KVM_EXIT_MMIO (%d), got exit reason %u\n",
			KVM_EXIT_MMIO, run->exit_reason);
		return 1;
	}
	uint32_t value = 0;
	memcpy(&value, run->mmio.data, sizeof(value));
	if (!run->mmio.is_write || run->mmio.phys_addr != DOORBELL_GPA || run->mmio.len != 4 ||
	    value != DOORBELL_VALUE) {
		fprintf(stderr,
			"kvm-floor: unexpected MMIO exit: %s of %u bytes at 0x%llx, value 0x%x\n",
			run->mmio.is_write ? "write" : "read", run->mmio.len,
			(unsigned long long)run->mmio.phys_addr, value);
		return 1;
	}
	return 0;
}
