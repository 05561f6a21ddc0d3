/*
 * What the libos keeps of the CPU (x86-64), below every other layer: the
 * first thread's libos stack, the app's %rsp at a syscall, the way back to
 * the app from a syscall frame (hut_syscall_return), the thread switch and a
 * new thread's first return. sys/entry.S comes in; this goes out.
 */
#include <hut/abi.h>
#include "return.h"

	.section .bss
	.balign 16
	.globl hut_kstack
hut_kstack:
	.zero 32768               /* HUT_KSTACK_SIZE (cpu.h) */
	.globl hut_kstack_top
hut_kstack_top:
	.balign 8
	.globl hut_user_rsp
hut_user_rsp:
	.zero 8
	.globl hut_syscalls_trapped
hut_syscalls_trapped:             /* syscalls that came through MSR_LSTAR */
	.zero 8
	.globl hut_app_running
hut_app_running:                  /* nonzero while the app's own code runs */
	.zero 8
	.globl hut_resume_rip
hut_resume_rip:                   /* where hut_return_full goes */
	.zero 8

/* The running thread's libos stack (thread.c moves it at each switch); the
 * first thread's is hut_kstack. */
	.section .data
	.balign 8
	.globl hut_kstack_now
hut_kstack_now:
	.quad hut_kstack_top

/*
 * hut_syscall_return: %rax = the result, %rsp = a struct hut_syscall_frame
 * (sys/entry.S after hut_syscall(); a new thread's first run). Restores the
 * app's registers and returns the way the CPL allows.
 */
	.section .text
	.globl hut_syscall_return
	.type hut_syscall_return, @function
hut_syscall_return:           /* %rax = result, %rsp = the frame */
	HUT_RETURN_TO_USER
	.size hut_syscall_return, . - hut_syscall_return

/*
 * hut_return_full: %rax = the app's %rax, %rsp = a frame whose via is
 * HUT_VIA_TICK. Gives every register back, the flags too, and jumps to
 * the frame's rip without touching the app's stack (its red zone). At CPL3
 * (kvm-pvm) no register is left to jump through, so the target goes
 * through memory (hut_resume_rip). At CPL0 (hardware, entered by the
 * syscall instruction) it first drops to CPL3 on this stack with iretq and
 * goes on from there the same way: a jump would stay at CPL0, and only at
 * CPL3 may the app be said to run (hut_app_running: a tick may come).
 */
	.globl hut_return_full
	.type hut_return_full, @function
hut_return_full:
	mov %rax, (%rsp)
	mov 64(%rsp), %rax
	mov %rax, hut_resume_rip(%rip)
	mov %cs, %eax
	test $3, %al
	jz 2f
1:	call restore_registers
	pushq 56(%rsp)            /* rflags */
	popfq
	mov hut_user_rsp(%rip), %rsp
	jmp hut_resume_cpl3
2:	mov %rsp, %rax
	push $0x1b                /* the app's stack and code selectors (GDT) */
	push %rax
	push $2
	push $0x23
	lea 1b(%rip), %rax
	push %rax
	iretq
	.size hut_return_full, . - hut_return_full

/*
 * The last two instructions of every way back to the app at CPL3 but the
 * plain syscall return: %rsp and every register are the app's, its rip is
 * in hut_resume_rip. From the store on, a tick may take the app; one that
 * lands on the jump resumes at hut_resume_rip instead (sys/tick.c).
 */
	.globl hut_resume_cpl3
	.type hut_resume_cpl3, @function
hut_resume_cpl3:
	movq $1, hut_app_running(%rip)
	.globl hut_resume_jmp
hut_resume_jmp:
	jmp *hut_resume_rip(%rip)
	.size hut_resume_cpl3, . - hut_resume_cpl3

/* Loads every register but %rsp from the frame at 8(%rsp) (its caller's
 * %rsp), through %rsp-relative loads only; flags untouched. */
restore_registers:
	mov 8+8(%rsp), %rdi
	mov 8+16(%rsp), %rsi
	mov 8+24(%rsp), %rdx
	mov 8+32(%rsp), %r10
	mov 8+40(%rsp), %r8
	mov 8+48(%rsp), %r9
	mov 8+72(%rsp), %rbx
	mov 8+80(%rsp), %rbp
	mov 8+88(%rsp), %r12
	mov 8+96(%rsp), %r13
	mov 8+104(%rsp), %r14
	mov 8+112(%rsp), %r15
	mov 8+128(%rsp), %rcx
	mov 8+136(%rsp), %r11
	mov 8+0(%rsp), %rax
	ret

/*
 * hut_context_switch(uint64_t *save_sp, uint64_t new_sp): the one thread
 * switch. Saves the callee-saved registers on this libos stack, stores %rsp
 * in *save_sp and continues the thread whose stack is new_sp, where it
 * called this (or at hut_thread_first_run, for a new thread). The caller
 * (thread.c) has moved hut_kstack_now, hut_user_rsp and the FS base.
 */
	.globl hut_context_switch
	.type hut_context_switch, @function
hut_context_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size hut_context_switch, . - hut_context_switch

/* A clone's child: its stack holds a copy of the parent's syscall frame,
 * and it returns from clone with 0. */
	.globl hut_thread_first_run
	.type hut_thread_first_run, @function
hut_thread_first_run:
	xor %eax, %eax
	jmp hut_syscall_return
	.size hut_thread_first_run, . - hut_thread_first_run

	.section .note.GNU-stack, "", @progbits
