/*
 * The core of a crashed process other than pid 1 (HUT_HC_PROC_CORE): the
 * libos describes the process's memory as it saw it (pieces of
 * guest-virtual memory, each one run of guest RAM), its crashed thread's
 * registers and its other threads'; with --core FILE this writes FILE.pid through core.c's writer.
 * Every value is the guest's, so everything is checked first, against a
 * copy: a piece outside RAM, misaligned, wrapping, past the user half,
 * overlapping another, or pieces that add up to more than RAM (which
 * bounds the file), end the guest as any bad hypercall does.
 */
#include "core.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#define PAGE 4096u
#define USER_CS 0x23
#define USER_SS 0x1b

static int by_va(const void *a, const void *b)
{
	const struct hut_core_piece *x = a, *y = b;
	return x->va < y->va ? -1 : x->va > y->va;
}

static _Noreturn void bad(struct hut_vm *vm, const char *what, size_t i,
			  const struct hut_core_piece *p)
{
	hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
		 "bad hypercall: process core: piece %zu (0x%lx+0x%lx at 0x%lx) %s", i, p->va,
		 p->len, p->gpa, what);
}

/* One piece on its own: page-aligned, nonempty, below HUT_CORE_VA_END, in
 * guest memory the monitor may read. */
static void check_piece(struct hut_vm *vm, size_t i, const struct hut_core_piece *p)
{
	if (p->len == 0 || (p->va | p->gpa | p->len) % PAGE)
		bad(vm, "is not whole pages", i, p);
	if (p->va >= HUT_CORE_VA_END || p->len > HUT_CORE_VA_END - p->va)
		bad(vm, "lies past the user address space", i, p);
	if (!hut_guest_readable(vm, p->gpa, p->len))
		bad(vm, "is outside guest memory", i, p);
}

/* The pieces, copied into r sorted by address, each checked, none
 * overlapping, together no larger than RAM. */
static size_t checked_pieces(struct hut_vm *vm, const struct hut_hc_proc_core *hc,
			     struct hut_core_region *r)
{
	static struct hut_core_piece p[HUT_CORE_PIECES_MAX];
	uint64_t total = 0;
	if (hc->npieces > HUT_CORE_PIECES_MAX)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: process core: %u pieces (at most %u)", hc->npieces,
			 HUT_CORE_PIECES_MAX);
	const void *at = hut_guest_readable(vm, hc->pieces, hc->npieces * sizeof p[0]);
	if (!at)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: process core: pieces at 0x%lx are outside guest memory",
			 hc->pieces);
	memcpy(p, at, hc->npieces * sizeof p[0]);
	qsort(p, hc->npieces, sizeof p[0], by_va);
	for (size_t i = 0; i < hc->npieces; i++) {
		check_piece(vm, i, &p[i]);
		if (i > 0 && p[i].va < p[i - 1].va + p[i - 1].len)
			bad(vm, "overlaps the one below", i, &p[i]);
		total += p[i].len; /* each below 2^47, 512 of them: no overflow */
		if (total > vm->mem.size)
			bad(vm, "makes more than guest RAM", i, &p[i]);
		r[i] = (struct hut_core_region){p[i].va, p[i].gpa, p[i].len,
						p[i].flags & (PF_R | PF_W | PF_X)};
	}
	return hc->npieces;
}

/* The crashed thread, as the libos saw it at the exception. */
static void put_status(struct elf_prstatus *s, const struct hut_hc_proc_core *hc)
{
	hut_core_thread_status(s, &hc->regs);
	struct user_regs_struct *u = (struct user_regs_struct *)&s->pr_reg;
	u->orig_rax = (unsigned long)-1; /* not in a system call */
	u->cs = USER_CS;
	u->ss = USER_SS;
	if (hc->regs.tid == 0 || hc->regs.tid > INT32_MAX)
		s->pr_pid = (int)hc->pid; /* gdb's thread id: the thread's, else the process's */
	s->pr_info.si_signo = s->pr_cursig = (short)hc->sig;
}

/* The process's other threads: as many as the core holds, each a copy
 * whose values are only data for gdb. */
static size_t other_threads(struct hut_vm *vm, const struct hut_hc_proc_core *hc,
			    struct elf_prstatus *out)
{
	static struct hut_thread_regs t[HUT_THREADS_MAX];
	if (hc->nthreads > HUT_THREADS_MAX)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: process core: %u threads (at most %u)", hc->nthreads,
			 HUT_THREADS_MAX);
	const void *at = hut_guest_readable(vm, hc->threads, hc->nthreads * sizeof t[0]);
	if (!at)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: process core: threads at 0x%lx are outside guest memory",
			 hc->threads);
	memcpy(t, at, hc->nthreads * sizeof t[0]);
	for (uint32_t i = 0; i < hc->nthreads; i++)
		hut_core_thread_status(&out[i], &t[i]);
	return hc->nthreads;
}

static int64_t write_core(struct hut_vm *vm, const struct hut_core *c, uint32_t pid)
{
	const char *name = NULL;
	int fd = hut_core_process_file(pid, &name);
	if (fd < 0) {
		if (fd != -ENOENT)
			fprintf(stderr, "hut-monitor: %s: cannot create core file %s (%s)\n",
				vm->opt->image, name, strerror(-fd));
		return fd;
	}
	if (hut_core_write_layout(vm, fd, c) != 0) {
		fprintf(stderr, "hut-monitor: %s: could not write the core file %s\n",
			vm->opt->image, name);
		return -EIO;
	}
	return 0;
}

void hut_core_process(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	static struct hut_core c;
	struct hut_hc_proc_core hc;
	(void)gpa;
	memcpy(&hc, arg, sizeof hc); /* one reading of every field */
	if (hc.pid < 2 || hc.pid > INT32_MAX || hc.sig < 1 || hc.sig > 64)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: process core: pid %u, signal %u", hc.pid, hc.sig);
	memset(&c, 0, sizeof c);
	c.nregions = checked_pieces(vm, &hc, c.region);
	put_status(&c.status[0], &hc);
	c.nthreads = 1 + other_threads(vm, &hc, &c.status[1]);
	if (hc.left_out)
		snprintf(c.remark, sizeof c.remark,
			 "%u pages of the process's memory left out (past %u pieces)", hc.left_out,
			 HUT_CORE_PIECES_MAX);
	((struct hut_hc_proc_core *)arg)->result = write_core(vm, &c, hc.pid);
}
