/*
 * The CPU as the libos sees it (x86-64), below every other layer: the frame a
 * syscall saves (sys/entry.S), the stacks and the switch (cpu.S), the
 * hypercall doorbell and the time-stamp counter.
 */
#ifndef HUT_ARCH_CPU_H
#define HUT_ARCH_CPU_H

#include "return.h"

#include <hut/abi.h>
#include <stdint.h>

#define HUT_KSTACK_SIZE 32768 /* cpu.S's hut_kstack is the first thread's */

/* What hut_syscall_entry (and hut_tick_entry) saves, lowest address first,
 * at the top of the thread's libos stack: with hut_user_rsp, all of the
 * app's registers. A syscall has replaced %rcx and %r11 by rip and rflags;
 * a tick has not, and returns through hut_return_full, which gives every
 * register back (so does rt_sigreturn, which sets via to HUT_VIA_TICK). */
struct hut_syscall_frame {
	uint64_t nr;			 /* %rax */
	uint64_t a0, a1, a2, a3, a4, a5; /* rdi rsi rdx r10 r8 r9 */
	uint64_t rflags, rip;
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t via; /* HUT_VIA_*: how the app came in, so how it goes back */
	uint64_t rcx, r11;
};
_Static_assert(__builtin_offsetof(struct hut_syscall_frame, via) == HUT_FRAME_VIA,
	       "return.h's offset of via");

/* cpu.S */
extern uint64_t hut_user_rsp;	      /* the app's %rsp at the syscall */
extern uint64_t hut_kstack_now;	      /* the running thread's libos stack top */
extern uint64_t hut_syscalls_trapped; /* syscalls that came through MSR_LSTAR */
/* Saves the callee-saved registers and %rsp in *save_sp, continues new_sp. */
void hut_context_switch(uint64_t *save_sp, uint64_t new_sp);
/* A new thread's first "return" from hut_context_switch: leaves clone with 0. */
void hut_thread_first_run(void);
/* Nonzero while the app's own code runs (set by the way back, cleared by
 * every way in): the only time the monitor may send a tick in. */
extern uint64_t hut_app_running;
/* hut_return_full's last instruction jumps to hut_resume_rip: a tick that
 * lands on it resumes at hut_resume_rip instead. */
extern uint64_t hut_resume_rip;
extern const char hut_resume_jmp[];

/* mmu.S: runs on the page tables at cr3 from now on, flushing the TLB (one
 * trap to CPL0). */
void hut_cr3_load(uint64_t cr3);

/* The doorbell: store the argument struct's address to the hypercall's slot.
 * The "memory" clobbers order the struct's stores before, and the monitor's
 * results after. */
static inline void hut_hypercall(unsigned nr, void *arg)
{
	volatile uint64_t *slot = (volatile uint64_t *)(HUT_HYPERCALL_GPA + 8 * nr);
	__asm__ volatile("movq %1, %0" : "=m"(*slot) : "r"((uint64_t)arg) : "memory");
}

static inline uint64_t hut_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* CPUID leaf, subleaf: r[0..3] = eax, ebx, ecx, edx. Under KVM each one
 * exits to the host's CPUID table: for /proc/cpuinfo, not hot paths. */
static inline void hut_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

#endif
