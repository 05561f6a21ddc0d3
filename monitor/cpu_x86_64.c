/*
 * The machine, built from the host side before the first KVM_RUN: identity
 * page tables, GDT, TSS, IDT, control registers, EFER, the SYSCALL MSRs,
 * CPUID and XCR0. The guest starts at CPL3 in long mode at its boot entry
 * and never executes privileged set-up code.
 */
#include "monitor.h"

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <hut/x86.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_FMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
/* syscall clears TF, IF, DF, NT and AC, as Linux has it. */
#define FMASK_BITS 0x44700ull

/* GDT selectors (docs/ARCHITECTURE.md, "Facts measured on these machines"):
 * the SYSRET layout wants user data below user code. */
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_DATA 0x18
#define SEL_USER_CODE 0x20
#define SEL_TSS 0x28
#define GDT_ENTRIES 7 /* null, 4 segments, a 16-byte TSS descriptor */

/* ---- page tables ------------------------------------------------------- */

static uint64_t *table_at(struct hut_vm *vm, uint64_t gpa)
{
	uint64_t *t = hut_gpa(&vm->mem, gpa, HUT_PAGE_SIZE);
	if (!t)
		hut_fail(vm, HUT_EXIT_MONITOR, "page table at 0x%lx outside memory", gpa);
	return t;
}

static uint64_t alloc_table(struct hut_vm *vm)
{
	if (vm->pt_next >= HUT_BOOTINFO_GPA)
		hut_fail(vm, HUT_EXIT_MONITOR, "out of page-table pages");
	uint64_t gpa = vm->pt_next;
	vm->pt_next += HUT_PAGE_SIZE;
	return gpa; /* guest RAM starts zeroed */
}

/* The table an entry points to, made on first use. Intermediate entries
 * allow everything: the leaf entry decides. */
static uint64_t *next_table(struct hut_vm *vm, uint64_t *entry)
{
	if (!(*entry & PTE_P))
		*entry = alloc_table(vm) | PTE_P | PTE_W | PTE_U | PTE_A;
	return table_at(vm, *entry & PTE_ADDR);
}

/* Entries are made Accessed (and writable ones Dirty) up front: a shadow
 * MMU (kvm-pvm's) only prefetches neighbouring entries on a fault when they
 * are, which cuts guest page faults at boot; it also spares the CPU the
 * A/D updates. Measured: boot-to-main 380 -> 245 us with load.c's prefault. */
static void map_page(struct hut_vm *vm, uint64_t va, uint64_t pa, uint64_t flags, int large)
{
	flags |= PTE_A | ((flags & PTE_W) ? PTE_D : 0);
	uint64_t *pml4 = table_at(vm, HUT_PAGETABLE_GPA);
	uint64_t *pdpt = next_table(vm, &pml4[(va >> 39) & 511]);
	uint64_t *pd = next_table(vm, &pdpt[(va >> 30) & 511]);
	if (large) {
		pd[(va >> 21) & 511] = pa | flags | PTE_PS | PTE_P;
		return;
	}
	uint64_t *pt = next_table(vm, &pd[(va >> 21) & 511]);
	pt[(va >> 12) & 511] = pa | flags | PTE_P;
}

/* Maps [start, end) onto guest-physical pa on, with 2 MiB pages where
 * alignment allows. */
static void map_range(struct hut_vm *vm, uint64_t start, uint64_t end, uint64_t pa, uint64_t flags)
{
	for (uint64_t va = start; va < end;) {
		int large = (va % HUT_LARGE_PAGE_SIZE) == 0 && (pa % HUT_LARGE_PAGE_SIZE) == 0 &&
			    end - va >= HUT_LARGE_PAGE_SIZE;
		map_page(vm, va, pa, flags, large);
		uint64_t step = large ? HUT_LARGE_PAGE_SIZE : HUT_PAGE_SIZE;
		va += step;
		pa += step;
	}
}

static void identity_map(struct hut_vm *vm, uint64_t start, uint64_t end, uint64_t flags)
{
	map_range(vm, start, end, start, flags);
}

static uint64_t segment_flags(const struct hut_segment *s)
{
	return PTE_U | ((s->flags & PF_W) ? PTE_W : 0) | ((s->flags & PF_X) ? 0 : PTE_NX);
}

/* Page 0 and the stack guard stay unmapped; the descriptor tables, TSS and
 * trap stacks are supervisor-only. These page tables are readable at CPL3
 * but not writable: the libos copies them when it makes a process's own
 * address space (libos/mem/aspace.c) and never changes them in place. */
static void build_page_tables(struct hut_vm *vm)
{
	vm->pt_next = HUT_PAGETABLE_GPA;
	alloc_table(vm); /* the PML4 */
	identity_map(vm, HUT_GDT_GPA, HUT_PAGETABLE_GPA, PTE_W | PTE_NX);
	identity_map(vm, HUT_PAGETABLE_GPA, HUT_BOOTINFO_GPA, PTE_U | PTE_NX);
	identity_map(vm, HUT_BOOTINFO_GPA, HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE, PTE_U | PTE_NX);
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		uint64_t len = (s->memsz + HUT_PAGE_SIZE - 1) & ~(HUT_PAGE_SIZE - 1);
		map_range(vm, s->va, s->va + len, s->gpa, segment_flags(s));
	}
	identity_map(vm, vm->heap_start, vm->heap_end, PTE_U | PTE_W | PTE_NX);
	if (vm->devices_size) /* the modules' RAM, above the heap */
		identity_map(vm, vm->heap_end, vm->heap_end + vm->devices_size,
			     PTE_U | PTE_W | PTE_NX);
	identity_map(vm, vm->signals_gpa, vm->signals_gpa + HUT_PAGE_SIZE, PTE_U | PTE_W | PTE_NX);
	identity_map(vm, vm->stack_top - vm->stack_size, vm->stack_top, PTE_U | PTE_W | PTE_NX);
	identity_map(vm, HUT_HYPERCALL_GPA, HUT_HYPERCALL_GPA + HUT_PAGE_SIZE,
		     PTE_U | PTE_W | PTE_NX);
}

/* ---- descriptor tables ------------------------------------------------- */

static void build_gdt_tss(struct hut_vm *vm)
{
	uint64_t *gdt = hut_gpa(&vm->mem, HUT_GDT_GPA, GDT_ENTRIES * 8);
	uint8_t *tss = hut_gpa(&vm->mem, HUT_TSS_GPA, 104);
	uint64_t base = HUT_TSS_GPA, limit = 103;
	gdt[SEL_KERNEL_CODE / 8] = 0x00af9a000000ffffull; /* L=1, DPL0, execute/read */
	gdt[SEL_KERNEL_DATA / 8] = 0x00cf92000000ffffull;
	gdt[SEL_USER_DATA / 8] = 0x00cff2000000ffffull; /* DPL3 */
	gdt[SEL_USER_CODE / 8] = 0x00affa000000ffffull; /* L=1, DPL3 */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x8bull << 40 |
			   ((base >> 24) & 0xff) << 56; /* busy 64-bit TSS */
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	uint64_t rsp0 = HUT_TRAP_STACK_TOP, ist1 = HUT_DF_STACK_TOP;
	uint16_t iomap = 104; /* no I/O bitmap: port I/O at CPL3 faults */
	memcpy(tss + 4, &rsp0, 8);
	memcpy(tss + 0x24, &ist1, 8);
	memcpy(tss + 0x66, &iomap, 2);
}

/* 64-bit interrupt gates to the image's stubs. #BP and #OF may be raised by
 * int3/into at CPL3 (DPL3); a double fault, NMI or machine check gets its
 * own stack (IST1). */
static void build_idt(struct hut_vm *vm)
{
	uint64_t *idt = hut_gpa(&vm->mem, HUT_IDT_GPA, HUT_TRAP_VECTORS * 16);
	for (uint64_t v = 0; v < HUT_TRAP_VECTORS; v++) {
		uint64_t stub = vm->img.manifest.trap_entry + v * HUT_TRAP_STRIDE;
		uint64_t dpl = (v == 3 || v == 4) ? 3 : 0;
		uint64_t ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
		idt[2 * v] = (stub & 0xffff) | (uint64_t)SEL_KERNEL_CODE << 16 | ist << 32 |
			     (0x8eull | dpl << 5) << 40 | ((stub >> 16) & 0xffff) << 48;
		idt[2 * v + 1] = stub >> 32;
	}
}

/* ---- registers --------------------------------------------------------- */

static struct kvm_segment segment(uint16_t selector, uint8_t type, uint8_t dpl, int code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector | dpl,
		.type = type,
		.present = 1,
		.dpl = dpl,
		.db = !code,
		.s = 1,
		.l = code,
		.g = 1,
	};
}

/* The machine's special registers, as every boot has them. */
static void boot_sregs(struct hut_vm *vm, struct kvm_sregs *sregs)
{
	struct kvm_sregs s;
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_GET_SREGS failed (%s)", strerror(errno));
	s.cs = segment(SEL_USER_CODE, 11, 3, 1);
	s.ss = s.ds = s.es = s.fs = s.gs = segment(SEL_USER_DATA, 3, 3, 0);
	s.tr = (struct kvm_segment){
		.base = HUT_TSS_GPA, .limit = 103, .selector = SEL_TSS, .type = 11, .present = 1};
	s.gdt = (struct kvm_dtable){.base = HUT_GDT_GPA, .limit = GDT_ENTRIES * 8 - 1};
	s.idt = (struct kvm_dtable){.base = HUT_IDT_GPA, .limit = HUT_TRAP_VECTORS * 16 - 1};
	s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s.cr3 = HUT_PAGETABLE_GPA;
	s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | (vm->fsgsbase ? CR4_FSGSBASE : 0);
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	*sregs = s;
}

static void set_sregs(struct hut_vm *vm)
{
	struct kvm_sregs s;
	boot_sregs(vm, &s);
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_SET_SREGS failed (%s)", strerror(errno));
}

static void set_regs(struct hut_vm *vm)
{
	struct kvm_regs r = {
		.rip = vm->img.manifest.boot_entry,
		.rdi = HUT_BOOTINFO_GPA,
		.rflags = 0x2,
	};
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_SET_REGS failed (%s)", strerror(errno));
}

static void set_msrs(struct hut_vm *vm)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[7];
	} m = {.hdr.nmsrs = 7,
	       .e = {
		       {.index = MSR_STAR,
			.data = (uint64_t)SEL_KERNEL_DATA << 48 | (uint64_t)SEL_KERNEL_CODE << 32},
		       {.index = MSR_LSTAR, .data = vm->img.manifest.syscall_entry},
		       {.index = MSR_CSTAR, .data = 0},
		       {.index = MSR_FMASK, .data = FMASK_BITS},
		       {.index = MSR_FS_BASE, .data = 0},
		       {.index = MSR_GS_BASE, .data = 0},
		       {.index = MSR_KERNEL_GS_BASE, .data = 0},
	       }};
	if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m) != 7)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_SET_MSRS failed");
}

/* ---- CPUID ------------------------------------------------------------- */

/*
 * The guest sees a fixed CPU model, as Firecracker's CPU templates do: the
 * host's vendor, family and address sizes, and of its features only the
 * x86-64-v2 set, which needs no OS support beyond FXSR. Why not
 * KVM_GET_SUPPORTED_CPUID: on kvm-pvm it takes ~0.9 ms, more than half of a
 * whole boot, and offers no XSAVE anyway. No XSAVE means no AVX state.
 */
#define LEAF1_EDX 0x078bb971u /* FPU TSC MSR PAE CX8 PGE CMOV PAT CLFSH MMX FXSR SSE SSE2 */
#define LEAF1_ECX 0x00982201u /* SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT */
#define LEAF7_EBX 0x00000009u /* FSGSBASE BMI1 */
#define EXT1_EDX 0x20100800u  /* SYSCALL NX LM */
#define EXT1_ECX 0x00000021u  /* LAHF/SAHF, LZCNT */

static struct kvm_cpuid_entry2 host_leaf(uint32_t fn, uint32_t eax_max)
{
	struct kvm_cpuid_entry2 e = {.function = fn};
	__cpuid_count(fn, 0, e.eax, e.ebx, e.ecx, e.edx);
	if (eax_max)
		e.eax = eax_max;
	return e;
}

/* On the machine thread (machine.c), as kvm.c's steps are: false with why. */
bool hut_cpu_set_cpuid(struct hut_vm *vm, char *why, size_t size)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[6];
	} c = {.hdr.nent = 6,
	       .e = {host_leaf(0, 7), host_leaf(1, 0), host_leaf(0x80000000, 0x80000008),
		     host_leaf(0x80000001, 0), host_leaf(0x80000008, 0), host_leaf(7, 0)}};
	c.e[5].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	c.e[5].eax = 0;
	c.e[5].ebx &= LEAF7_EBX;
	c.e[5].ecx = c.e[5].edx = 0;
	c.e[1].ecx &= LEAF1_ECX;
	c.e[1].edx &= LEAF1_EDX;
	c.e[1].ebx &= 0x0000ffffu; /* no APIC id or logical CPU count */
	c.e[3].ecx &= EXT1_ECX;
	c.e[3].edx &= EXT1_EDX;
	if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, &c) < 0) {
		snprintf(why, size, "KVM_SET_CPUID2 failed (%s)", strerror(errno));
		return false;
	}
	vm->fsgsbase = c.e[5].ebx & 1;
	return true;
}

/* The arithmetic flags, TF, DF, AC and ID: what CPL3 code may set itself
 * (popf), never IF, IOPL or VM; bit 1 is always set. */
#define USER_RFLAGS 0x240dd5ull

/* A snapshot's registers (hostile: the file may say anything): the
 * general registers and FPU as they were, with the flags CPL3 can set;
 * of the special registers only what the guest changes itself at CPL3
 * (the FS and GS bases, cr3 through its CPL0 stub, cr2), the rest as
 * every boot has them. NULL, or why they cannot be the guest's. */
const char *hut_cpu_restore(struct hut_vm *vm, const struct kvm_regs *regs,
			    const struct kvm_sregs *saved, const struct kvm_fpu *fpu)
{
	struct kvm_sregs s;
	struct kvm_regs r = *regs;
	struct kvm_fpu f = *fpu;
	if (saved->cs.selector != (SEL_USER_CODE | 3) || saved->cr3 % HUT_PAGE_SIZE ||
	    saved->cr3 >= vm->mem.size)
		return "the vCPU was not in the guest's user mode on its own page tables";
	set_msrs(vm); /* the CPUID is the machine's (machine.c), as at every boot */
	boot_sregs(vm, &s);
	s.cr3 = saved->cr3;
	s.cr2 = saved->cr2;
	s.fs.base = saved->fs.base;
	s.gs.base = saved->gs.base;
	r.rflags = (r.rflags & USER_RFLAGS) | 0x2;
	f.mxcsr &= 0xffff; /* reserved bits would fault the host's FXRSTOR */
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0 || ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_SET_FPU, &f) < 0)
		return "KVM refused the vCPU state";
	return NULL;
}

void hut_cpu_setup(struct hut_vm *vm)
{
	build_page_tables(vm);
	build_gdt_tss(vm);
	build_idt(vm);
	set_sregs(vm);
	set_regs(vm);
	set_msrs(vm);
}
