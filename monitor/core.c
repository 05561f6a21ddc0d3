/*
 * --core FILE: an ELF core file of a crashed guest, so that `gdb IMAGE FILE`
 * shows where it died. The file is opened before the sandbox is entered (the
 * sandbox allows no open); the crash path only writes to that fd. It holds
 * one thread's registers (NT_PRSTATUS) and the memory a backtrace needs: the
 * image's segments and the stack from the crash's %rsp up.
 */
#include "monitor.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/user.h>
#include <unistd.h>

#define CORE_REGIONS (HUT_SEGMENTS_MAX + 1)
#define NOTE_NAME "CORE"

struct region {
	uint64_t gpa, len;
	uint32_t flags;
};

/* An ELF note is packed to 4 bytes: header (12), "CORE\0" padded to 8, then
 * the descriptor at offset 20, where a C struct would insert padding. */
#define NOTE_DESC 20
#define NOTE_SIZE (NOTE_DESC + sizeof(struct elf_prstatus))

void hut_core_open(struct hut_vm *vm)
{
	vm->core_fd = -1;
	if (!vm->opt->core)
		return;
	vm->core_fd = open(vm->opt->core, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (vm->core_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot create core file %s (%s)", vm->opt->core,
			 strerror(errno));
}

/* The image's segments, then the stack from the page below %rsp to its top
 * (all of the stack's top 64 KiB if %rsp is not in the stack at all). */
static size_t collect(const struct hut_vm *vm, uint64_t rsp, struct region *r)
{
	size_t n = 0;
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		r[n++] = (struct region){s->gpa, (s->memsz + 4095) & ~4095ull, s->flags};
	}
	uint64_t lo = vm->stack_top - vm->stack_size, from = (rsp & ~4095ull) - 4096;
	if (rsp < lo || rsp > vm->stack_top)
		from = vm->stack_top - (64u << 10);
	if (from < lo)
		from = lo;
	r[n++] = (struct region){from, vm->stack_top - from, PF_R | PF_W};
	return n;
}

static void put_registers(struct elf_prstatus *p, const struct kvm_regs *r,
			  const struct kvm_sregs *s, const struct hut_trap_frame *f, int sig)
{
	struct user_regs_struct u = {
		.r15 = r->r15,
		.r14 = r->r14,
		.r13 = r->r13,
		.r12 = r->r12,
		.rbp = r->rbp,
		.rbx = r->rbx,
		.r11 = r->r11,
		.r10 = r->r10,
		.r9 = r->r9,
		.r8 = r->r8,
		.rax = f->rax,
		.rcx = r->rcx,
		.rdx = r->rdx,
		.rsi = r->rsi,
		.rdi = r->rdi,
		.orig_rax = (unsigned long)-1,
		.rip = f->rip,
		.cs = f->cs,
		.eflags = f->rflags,
		.rsp = f->rsp,
		.ss = f->ss,
		.fs_base = s->fs.base,
		.gs_base = s->gs.base,
	};
	_Static_assert(sizeof u == sizeof p->pr_reg, "user_regs_struct is elf_gregset_t");
	memcpy(&p->pr_reg, &u, sizeof u);
	p->pr_info.si_signo = p->pr_cursig = (short)sig;
	p->pr_pid = 1;
}

static int put(int fd, const void *buf, size_t len, uint64_t off)
{
	for (size_t done = 0; done < len;) {
		ssize_t w = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Layout: ELF header, program headers (a note, then one PT_LOAD per region),
 * the note, then each region's bytes at a page-aligned offset. */
int hut_core_write(struct hut_vm *vm, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct hut_trap_frame *f, int sig)
{
	static struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[1 + CORE_REGIONS];
		uint8_t note[NOTE_SIZE];
	} h;
	struct elf_prstatus status = {0};
	struct region r[CORE_REGIONS];
	size_t n = collect(vm, f->rsp, r);
	uint64_t off = (sizeof h + 4095) & ~4095ull;
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_CORE;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_phoff = offsetof(typeof(h), ph);
	h.eh.e_ehsize = sizeof h.eh;
	h.eh.e_phentsize = sizeof h.ph[0];
	h.eh.e_phnum = (uint16_t)(1 + n);
	Elf64_Nhdr nh = {sizeof NOTE_NAME, sizeof status, NT_PRSTATUS};
	put_registers(&status, regs, sregs, f, sig);
	memcpy(h.note, &nh, sizeof nh);
	memcpy(h.note + sizeof nh, NOTE_NAME, sizeof NOTE_NAME);
	memcpy(h.note + NOTE_DESC, &status, sizeof status);
	h.ph[0] = (Elf64_Phdr){.p_type = PT_NOTE,
			       .p_offset = offsetof(typeof(h), note),
			       .p_filesz = sizeof h.note,
			       .p_align = 4};
	for (size_t i = 0; i < n; i++) {
		const void *bytes = hut_gpa(&vm->mem, r[i].gpa, r[i].len);
		h.ph[1 + i] = (Elf64_Phdr){PT_LOAD,  r[i].flags, off,	   r[i].gpa,
					   r[i].gpa, r[i].len,	 r[i].len, 4096};
		if (!bytes || put(vm->core_fd, bytes, r[i].len, off) != 0)
			return -1;
		off += r[i].len;
	}
	return put(vm->core_fd, &h, sizeof h, 0);
}
