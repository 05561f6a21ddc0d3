/*
 * The libos's ways in: the boot entry (the monitor starts the vCPU here, at
 * CPL3), the syscall entry (MSR_LSTAR), the syscall dispatcher (called by
 * hut's musl instead of executing `syscall`) and the exception stubs (the
 * IDT, at CPL0). Kept tiny: on kvm-pvm CPL0 code is emulated.
 */
#include <hut/abi.h>

	.section .bss
	.balign 16
	.globl hut_kstack
hut_kstack:
	.zero 32768               /* HUT_KSTACK_SIZE (thread.h) */
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

/* %rdi = boot info. Time-stamp the very first instruction, take the libos
 * stack and go to C; hut_boot() never returns. */
	.section .text.hut_boot, "ax"
	.globl hut_boot_entry
	.type hut_boot_entry, @function
hut_boot_entry:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, hut_tsc_boot(%rip)
	lea hut_kstack_top(%rip), %rsp
	call hut_boot
	ud2
	.size hut_boot_entry, . - hut_boot_entry

/*
 * hut_syscall_dispatch: where hut's musl goes instead of executing `syscall`
 * in an appliance (musl/syscall_arch.h), with the instruction's registers:
 * %rax = number, args in %rdi %rsi %rdx %r10 %r8 %r9, and only %rax, %rcx,
 * %r11 changed on return. The caller has stepped %rsp over its red zone.
 * It does what the instruction does here, %rcx = return address and %r11 =
 * rflags, and joins the trapped path below: one frame, one table, one signal
 * delivery, one way back (at CPL3: popfq; jmp *%rcx). musl's sequence only
 * calls it in an appliance (hut_boot_info set, boot.c); should anything
 * call it in a Linux process, it is the real instruction there. Testing that
 * is a load and jrcxz, which read no flags and write none.
 */
	.globl hut_syscall_dispatch
	.type hut_syscall_dispatch, @function
hut_syscall_dispatch:
	mov hut_boot_info(%rip), %rcx
	jrcxz 1f
	pop %rcx
	pushfq
	pop %r11
	jmp hut_syscall_enter
1:	syscall
	ret
	.size hut_syscall_dispatch, . - hut_syscall_dispatch

/*
 * syscall: %rax = number, args in %rdi %rsi %rdx %r10 %r8 %r9, %rcx = return
 * address, %r11 = rflags. Real x86 enters at CPL0; kvm-pvm stays at CPL3.
 * Count the trap (the flags are already saved in %r11), switch stacks with
 * a plain mov (never touching the app's stack, so its red zone is safe),
 * save the frame, call C, and return the way the CPL allows. Linux
 * preserves every register but %rax, %rcx and %r11: so do we.
 */
	.globl hut_syscall_entry
	.type hut_syscall_entry, @function
hut_syscall_entry:
	incq hut_syscalls_trapped(%rip)
	mov %rsp, hut_user_rsp(%rip)
	mov hut_kstack_now(%rip), %rsp
	push $1                   /* how it came: the syscall instruction */
	jmp 2f
hut_syscall_enter:
	mov %rsp, hut_user_rsp(%rip)
	mov hut_kstack_now(%rip), %rsp
	push $0                   /* how it came: a call to hut_syscall_dispatch */
2:	cld
	push %r15                 /* struct hut_syscall_frame, top down: the */
	push %r14                 /* callee-saved registers too, so that a */
	push %r13                 /* clone's child starts with all of them and */
	push %r12                 /* a thread's registers are in one place */
	push %rbp
	push %rbx
	push %rcx
	push %r11
	push %r9
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi
	push %rax
	mov %rsp, %rdi
	call hut_syscall
	.globl hut_syscall_return
hut_syscall_return:           /* %rax = result, %rsp = the frame (thread.c) */
	add $8, %rsp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %r10
	pop %r8
	pop %r9
	pop %r11
	pop %rcx
	pop %rbx
	pop %rbp
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	movw %cs, (%rsp)          /* the `via` word is scratch now */
	testb $3, (%rsp)
	jnz 1f
	mov hut_user_rsp(%rip), %rsp
	sysretq
1:	push %r11                 /* CPL3: sysretq would #GP */
	popfq
	mov hut_user_rsp(%rip), %rsp
	jmp *%rcx
	.size hut_syscall_entry, . - hut_syscall_entry

/*
 * hut_context_switch(uint64_t *save_sp, uint64_t new_sp): the one thread
 * switch. Saves the callee-saved registers on this libos stack, stores %rsp
 * in *save_sp and continues the thread whose stack is new_sp, where it
 * called this (or at hut_thread_first_run, for a new thread). The caller
 * (thread.c) has moved hut_kstack_now, hut_user_rsp and the FS base.
 */
	.section .text
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

/*
 * Exception stubs, HUT_TRAP_STRIDE bytes apart, one per vector. Each makes a
 * uniform struct hut_trap_frame on the TSS stack and hands its address to
 * the monitor with one hypercall store. They never return.
 */
	.section .text.hut_trap, "ax"
	.macro trap_stub vector
	.balign HUT_TRAP_STRIDE
	.if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
	.else
	push $0                   /* no error code from the CPU: make one */
	.endif
	push $\vector
	jmp hut_trap_common
	.endm

	.balign HUT_TRAP_STRIDE
	.globl hut_trap_entry
	.type hut_trap_entry, @function
hut_trap_entry:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	trap_stub \v
	.endr
	.size hut_trap_entry, . - hut_trap_entry

hut_trap_common:
	push %rax
	movabs $(HUT_HYPERCALL_GPA + 8 * HUT_HC_ABORT), %rax
	mov %rsp, (%rax)
2:	hlt
	jmp 2b

	.section .note.GNU-stack, "", @progbits
