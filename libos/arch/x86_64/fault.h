/*
 * Page faults the libos takes at CPL3 (copy-on-write, memory made on first
 * touch): traps.S's #PF gate stores what the CPU told it in
 * hut_fault_state and irets to fault_upcall.S's upcall on a stack of its own, which
 * asks the handler the memory layer installed. A fault it does not take,
 * or any fault while that is off, is a crash report as before.
 */
#ifndef HUT_ARCH_FAULT_H
#define HUT_ARCH_FAULT_H

/* Offsets in struct hut_fault_state, for traps.S and fault_upcall.S. */
#define HUT_FAULT_ADDR 0
#define HUT_FAULT_ERROR 8
#define HUT_FAULT_RIP 16
#define HUT_FAULT_RFLAGS 24
#define HUT_FAULT_RSP 32
#define HUT_FAULT_BUSY 40
#define HUT_FAULT_VECTOR 48

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Where each register lies in hut_fault_state.gpr: fault_upcall.S pushes
 * %rax first and %r15 last, so the lowest address holds %r15. */
enum {
	HUT_GPR_R15,
	HUT_GPR_R14,
	HUT_GPR_R13,
	HUT_GPR_R12,
	HUT_GPR_R11,
	HUT_GPR_R10,
	HUT_GPR_R9,
	HUT_GPR_R8,
	HUT_GPR_RDI,
	HUT_GPR_RSI,
	HUT_GPR_RBP,
	HUT_GPR_RBX,
	HUT_GPR_RDX,
	HUT_GPR_RCX,
	HUT_GPR_RAX,
};

/* The page-fault error code's bits (SDM vol. 3, 4.7). */
#define HUT_PF_PRESENT 1ull /* a protection violation, not a missing page */
#define HUT_PF_WRITE 2ull
#define HUT_PF_USER 4ull
#define HUT_PF_FETCH 16ull

struct hut_fault_state {
	uint64_t addr;	 /* CR2 */
	uint64_t error;	 /* the error code */
	uint64_t rip;	 /* where it happened, and where it goes on */
	uint64_t rflags; /* as they were */
	uint64_t rsp;	 /* as it was */
	uint64_t busy;	 /* 1 from the gate until the handler is done */
	uint64_t vector; /* the exception (14 for a page fault) */
	/* The end hook's copy only: the registers at the exception, as
	 * fault_upcall.S pushed them (HUT_GPR_*), for a process's core. */
	uint64_t gpr[15];
};
_Static_assert(__builtin_offsetof(struct hut_fault_state, vector) == HUT_FAULT_VECTOR, "traps.S");

/* traps.S ends the running process on an exception at CPL3 while this is
 * set (a process other than pid 1 runs: proc/process.c keeps it). */
extern unsigned char hut_trap_ends_process;
_Static_assert(__builtin_offsetof(struct hut_fault_state, busy) == HUT_FAULT_BUSY,
	       "fault_upcall.S");

extern struct hut_fault_state hut_fault_state;

/* Returns 0 when it made the faulting access possible (the instruction is
 * run again), nonzero for a crash. Runs on the fault stack, at CPL3, with
 * no other fault possible: it must not wait or switch threads. */
typedef int (*hut_fault_fn)(uint64_t addr, uint64_t error, uint64_t rip);

/* Takes CPL3 page faults to fn from now on; NULL gives them back to the
 * crash report. */
void hut_fault_take(hut_fault_fn fn);

/* A fault the handler declines ends only the running process when wants()
 * says so, as any other exception does while hut_trap_ends_process is set:
 * end() runs on the thread's libos stack and never returns (s->vector says
 * which exception; rip, rsp, rflags and gpr are the app's at it). Else it
 * is a crash report as before. */
void hut_fault_on_fatal(int (*wants)(void), void (*end)(const struct hut_fault_state *s));
#endif

#endif
