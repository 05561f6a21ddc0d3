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
