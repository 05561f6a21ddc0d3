/*
 * procprims: what the primitives a process design could use cost on this
 * host's KVM (issue 23's cost model). Like kvm-floor it builds its own tiny
 * VM: one vCPU in 64-bit mode at CPL3, page tables, GDT, TSS and IDT written
 * from the host, and guest code from the blob below (top-level assembler in
 * this file, copied into guest RAM; nothing of it runs in the host).
 *
 * Measured (each many times; median and minimum):
 *   1. an exit round trip (a doorbell store -> KVM_EXIT_MMIO -> KVM_RUN),
 *      and the same with KVM_SET_SREGS (same CR3, another CR3 of 2 or of 8),
 *      or a CR3 change passed through kvm_run's sync_regs;
 *   2. the guest switching CR3 itself: `int $0x80` into a CPL0 gate whose
 *      handler writes CR3 and irets, and the same gate without the write;
 *   3. a copy-on-write fault: a CPL3 store to a read-only page, #PF to a CPL0
 *      handler that sets the writable bit and invlpg's (with and without a
 *      4 KiB copy at CPL0); the same fault sent to the monitor, which fixes
 *      the PTE and re-enters; and the stub handing it to a CPL3 handler that
 *      copies and fixes it (with and without an invlpg trap after). Also:
 *      whether a PTE the monitor makes stricter is seen, and what the libos
 *      write-protecting PTEs at CPL3 and flushing once costs;
 *   4. memcpy at CPL3 (rep movsq) of 4 KiB..64 MiB: warm, into guest pages
 *      the host has but the guest never touched, and into fresh memory;
 *   5. KVM_SET_USER_MEMORY_REGION replacing a slot's host memory (delete and
 *      re-create: KVM cannot change userspace_addr in place) and what the
 *      next touches of that slot, or of another slot, cost after it;
 *   6. a host-side memcpy of guest memory during an exit (fork in the monitor);
 *   7. making a VM and a vCPU (a VM per process).
 *
 * Read with docs/ARCHITECTURE.md, "Processes: the design and its costs".
 * KVM's API document (Documentation/virt/kvm/api.rst: KVM_SET_SREGS,
 * KVM_CAP_SYNC_REGS, KVM_SET_USER_MEMORY_REGION) is where the ioctls'
 * semantics come from; the gates and the #PF frame are the SDM's, vol. 3, 6.
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
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---- guest-physical layout (identity-mapped) ----------------------------- */
#define GDT_GPA 0x1000
#define IDT_GPA 0x2000
#define TSS_GPA 0x3000
#define KSTACK_TOP 0x6000 /* the CPL0 stack (TSS.RSP0) */
#define USTACK_TOP 0x30000
#define NSPACES 8 /* address spaces: PML4, PDPT, PD each */
#define PML4_GPA(i) (0x40000 + (i)*0x1000)
#define PDPT_GPA(i) (0x48000 + (i)*0x1000)
#define PD_GPA(i) (0x50000 + (i)*0x1000)
#define PT_GPA 0x60000 /* 20 page tables: the 4 KiB-mapped CoW region */
#define NPT 20
#define PT_TOUCH(s) (0x78000 + (s)*0x1000) /* each space's touch window */
#define CPY_SRC 0x74000			   /* the CoW copy's source and destination */
#define CPY_DST 0x75000
#define PF_ADDR 0x76000		  /* the #PF stub's word to the CPL3 handler: the address */
#define PF_RIP (PF_ADDR + 8)	  /* and where to go back */
#define PF_HANDLER (PF_ADDR + 16) /* the CPL3 handler (the host sets it) */
#define CODE_GPA 0x80000
#define COW_BASE 0x200000 /* PD[1..20]: 40 MiB in 4 KiB pages */
#define TOUCH_BASE 0x2c00000
#define MC_SRC 0x4000000
#define MC_DST 0x8000000
#define MC_COLD 0xc000000      /* never touched by anyone: 64 MiB */
#define MC_COLD2 0x10000000    /* never touched: small copies */
#define MC_HOSTED 0x12000000   /* touched by the host only */
#define RAM_SIZE 0x14000000ull /* 320 MiB */
#define SLOT_GPA 0x20000000    /* slot 1, 2 MiB: the remapped one */
#define SLOT_SIZE 0x200000ull
#define DB_GPA 0x3fe00000 /* doorbells: no memslot; PD[511] */
#define DB_LOOP (DB_GPA + 0)
#define DB_DONE (DB_GPA + 8)
#define DB_PF (DB_GPA + 16)
#define DB_FAULT (DB_GPA + 24)

#define SEL_KCODE 0x08
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

#define XSTR(x) STR(x)
#define STR(x) #x

/*
 * The guest code. CPL3 routines take their arguments in registers the host
 * sets; the CPL0 handlers are as short as possible because kvm-pvm emulates
 * every CPL0 instruction. Every exception the benchmark does not expect goes
 * to a stub that rings DB_FAULT with its vector, so "not supported here" is
 * a line in the table, not a hang.
 */
/* clang-format off */
__asm__(".pushsection .rodata.procprims_guest, \"a\"\n"
	".globl g_start\n"
	"g_start:\n"

	/* doorbell loop: ring, then read %rsi pages from %rdx; forever */
	"g_doorbell:\n"
	"1: movl $1, " XSTR(DB_LOOP) "\n"
	"   call g_touch\n"
	"   jmp 1b\n"

	/* %rdi times: trap to CPL0 (int $0x80, int3 or ud2: the IDT gate the
	   host set says what the handler does), read %rsi pages; then done */
	".macro TRAPLOOP name, insn:vararg\n"
	"\\name:\n"
	"1: \\insn\n"
	"   call g_touch\n"
	"   dec %rdi\n"
	"   jnz 1b\n"
	"   movl $2, " XSTR(DB_DONE) "\n"
	"   hlt\n"
	".endm\n"
	"TRAPLOOP g_int80, int $0x80\n"
	"TRAPLOOP g_int41, int $0x41\n"
	"TRAPLOOP g_int3, int3\n"
	"TRAPLOOP g_ud2, ud2\n"

	/* read %rsi pages from %rdx, once, then done (warming) */
	"g_read:\n"
	"   call g_touch\n"
	"   movl $2, " XSTR(DB_DONE) "\n"
	"   hlt\n"

	/* write one byte into each of %rdi pages from %rdx, then done */
	"g_write:\n"
	"   mov %rdx, %rax\n"
	"1: movb $1, (%rax)\n"
	"   add $4096, %rax\n"
	"   dec %rdi\n"
	"   jnz 1b\n"
	"   movl $2, " XSTR(DB_DONE) "\n"
	"   hlt\n"

	/* the libos at CPL3 owning its page tables: clear W in %rdi PTEs from
	   %rdx; then, if %rsi, int3 to a CPL0 handler that reloads CR3 */
	"g_pte_wp:\n"
	"   mov %rdx, %rax\n"
	"1: andq $-3, (%rax)\n"
	"   add $8, %rax\n"
	"   dec %rdi\n"
	"   jnz 1b\n"
	"   test %rsi, %rsi\n"
	"   jz 2f\n"
	"   int3\n"
	"2: movl $2, " XSTR(DB_DONE) "\n"
	"   hlt\n"

	/* %r11 times: copy %r10 quadwords from %r8 to %r9; then done */
	"g_memcpy:\n"
	"1: mov %r8, %rsi\n"
	"   mov %r9, %rdi\n"
	"   mov %r10, %rcx\n"
	"   rep movsq\n"
	"   dec %r11\n"
	"   jnz 1b\n"
	"   movl $2, " XSTR(DB_DONE) "\n"
	"   hlt\n"

	/* CPL3, the libos's CoW handler: past the app's red zone, copy the
	   page (a stand-in pair of frames), make the PTE writable, flush it
	   with one int3, then back to the faulting store, flags intact */
	"g_cow_user:\n"
	"   lea -128(%rsp), %rsp\n"
	"   pushfq\n"
	"   push %rax\n"
	"   push %rcx\n"
	"   push %rsi\n"
	"   push %rdi\n"
	"   mov $" XSTR(CPY_SRC) ", %esi\n"
	"   mov $" XSTR(CPY_DST) ", %edi\n"
	"   mov $512, %ecx\n"
	"   rep movsq\n"
	"   mov " XSTR(PF_ADDR) ", %rax\n"
	"   sub $" XSTR(COW_BASE) ", %rax\n"
	"   shr $12, %rax\n"
	"   orq $2, " XSTR(PT_GPA) "(,%rax,8)\n"
	"   int3\n"
	"   pop %rdi\n"
	"   pop %rsi\n"
	"   pop %rcx\n"
	"   pop %rax\n"
	"   popfq\n"
	"   lea 128(%rsp), %rsp\n"
	"   jmp *" XSTR(PF_RIP) "\n"
	/* the same without the flush: making a PTE writable needs none on
	   x86 (a stale entry gives at most a spurious #PF, SDM vol. 3,
	   4.10.4.3), and with one vCPU and no PCID the old frame cannot be
	   written by its last sharer before this process's CR3 is reloaded */
	"g_cow_user_noflush:\n"
	"   lea -128(%rsp), %rsp\n"
	"   pushfq\n"
	"   push %rax\n"
	"   push %rcx\n"
	"   push %rsi\n"
	"   push %rdi\n"
	"   mov $" XSTR(CPY_SRC) ", %esi\n"
	"   mov $" XSTR(CPY_DST) ", %edi\n"
	"   mov $512, %ecx\n"
	"   rep movsq\n"
	"   mov " XSTR(PF_ADDR) ", %rax\n"
	"   sub $" XSTR(COW_BASE) ", %rax\n"
	"   shr $12, %rax\n"
	"   orq $2, " XSTR(PT_GPA) "(,%rax,8)\n"
	"   pop %rdi\n"
	"   pop %rsi\n"
	"   pop %rcx\n"
	"   pop %rax\n"
	"   popfq\n"
	"   lea 128(%rsp), %rsp\n"
	"   jmp *" XSTR(PF_RIP) "\n"

	"g_touch:\n"
	"   mov %rsi, %rcx\n"
	"   mov %rdx, %rax\n"
	"   test %rcx, %rcx\n"
	"   jz 2f\n"
	"1: mov (%rax), %r9\n"
	"   add $4096, %rax\n"
	"   dec %rcx\n"
	"   jnz 1b\n"
	"2: ret\n"

	/* ---- CPL0 ---- */
	/* a trap (int n, int3): toggle between address spaces 0 and 1 */
	"g_h_switch:\n"
	"   push %rax\n"
	"   mov %cr3, %rax\n"
	"   xor $0x1000, %rax\n"
	"   mov %rax, %cr3\n"
	"   pop %rax\n"
	"   iretq\n"
	/* a full TLB flush: CR3 written with itself */
	"g_h_flush:\n"
	"   push %rax\n"
	"   mov %cr3, %rax\n"
	"   mov %rax, %cr3\n"
	"   pop %rax\n"
	"   iretq\n"
	/* the transition alone */
	"g_h_none:\n"
	"   iretq\n"
	/* #UD (a fault: the stacked rip is the ud2's): the same, past it */
	"g_h_switch_ud:\n"
	"   push %rax\n"
	"   mov %cr3, %rax\n"
	"   xor $0x1000, %rax\n"
	"   mov %rax, %cr3\n"
	"   pop %rax\n"
	"   addq $2, (%rsp)\n"
	"   iretq\n"
	"g_h_none_ud:\n"
	"   addq $2, (%rsp)\n"
	"   iretq\n"

	/* #PF: make the page writable, as a CoW fault whose page is the
	   process's last reference would */
	"g_h_pf_fix:\n"
	"   push %rax\n"
	"   mov %cr2, %rax\n"
	"   sub $" XSTR(COW_BASE) ", %rax\n"
	"   shr $12, %rax\n"
	"   orq $2, " XSTR(PT_GPA) "(,%rax,8)\n"
	"   mov %cr2, %rax\n"
	"   invlpg (%rax)\n"
	"   pop %rax\n"
	"   add $8, %rsp\n"
	"   iretq\n"

	/* #PF: copy 4 KiB at CPL0, then the same (a real CoW copy) */
	"g_h_pf_copy:\n"
	"   push %rax\n"
	"   push %rcx\n"
	"   push %rsi\n"
	"   push %rdi\n"
	"   mov $" XSTR(CPY_SRC) ", %esi\n"
	"   mov $" XSTR(CPY_DST) ", %edi\n"
	"   mov $512, %ecx\n"
	"   rep movsq\n"
	"   mov %cr2, %rax\n"
	"   sub $" XSTR(COW_BASE) ", %rax\n"
	"   shr $12, %rax\n"
	"   orq $2, " XSTR(PT_GPA) "(,%rax,8)\n"
	"   mov %cr2, %rax\n"
	"   invlpg (%rax)\n"
	"   pop %rdi\n"
	"   pop %rsi\n"
	"   pop %rcx\n"
	"   pop %rax\n"
	"   add $8, %rsp\n"
	"   iretq\n"

	/* #PF, the design's path: the stub hands the address and the
	   faulting rip to a CPL3 handler and irets there */
	"g_h_pf_bounce:\n"
	"   add $8, %rsp\n"
	"   push %rax\n"
	"   mov %cr2, %rax\n"
	"   mov %rax, " XSTR(PF_ADDR) "\n"
	"   mov 8(%rsp), %rax\n"
	"   mov %rax, " XSTR(PF_RIP) "\n"
	"   mov " XSTR(PF_HANDLER) ", %rax\n"
	"   mov %rax, 8(%rsp)\n"
	"   pop %rax\n"
	"   iretq\n"
	/* int3 from g_cow_user: invlpg the faulting page */
	"g_h_invlpg:\n"
	"   push %rax\n"
	"   mov " XSTR(PF_ADDR) ", %rax\n"
	"   invlpg (%rax)\n"
	"   pop %rax\n"
	"   iretq\n"

	/* #PF: tell the monitor the address; it fixes the PTE */
	"g_h_pf_mon:\n"
	"   push %rax\n"
	"   mov %cr2, %rax\n"
	"   movl %eax, " XSTR(DB_PF) "\n"
	"   pop %rax\n"
	"   add $8, %rsp\n"
	"   iretq\n"

	/* vectors 0-31: an unexpected exception rings DB_FAULT with its number */
	"   .balign 16\n"
	"g_fault_stubs:\n"
	"   .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
	"24,25,26,27,28,29,30,31\n"
	"   .balign 16\n"
	"   movl $\\v, " XSTR(DB_FAULT) "\n"
	"   hlt\n"
	"   .endr\n"
	".globl g_end\n"
	"g_end:\n"
	".popsection\n");
/* clang-format on */

extern const char g_start[], g_end[], g_doorbell[], g_int80[], g_int41[], g_int3[], g_ud2[],
	g_read[], g_write[], g_memcpy[], g_h_switch[], g_h_none[], g_h_switch_ud[], g_h_none_ud[],
	g_pte_wp[], g_h_flush[], g_h_pf_fix[], g_h_pf_copy[], g_h_pf_mon[], g_fault_stubs[],
	g_h_pf_bounce[], g_h_invlpg[], g_cow_user[], g_cow_user_noflush[];

/* A blob label's guest address. */
#define GADDR(sym) (CODE_GPA + (uint64_t)((sym)-g_start))

/* ---- the machine --------------------------------------------------------- */

static int kvm_fd, vm_fd, vcpu_fd;
static struct kvm_run *run;
static uint8_t *mem;
static struct kvm_sregs base_sregs;
static uint8_t *slot_buf[2];
static int have_sync_regs;

static void die(const char *what)
{
	fprintf(stderr, "procprims: %s (%s)\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t *guest_u64(uint64_t gpa)
{
	return (uint64_t *)(mem + gpa);
}

static void set_gate(unsigned vec, uint64_t handler, unsigned dpl)
{
	uint64_t *idt = guest_u64(IDT_GPA);
	idt[2 * vec] = (handler & 0xffff) | (uint64_t)SEL_KCODE << 16 |
		       (0x8eull | (uint64_t)dpl << 5) << 40 | ((handler >> 16) & 0xffff) << 48;
	idt[2 * vec + 1] = handler >> 32;
}

static void build_tables(void)
{
	uint64_t *gdt = guest_u64(GDT_GPA);
	gdt[1] = 0x00af9a000000ffffull;				/* kernel code, L=1 */
	gdt[2] = 0x00cf92000000ffffull;				/* kernel data */
	gdt[3] = 0x00cff2000000ffffull;				/* user data, DPL3 */
	gdt[4] = 0x00affa000000ffffull;				/* user code, L=1, DPL3 */
	gdt[5] = 103 | (uint64_t)TSS_GPA << 16 | 0x8bull << 40; /* busy 64-bit TSS */
	gdt[6] = 0;
	uint64_t rsp0 = KSTACK_TOP;
	uint16_t iomap = 104;
	memcpy(mem + TSS_GPA + 4, &rsp0, 8);
	memcpy(mem + TSS_GPA + 0x66, &iomap, 2);

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, GADDR(g_fault_stubs) + 16 * v, 0);

	/* NSPACES address spaces with identical contents but their own PML4,
	 * PDPT and PD, as per-process page tables would be (the CoW region's
	 * page tables are shared: only the upper levels differ). */
	for (int s = 0; s < NSPACES; s++) {
		uint64_t *pml4 = guest_u64(PML4_GPA(s)), *pdpt = guest_u64(PDPT_GPA(s));
		uint64_t *pd = guest_u64(PD_GPA(s));
		pml4[0] = PDPT_GPA(s) | PTE_P | PTE_W | PTE_U;
		pdpt[0] = PD_GPA(s) | PTE_P | PTE_W | PTE_U;
		const uint64_t big = PTE_P | PTE_W | PTE_U | PTE_PS;
		pd[0] = 0 | big;
		for (int i = 0; i < NPT; i++)
			pd[1 + i] = (PT_GPA + i * 0x1000) | PTE_P | PTE_W | PTE_U;
		for (uint64_t a = TOUCH_BASE; a < RAM_SIZE; a += 0x200000)
			pd[a >> 21] = a | big;
		/* The touched window: 4 KiB pages of the space's own frames
		 * through its own page table, as a process's private pages. */
		pd[TOUCH_BASE >> 21] = PT_TOUCH(s) | PTE_P | PTE_W | PTE_U;
		for (uint64_t i = 0; i < 512; i++)
			guest_u64(PT_TOUCH(s))[i] =
				(TOUCH_BASE + s * 0x200000ull + i * 4096) | PTE_P | PTE_W | PTE_U;
		pd[SLOT_GPA >> 21] = SLOT_GPA | big;
		pd[DB_GPA >> 21] = DB_GPA | big;
	}
	/* The CoW region: read-only user pages. */
	uint64_t *pt = guest_u64(PT_GPA);
	for (int i = 0; i < NPT * 512; i++)
		pt[i] = (COW_BASE + (uint64_t)i * 0x1000) | PTE_P | PTE_U;

	memcpy(mem + CODE_GPA, g_start, (size_t)(g_end - g_start));
}

/* The fewest CPUID leaves long mode needs (bench/kvm_cpuid.h). */
static void set_cpuid(void)
{
	if (bench_set_minimal_cpuid(vcpu_fd) < 0)
		die("KVM_SET_CPUID2");
}

static struct kvm_segment seg(uint16_t sel, int code)
{
	return (struct kvm_segment){.base = 0,
				    .limit = 0xffffffff,
				    .selector = sel,
				    .type = code ? 11 : 3,
				    .present = 1,
				    .dpl = 3,
				    .db = !code,
				    .s = 1,
				    .l = code,
				    .g = 1};
}

static void set_slot(int slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {.slot = slot,
						.guest_phys_addr = gpa,
						.memory_size = size,
						.userspace_addr = (uintptr_t)host};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
}

static void machine(void)
{
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("open /dev/kvm");
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest RAM");
	for (int i = 0; i < 2; i++) {
		slot_buf[i] = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (slot_buf[i] == MAP_FAILED)
			die("mmap slot");
		memset(slot_buf[i], i + 1, SLOT_SIZE); /* host pages exist */
	}
	build_tables();
	set_slot(0, 0, RAM_SIZE, mem);
	set_slot(1, SLOT_GPA, SLOT_SIZE, slot_buf[0]);

	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid();
	have_sync_regs =
		(ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_SREGS) != 0;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &base_sregs) < 0)
		die("KVM_GET_SREGS");
	base_sregs.cs = seg(SEL_UCODE, 1);
	base_sregs.ds = base_sregs.es = base_sregs.fs = base_sregs.gs = base_sregs.ss =
		seg(SEL_UDATA, 0);
	base_sregs.tr = (struct kvm_segment){
		.base = TSS_GPA, .limit = 103, .selector = SEL_TSS, .type = 11, .present = 1};
	base_sregs.gdt = (struct kvm_dtable){.base = GDT_GPA, .limit = 7 * 8 - 1};
	base_sregs.idt = (struct kvm_dtable){.base = IDT_GPA, .limit = 256 * 16 - 1};
	base_sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	base_sregs.cr3 = PML4_GPA(0);
	base_sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	base_sregs.efer = EFER_LME | EFER_LMA | EFER_NXE;
}

static void set_cr3(uint64_t cr3)
{
	struct kvm_sregs s = base_sregs;
	s.cr3 = cr3;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
}

/* Start the vCPU at a blob routine, CPL3, address space 0. */
static void enter(const char *routine, uint64_t rdi, uint64_t rsi, uint64_t rdx)
{
	set_cr3(PML4_GPA(0));
	struct kvm_regs r = {.rip = GADDR(routine),
			     .rsp = USTACK_TOP,
			     .rflags = 0x2,
			     .rdi = rdi,
			     .rsi = rsi,
			     .rdx = rdx};
	if (ioctl(vcpu_fd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

static char why[160];	       /* why the last run_to failed */
static unsigned long pf_exits; /* DB_PF doorbells served */

/* KVM_RUN until the guest rings `want`; a DB_PF on the way is served (the
 * monitor's CoW fix). -1, with `why`, for anything else. */
static int run_to(uint64_t want)
{
	for (;;) {
		if (ioctl(vcpu_fd, KVM_RUN, 0) < 0) {
			snprintf(why, sizeof why, "KVM_RUN: %s", strerror(errno));
			return -1;
		}
		if (run->exit_reason != KVM_EXIT_MMIO) {
			snprintf(why, sizeof why, "exit reason %u%s", run->exit_reason,
				 run->exit_reason == KVM_EXIT_INTERNAL_ERROR
					 ? " (internal error: emulation)"
					 : "");
			return -1;
		}
		uint64_t at = run->mmio.phys_addr;
		uint32_t val;
		memcpy(&val, run->mmio.data, 4);
		if (at == want)
			return 0;
		if (at == DB_PF && val >= COW_BASE && val < COW_BASE + NPT * 0x200000u) {
			guest_u64(PT_GPA)[(val - COW_BASE) >> 12] |= PTE_W;
			pf_exits++;
			continue;
		}
		struct kvm_regs r;
		ioctl(vcpu_fd, KVM_GET_REGS, &r);
		if (at == DB_FAULT) {
			/* The faulting rip is on the CPL0 stack, above the error
			 * code of the vectors that push one. */
			int err = val == 8 || (val >= 10 && val <= 14) || val == 17 || val == 21;
			uint64_t rip = *guest_u64(KSTACK_TOP - 40 - 8 * err);
			snprintf(why, sizeof why, "guest exception vector %u at rip 0x%llx", val,
				 (unsigned long long)rip);
		} else
			snprintf(why, sizeof why, "unexpected doorbell 0x%llx",
				 (unsigned long long)at);
		return -1;
	}
}

/* ---- statistics and the table -------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void fmt_ns(char *buf, size_t n, double ns)
{
	if (ns < 1) /* a batch's time minus one exit: below the exit's noise */
		snprintf(buf, n, "~0 ns");
	else if (ns >= 1e6)
		snprintf(buf, n, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, n, "%.2f us", ns / 1e3);
	else
		snprintf(buf, n, "%.0f ns", ns);
}

/* One row: name, median and min per operation over the samples, the
 * samples count, the exits each operation makes. */
static double row(const char *name, double *v, int n, const char *exits)
{
	char med[32], min[32];
	double m = median_of(v, n);
	fmt_ns(med, sizeof med, m);
	fmt_ns(min, sizeof min, v[0]);
	printf("%-58s %11s %11s %6d  %s\n", name, med, min, n, exits);
	fflush(stdout);
	return m;
}

static void row_na(const char *name)
{
	printf("%-58s %11s  (%s)\n", name, "n/a", why);
	fflush(stdout);
}

static void section(const char *title)
{
	printf("\n%s\n", title);
}

/* ---- 1 and 5: the doorbell loop with something done in the exit ---------- */

enum action { NOTHING, SREGS_SAME, SREGS_2, SREGS_8, SYNC_2, REMAP, HOSTCOPY_64K, HOSTCOPY_1M };

#define EXIT_SAMPLES 2001

static double exit_loop(const char *name, enum action act, uint64_t touch_pages,
			uint64_t touch_base, const char *exits, double *ioctl_ns)
{
	static double v[EXIT_SAMPLES], io[EXIT_SAMPLES];
	enter(g_doorbell, 0, touch_pages, touch_base);
	if (run_to(DB_LOOP) < 0 || run_to(DB_LOOP) < 0) { /* warm the touched pages */
		row_na(name);
		return 0;
	}
	int cur_slot = 0;
	for (int i = 0; i < EXIT_SAMPLES; i++) {
		double t0 = now_ns();
		switch (act) {
		case NOTHING:
			break;
		case SREGS_SAME:
			set_cr3(PML4_GPA(0));
			break;
		case SREGS_2:
			set_cr3(PML4_GPA((i + 1) % 2));
			break;
		case SREGS_8:
			set_cr3(PML4_GPA((i + 1) % NSPACES));
			break;
		case SYNC_2:
			run->s.regs.sregs = base_sregs;
			run->s.regs.sregs.cr3 = PML4_GPA((i + 1) % 2);
			run->kvm_dirty_regs = KVM_SYNC_X86_SREGS;
			break;
		case REMAP:
			cur_slot ^= 1;
			set_slot(1, SLOT_GPA, 0, slot_buf[!cur_slot]); /* delete */
			set_slot(1, SLOT_GPA, SLOT_SIZE, slot_buf[cur_slot]);
			break;
		case HOSTCOPY_64K:
			memcpy(mem + MC_DST, mem + MC_SRC, 64 << 10);
			break;
		case HOSTCOPY_1M:
			memcpy(mem + MC_DST, mem + MC_SRC, 1 << 20);
			break;
		}
		double t1 = now_ns();
		if (run_to(DB_LOOP) < 0) {
			row_na(name);
			return 0;
		}
		v[i] = now_ns() - t0;
		io[i] = t1 - t0;
	}
	run->kvm_dirty_regs = 0;
	double m = row(name, v, EXIT_SAMPLES, exits);
	if (ioctl_ns)
		*ioctl_ns = median_of(io, EXIT_SAMPLES);
	return m;
}

/* ---- batches: a guest routine run N times inside one KVM_RUN -------------- */

#define BATCHES 15

/* Runs a prepared guest routine to DB_DONE; ns, or -1. */
static double timed_run(void)
{
	double t0 = now_ns();
	if (run_to(DB_DONE) < 0)
		return -1;
	return now_ns() - t0;
}

static double exit_median; /* one plain round trip, taken off each batch */

static void int_loop(const char *name, const char *routine, unsigned vec, const char *handler,
		     uint64_t n, uint64_t touch, const char *exits)
{
	double v[BATCHES];
	set_gate(vec, GADDR(handler), 3);
	for (int b = 0; b < BATCHES; b++) {
		enter(routine, n, touch, TOUCH_BASE);
		double t = timed_run();
		if (t < 0) {
			row_na(name);
			break;
		}
		v[b] = (t - exit_median) / n;
		if (b == BATCHES - 1)
			row(name, v, BATCHES, exits);
	}
	set_gate(vec, GADDR(g_fault_stubs) + 16 * vec, 0);
}

#define COW_PAGES 100 /* faults per batch */

/* Each batch writes COW_PAGES fresh read-only pages (read once before, so
 * only the write fault is timed); `region` picks the pages no other
 * variant used, since a page stays writable once fixed. */
static void cow(const char *name, const char *handler, int region, const char *exits)
{
	double v[BATCHES];
	uint64_t base = COW_BASE + (uint64_t)region * BATCHES * COW_PAGES * 4096;
	enter(g_read, 0, BATCHES * COW_PAGES, base);
	if (run_to(DB_DONE) < 0) {
		row_na(name);
		return;
	}
	set_gate(14, GADDR(handler), 0);
	for (int b = 0; b < BATCHES; b++) {
		enter(g_write, COW_PAGES, 0, base + (uint64_t)b * COW_PAGES * 4096);
		double t = timed_run();
		if (t < 0) {
			row_na(name);
			set_gate(14, GADDR(g_fault_stubs) + 16 * 14, 0);
			return;
		}
		v[b] = (t - exit_median) / COW_PAGES;
	}
	set_gate(14, GADDR(g_fault_stubs) + 16 * 14, 0);
	row(name, v, BATCHES, exits);
}

static void enter_memcpy(uint64_t src, uint64_t dst, uint64_t bytes, uint64_t reps)
{
	enter(g_memcpy, 0, 0, 0);
	struct kvm_regs r;
	if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0)
		die("KVM_GET_REGS");
	r.r8 = src;
	r.r9 = dst;
	r.r10 = bytes / 8;
	r.r11 = reps;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/* Copies at CPL3 with warm source and destination; per copy. */
static void copy_warm(const char *name, uint64_t bytes, uint64_t reps)
{
	double v[BATCHES];
	enter_memcpy(MC_SRC, MC_DST, bytes, 1); /* fault both in */
	if (run_to(DB_DONE) < 0) {
		row_na(name);
		return;
	}
	for (int b = 0; b < BATCHES; b++) {
		enter_memcpy(MC_SRC, MC_DST, bytes, reps);
		double t = timed_run();
		if (t < 0) {
			row_na(name);
			return;
		}
		v[b] = (t - exit_median) / reps;
	}
	row(name, v, BATCHES, "0");
}

/* Copies into destinations never used before: `*next` walks the region;
 * with `host_touch` the host writes them first (host pages exist, the
 * guest's mappings of them do not). */
static void copy_cold(const char *name, uint64_t bytes, int batches, uint64_t *next, int host_touch,
		      const char *exits)
{
	double v[BATCHES];
	for (int b = 0; b < batches; b++) {
		if (host_touch)
			memset(mem + *next, 0, bytes);
		enter_memcpy(MC_SRC, *next, bytes, 1);
		*next += bytes;
		double t = timed_run();
		if (t < 0) {
			row_na(name);
			return;
		}
		v[b] = t - exit_median;
	}
	row(name, v, batches, exits);
}

/* Does a PTE the monitor makes stricter from the host side take effect?
 * Under shadow paging KVM write-protects the guest's page tables against
 * the guest, not against the monitor's own writes, so a stale shadow entry
 * could keep the page writable: fork by the monitor would then break CoW. */
static void tighten_probe(void)
{
	uint64_t page = COW_BASE + 3ull * BATCHES * COW_PAGES * 4096;
	uint64_t *pte = &guest_u64(PT_GPA)[(page - COW_BASE) >> 12];
	const char *how[3] = {"re-entered as is (KVM_SET_SREGS, same CR3)",
			      "after KVM_SET_SREGS to another CR3 and back",
			      "after a memslot delete+create (any slot)"};
	set_gate(14, GADDR(g_h_pf_mon), 0);
	for (int k = 0; k < 3; k++) {
		*pte |= PTE_W;
		enter(g_write, 1, 0, page); /* the guest maps it writable */
		if (run_to(DB_DONE) < 0) {
			row_na("tighten probe");
			break;
		}
		*pte &= ~PTE_W; /* the monitor write-protects it, as at fork */
		if (k == 1)
			set_cr3(PML4_GPA(1));
		if (k == 2) {
			set_slot(1, SLOT_GPA, 0, slot_buf[0]);
			set_slot(1, SLOT_GPA, SLOT_SIZE, slot_buf[0]);
		}
		pf_exits = 0;
		enter(g_write, 1, 0, page);
		if (run_to(DB_DONE) < 0) {
			row_na("tighten probe");
			break;
		}
		printf("monitor clears W of a PTE the guest used; %-44s: %s\n", how[k],
		       pf_exits ? "the next write faults (seen)"
				: "NOT seen: the write went through");
	}
	set_gate(14, GADDR(g_fault_stubs) + 16 * 14, 0);
}

/* Fork's write-protection done by the libos itself at CPL3, in page tables
 * it can write (KVM traps each store to a shadowed page table and applies
 * it), with or without a CR3 reload at CPL0 after; then is it seen? */
static void guest_wp(const char *name, int flush, int npages)
{
	double v[BATCHES];
	unsigned long seen = 0;
	/* Each batch makes the same pages writable again first (from the
	 * host: loosening a PTE is seen, KVM re-walks on the shadow fault). */
	uint64_t page = COW_BASE + 3ull * BATCHES * COW_PAGES * 4096 + 16 * 4096;
	set_gate(3, GADDR(g_h_flush), 3);
	for (int b = 0; b < BATCHES; b++) {
		uint64_t pte_gpa = PT_GPA + ((page - COW_BASE) >> 12) * 8;
		for (int i = 0; i < npages; i++)
			guest_u64(pte_gpa)[i] |= PTE_W;
		enter(g_write, (uint64_t)npages, 0, page); /* writable in the shadow too */
		if (run_to(DB_DONE) < 0)
			goto na;
		enter(g_pte_wp, (uint64_t)npages, flush, pte_gpa);
		double t = timed_run();
		if (t < 0)
			goto na;
		v[b] = (t - exit_median) / (uint64_t)npages;
		set_gate(14, GADDR(g_h_pf_mon), 0);
		pf_exits = 0;
		enter(g_write, (uint64_t)npages, 0, page);
		int r = run_to(DB_DONE);
		set_gate(14, GADDR(g_fault_stubs) + 16 * 14, 0);
		if (r < 0)
			goto na;
		seen += pf_exits;
	}
	char exits[64];
	snprintf(exits, sizeof exits, "0; %lu of %d writes faulted after", seen, BATCHES * npages);
	row(name, v, BATCHES, exits);
	set_gate(3, GADDR(g_fault_stubs) + 16 * 3, 0);
	return;
na:
	row_na(name);
	set_gate(3, GADDR(g_fault_stubs) + 16 * 3, 0);
}

/* A VM per process: what making one costs before its first instruction
 * (the monitor's own phases: VM, one memslot, vCPU, kvm_run, CPUID), made
 * and closed in turn. Its memory would then be copied in and faulted in
 * (section 4's never-touched rows), and it could share no libos state. */
static void vm_per_process(void)
{
	enum { N = 21 };
	double v[N];
	size_t size = 8 << 20;
	uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	int run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (int i = 0; i < N; i++) {
		double t0 = now_ns();
		int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
		if (vm < 0)
			die("KVM_CREATE_VM");
		struct kvm_userspace_memory_region r = {
			.slot = 0, .memory_size = size, .userspace_addr = (uintptr_t)m};
		if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			die("KVM_SET_USER_MEMORY_REGION");
		int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
		if (vcpu < 0)
			die("KVM_CREATE_VCPU");
		void *rr = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
		if (rr == MAP_FAILED)
			die("mmap kvm_run");
		int saved = vcpu_fd;
		vcpu_fd = vcpu;
		set_cpuid();
		set_cr3(PML4_GPA(0));
		vcpu_fd = saved;
		v[i] = now_ns() - t0;
		munmap(rr, run_size);
		close(vcpu);
		close(vm);
	}
	munmap(m, size);
	row("a VM per process: create VM, memslot, vCPU, CPUID, sregs", v, N, "(no entry yet)");
}

/* The guest's first read of pages it never used: a shadow-paging fault
 * each (and a host page fault too unless the host touched them). */
static void first_touch(const char *name, int npages, uint64_t *next, int host_touch)
{
	double v[BATCHES];
	for (int b = 0; b < BATCHES; b++) {
		uint64_t bytes = (uint64_t)npages * 4096;
		if (host_touch)
			memset(mem + *next, 0, bytes);
		enter(g_read, 0, npages, *next);
		*next += bytes;
		double t = timed_run();
		if (t < 0) {
			row_na(name);
			return;
		}
		v[b] = (t - exit_median) / npages;
	}
	row(name, v, BATCHES, "0 (host: a shadow fault each)");
}

/* ---- the header ------------------------------------------------------------ */

static void header(void)
{
	struct utsname u;
	uname(&u);
	char model[256] = "?", line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');
			strcpy(model, p ? p + 2 : line);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	const char *kind =
		access("/sys/module/kvm_pvm", F_OK) == 0
			? "kvm-pvm (a software nested hypervisor: shadow paging, CPL0 emulated)"
		: access("/sys/module/kvm_intel", F_OK) == 0 ? "kvm_intel"
		: access("/sys/module/kvm_amd", F_OK) == 0   ? "kvm_amd"
							     : "unknown";
	time_t t = time(NULL);
	char date[64];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
	printf("procprims: process primitives on this host's KVM, %s\n", date);
	printf("KVM: %s; CPU: %s; kernel %s\n", kind, model, u.release);
	printf("Timings from another KVM (hardware, or nested) differ: re-run there.\n");
	printf("\n%-58s %11s %11s %6s  %s\n", "operation (per op)", "median", "min", "n",
	       "exits per op");
}

int main(void)
{
	machine();
	header();
	double io_same = 0, io_2 = 0, io_remap = 0;

	section("1. address-space switch by the monitor (doorbell exit, KVM_SET_SREGS, re-enter)");
	exit_median = exit_loop("exit round trip (doorbell, KVM_RUN)", NOTHING, 0, 0, "1", NULL);
	exit_loop("  + KVM_SET_SREGS, same CR3", SREGS_SAME, 0, 0, "1", &io_same);
	exit_loop("  + KVM_SET_SREGS, CR3 alternating over 2", SREGS_2, 0, 0, "1", &io_2);
	exit_loop("  + KVM_SET_SREGS, CR3 rotating over 8", SREGS_8, 0, 0, "1", NULL);
	if (have_sync_regs)
		exit_loop("  + CR3 of 2 through kvm_run sync_regs (no ioctl)", SYNC_2, 0, 0, "1",
			  NULL);
	else
		printf("%-58s %11s  (KVM_CAP_SYNC_REGS lacks SREGS)\n", "  + CR3 through sync_regs",
		       "n/a");
	exit_loop("exit round trip + read 64 pages", NOTHING, 64, TOUCH_BASE, "1", NULL);
	exit_loop("  + KVM_SET_SREGS, CR3 of 2, read 64 pages", SREGS_2, 64, TOUCH_BASE, "1", NULL);
	exit_loop("  + KVM_SET_SREGS, CR3 of 8, read 64 pages", SREGS_8, 64, TOUCH_BASE, "1", NULL);
	printf("   (KVM_SET_SREGS ioctl alone, median: same CR3 %.2f us, new CR3 %.2f us)\n",
	       io_same / 1e3, io_2 / 1e3);

	section("2. address-space switch by the guest (a trap to a CPL0 gate, iretq)");
	int_loop("int $0x80 to a CPL0 gate + iretq", g_int80, 0x80, g_h_none, 200, 0, "0");
	int_loop("int $0x41 to a CPL0 gate + iretq", g_int41, 0x41, g_h_none, 200, 0, "0");
	int_loop("int3 to a CPL0 gate + iretq (no CR3 write)", g_int3, 3, g_h_none, 200, 0,
		 "0 (CPL0 emulated)");
	int_loop("int3 to a CPL0 gate, mov cr3 (2 spaces), iretq", g_int3, 3, g_h_switch, 200, 0,
		 "0 (CPL0 emulated)");
	int_loop("ud2 (#UD) to CPL0, rip += 2, iretq (no CR3 write)", g_ud2, 6, g_h_none_ud, 200, 0,
		 "0 (CPL0 emulated)");
	int_loop("ud2 (#UD) to CPL0, mov cr3 (2 spaces), iretq", g_ud2, 6, g_h_switch_ud, 200, 0,
		 "0 (CPL0 emulated)");
	int_loop("int3 + iretq (no CR3 write) + read 64 pages", g_int3, 3, g_h_none, 100, 64, "0");
	int_loop("int3, mov cr3 (2 spaces) + read 64 pages", g_int3, 3, g_h_switch, 100, 64, "0");

	section("3. copy-on-write fault (CPL3 store to a read-only page)");
	cow("#PF to CPL0, set W + invlpg, iretq", g_h_pf_fix, 0, "0 (CPL0 emulated)");
	cow("#PF to CPL0, 4 KiB rep movsq at CPL0, set W, iretq", g_h_pf_copy, 1,
	    "0 (CPL0 emulated)");
	cow("#PF to CPL0 stub -> doorbell, monitor sets W, iretq", g_h_pf_mon, 2, "1");
	set_gate(3, GADDR(g_h_invlpg), 3);
	*guest_u64(PF_HANDLER) = GADDR(g_cow_user);
	cow("#PF -> CPL3 handler: copy 4 KiB, set W, int3 invlpg", g_h_pf_bounce, 4, "0 (2 traps)");
	*guest_u64(PF_HANDLER) = GADDR(g_cow_user_noflush);
	cow("#PF -> CPL3 handler: copy 4 KiB, set W (no flush)", g_h_pf_bounce, 5, "0 (1 trap)");
	set_gate(3, GADDR(g_fault_stubs) + 16 * 3, 0);

	tighten_probe();
	guest_wp("libos at CPL3 clears W in 60 PTEs, no flush (per PTE)", 0, 60);
	guest_wp("libos at CPL3 clears W in 60 PTEs + int3 -> mov cr3 (per PTE)", 1, 60);
	guest_wp("libos at CPL3 clears W in 480 PTEs + int3 -> mov cr3 (per PTE)", 1, 480);
	guest_wp("libos at CPL3 clears W in 1400 PTEs + int3 -> mov cr3 (per PTE)", 1, 1400);

	section("4. eager copy at CPL3 (rep movsq), source warm");
	copy_warm("copy 4 KiB, destination warm", 4096, 2000);
	copy_warm("copy 64 KiB, destination warm", 64 << 10, 200);
	copy_warm("copy 1 MiB, destination warm", 1 << 20, 20);
	copy_warm("copy 64 MiB, destination warm", 64 << 20, 1);
	uint64_t cold = MC_COLD2, hosted = MC_HOSTED, big = MC_COLD;
	first_touch("first guest read of a page, host-touched (per page)", 64, &hosted, 1);
	first_touch("first guest read of a page, never touched (per page)", 64, &cold, 0);
	copy_cold("copy 64 KiB, destination host-touched only", 64 << 10, BATCHES, &hosted, 1,
		  "shadow faults");
	copy_cold("copy 1 MiB, destination host-touched only", 1 << 20, BATCHES, &hosted, 1,
		  "shadow faults");
	copy_cold("copy 64 KiB, destination never touched", 64 << 10, BATCHES, &cold, 0,
		  "host+shadow faults");
	copy_cold("copy 1 MiB, destination never touched", 1 << 20, BATCHES, &cold, 0,
		  "host+shadow faults");
	copy_cold("copy 64 MiB, destination never touched (1 run)", 64 << 20, 1, &big, 0,
		  "host+shadow faults");

	section("5. remapping by memslot (KVM_SET_USER_MEMORY_REGION: delete + create)");
	exit_loop("exit round trip + read 64 pages of slot 1", NOTHING, 64, SLOT_GPA, "1", NULL);
	exit_loop("  + slot 1 replaced, read 64 pages of slot 1", REMAP, 64, SLOT_GPA, "1",
		  &io_remap);
	exit_loop("  + slot 1 replaced, read 64 pages of slot 0", REMAP, 64, TOUCH_BASE, "1", NULL);
	printf("   (the two ioctls alone, median: %.2f us)\n", io_remap / 1e3);

	section("6. fork in the monitor: host memcpy of guest RAM during an exit");
	exit_loop("exit + host memcpy 64 KiB", HOSTCOPY_64K, 0, 0, "1", NULL);
	exit_loop("exit + host memcpy 1 MiB", HOSTCOPY_1M, 0, 0, "1", NULL);

	section("7. a VM per process");
	vm_per_process();
	return 0;
}
