/*
 * --core FILE: an ELF core file of a crashed guest, so that `gdb IMAGE FILE`
 * shows where it died (the module, its option and its file: core_module.c;
 * this writes the file when the guest crashed). It holds
 * the registers of the thread that crashed (NT_PRSTATUS, first: gdb's
 * current thread) and of every other thread the libos listed (abi.h,
 * HUT_HC_THREADS; `info threads`, `thread apply all bt`), and the memory a
 * backtrace needs: the image's segments, the stack from the crash's %rsp
 * up, and a window above each thread's %rsp (threads' stacks lie in the
 * heap, where musl maps them). The core of another process (HUT_HC_PROC_CORE,
 * core_process.c) goes through the same writer: its layout is the pieces
 * of memory the libos described and the one thread that crashed.
 */
#include "core.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <unistd.h>

#define CORE_REGIONS (HUT_SEGMENTS_MAX + 2 + HUT_THREADS_MAX)
_Static_assert(CORE_REGIONS <= HUT_CORE_REGIONS_MAX, "pid 1's regions fit");
#define NOTE_NAME "CORE"
#define REMARK_NAME "HUT"		 /* a note gdb passes over: what the core leaves out */
#define THREAD_STACK_WINDOW (256u << 10) /* musl's default thread stack is 128 KiB */
#define USER_CS 0x23
#define USER_SS 0x1b

/* An ELF note is packed to 4 bytes: header (12), "CORE\0" padded to 8, then
 * the descriptor at offset 20, where a C struct would insert padding. */
#define NOTE_DESC 20
#define NOTE_SIZE (NOTE_DESC + sizeof(struct elf_prstatus))
#define REMARK_DESC 16 /* header (12), "HUT\0" */

/* Adds [from, to) of RAM to the data regions r[first..*n), merged with any
 * it overlaps or touches, so that no two PT_LOADs cover the same bytes. */
static void add_data(const struct hut_vm *vm, struct hut_core_region *r, size_t first, size_t *n,
		     uint64_t from, uint64_t to)
{
	if (to > vm->mem.size)
		to = vm->mem.size;
	if (from >= to)
		return;
	for (size_t i = first; i < *n; i++) {
		uint64_t lo = r[i].va, hi = r[i].va + r[i].len;
		if (from <= hi && lo <= to) {
			from = from < lo ? from : lo;
			to = to > hi ? to : hi;
			r[i] = r[--*n]; /* taken into [from, to); look again */
			add_data(vm, r, first, n, from, to);
			return;
		}
	}
	r[(*n)++] = (struct hut_core_region){from, from, to - from, PF_R | PF_W};
}

/* A thread's stack from the page below its %rsp, a window up; the main
 * stack's is up to its top (its top 64 KiB if %rsp is in no stack). */
static void add_stack(const struct hut_vm *vm, struct hut_core_region *r, size_t first, size_t *n,
		      uint64_t rsp, int crashed)
{
	uint64_t lo = vm->stack_top - vm->stack_size, from = (rsp & ~4095ull) - 4096;
	if (rsp >= lo && rsp <= vm->stack_top)
		add_data(vm, r, first, n, from < lo ? lo : from, vm->stack_top);
	else if (rsp >= vm->heap_start && rsp <= vm->heap_end)
		add_data(vm, r, first, n, from < vm->heap_start ? vm->heap_start : from,
			 from + THREAD_STACK_WINDOW);
	else if (crashed)
		add_data(vm, r, first, n, vm->stack_top - (64u << 10), vm->stack_top);
}

/* The image's segments, then the stacks of the crashed thread and the others. */
static size_t collect(const struct hut_vm *vm, uint64_t rsp, const struct hut_thread_regs *t,
		      size_t nthreads, struct hut_core_region *r)
{
	size_t n = 0;
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		uint64_t len = (s->memsz + 4095) & ~4095ull;
		r[n++] = (struct hut_core_region){s->va, s->va, len, s->flags};
	}
	size_t first = n;
	add_stack(vm, r, first, &n, rsp, 1);
	for (size_t i = 0; i < nthreads; i++)
		add_stack(vm, r, first, &n, t[i].rsp, 0);
	return n;
}

/* The other threads, from the libos's table: a copy, each entry checked. */
static size_t other_threads(const struct hut_vm *vm, uint64_t threads_gpa,
			    struct hut_thread_regs *out, uint64_t *running)
{
	static struct hut_threads_table copy;
	const void *p = threads_gpa ? hut_gpa(&vm->mem, threads_gpa, sizeof copy) : NULL;
	size_t n = 0;
	*running = 1;
	if (!p)
		return 0;
	memcpy(&copy, p, sizeof copy);
	if (copy.running_tid > 0 && copy.running_tid <= INT32_MAX)
		*running = copy.running_tid;
	for (size_t i = 0; i < HUT_THREADS_MAX; i++) {
		const struct hut_thread_regs *t = &copy.thread[i];
		if (t->tid > 0 && t->tid <= INT32_MAX && t->tid != *running)
			out[n++] = *t;
	}
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
}

/* A thread the libos had switched out: stopped in a syscall. */
void hut_core_thread_status(struct elf_prstatus *p, const struct hut_thread_regs *t)
{
	struct user_regs_struct u = {
		.r15 = t->r15,
		.r14 = t->r14,
		.r13 = t->r13,
		.r12 = t->r12,
		.rbp = t->rbp,
		.rbx = t->rbx,
		.r11 = t->r11,
		.r10 = t->r10,
		.r9 = t->r9,
		.r8 = t->r8,
		.rax = t->rax,
		.rcx = t->rcx,
		.rdx = t->rdx,
		.rsi = t->rsi,
		.rdi = t->rdi,
		.orig_rax = t->rax,
		.rip = t->rip,
		.cs = USER_CS,
		.eflags = t->rflags,
		.rsp = t->rsp,
		.ss = USER_SS,
		.fs_base = t->fs_base,
	};
	memcpy(&p->pr_reg, &u, sizeof u);
	p->pr_pid = (int)t->tid;
}

/* One NT_PRSTATUS note at note. */
static void put_note(uint8_t *note, const struct elf_prstatus *status)
{
	Elf64_Nhdr nh = {sizeof NOTE_NAME, sizeof *status, NT_PRSTATUS};
	memcpy(note, &nh, sizeof nh);
	memcpy(note + sizeof nh, NOTE_NAME, sizeof NOTE_NAME);
	memcpy(note + NOTE_DESC, status, sizeof *status);
}

/* A "HUT" note of text at note (its descriptor padded to 4 bytes); its size. */
static size_t put_remark(uint8_t *note, const char *text)
{
	size_t len = strlen(text) + 1;
	Elf64_Nhdr nh = {sizeof REMARK_NAME, (Elf64_Word)len, 1};
	memcpy(note, &nh, sizeof nh);
	memcpy(note + sizeof nh, REMARK_NAME, sizeof REMARK_NAME);
	memcpy(note + REMARK_DESC, text, len);
	return REMARK_DESC + ((len + 3) & ~(size_t)3);
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
 * the notes, then each region's bytes at a page-aligned offset. */
int hut_core_write_layout(const struct hut_vm *vm, int fd, const struct hut_core *c)
{
	static struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[1 + HUT_CORE_REGIONS_MAX];
		uint8_t note[NOTE_SIZE * (1 + HUT_THREADS_MAX) + REMARK_DESC + sizeof c->remark];
	} h;
	uint64_t off = (sizeof h + 4095) & ~4095ull;
	size_t notes = 0;
	memset(&h, 0, sizeof h);
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
	h.eh.e_phnum = (uint16_t)(1 + c->nregions);
	for (size_t i = 0; i < c->nthreads; i++, notes += NOTE_SIZE)
		put_note(h.note + notes, &c->status[i]);
	if (c->remark[0])
		notes += put_remark(h.note + notes, c->remark);
	h.ph[0] = (Elf64_Phdr){.p_type = PT_NOTE,
			       .p_offset = offsetof(typeof(h), note),
			       .p_filesz = notes,
			       .p_align = 4};
	for (size_t i = 0; i < c->nregions; i++) {
		const struct hut_core_region *r = &c->region[i];
		const void *bytes = hut_gpa(&vm->mem, r->src, r->len);
		h.ph[1 + i] =
			(Elf64_Phdr){PT_LOAD, r->flags, off, r->va, r->va, r->len, r->len, 4096};
		if (!bytes || put(fd, bytes, r->len, off) != 0)
			return -1;
		off += r->len;
	}
	return put(fd, &h, sizeof h, 0);
}

/* pid 1's (or the libos's) crash: its registers, its other threads, the
 * memory a backtrace needs. */
int hut_core_write(const struct hut_vm *vm, int fd, uint64_t threads_gpa,
		   const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct hut_trap_frame *f, int sig)
{
	static struct hut_core c;
	static struct hut_thread_regs threads[HUT_THREADS_MAX];
	uint64_t running;
	size_t nthreads = other_threads(vm, threads_gpa, threads, &running);
	memset(&c, 0, sizeof c);
	c.nregions = collect(vm, f->rsp, threads, nthreads, c.region);
	put_registers(&c.status[0], regs, sregs, f, sig);
	c.status[0].pr_pid = (int)running;
	for (size_t i = 0; i < nthreads; i++)
		hut_core_thread_status(&c.status[1 + i], &threads[i]);
	c.nthreads = 1 + nthreads;
	return hut_core_write_layout(vm, fd, &c);
}
