/*
 * The exception stubs (the IDT, at CPL0): each hands the monitor a uniform
 * frame and never returns, but for two: an int3 at hut_cr3_load (mmu.S)
 * loads CR3 and returns (hut_bp_gate), a page fault at CPL3, when the
 * libos takes them, goes on at CPL3 in fault_upcall.S (hut_pf_gate), and
 * an exception in a process other than pid 1 ends that process
 * (hut_trap_gate). Kept tiny:
 * on kvm-pvm CPL0 code is emulated.
 */
#include <hut/abi.h>
#include "fault.h"

	.section .text.hut_trap, "ax"
	.macro trap_stub vector
	.balign HUT_TRAP_STRIDE
	.if \vector == 3
	jmp hut_bp_gate
	.exitm
	.endif
	.if \vector == 14
	jmp hut_pf_gate
	.exitm
	.endif
	.if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
	.else
	push $0                   /* no error code from the CPU: make one */
	.endif
	push $\vector
	.if (\vector == 2) || (\vector == 8) || (\vector == 18)
	jmp hut_trap_common       /* NMI, double fault, machine check: never the app's */
	.else
	jmp hut_trap_gate
	.endif
	.endm

	.balign HUT_TRAP_STRIDE
	.globl hut_trap_entry
	.type hut_trap_entry, @function
hut_trap_entry:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	trap_stub \v
	.endr
	.size hut_trap_entry, . - hut_trap_entry

/*
 * #BP: the libos's own int3 (the stacked rip is hut_cr3_resume) switches
 * address spaces, the new CR3 in %rax; any other is the app's breakpoint,
 * reported as a crash. Two instructions more for a breakpoint; the way in
 * that int n would give is #UD on kvm-pvm (docs/ARCHITECTURE.md).
 */
hut_bp_gate:
	push %rcx                     /* %rip-relative: the libos is at 64 GiB */
	lea hut_cr3_resume(%rip), %rcx
	cmp %rcx, 8(%rsp)
	pop %rcx
	jne 1f
	mov %rax, %cr3
	iretq
1:	push $0
	push $3
	jmp hut_trap_gate

/*
 * #PF: when the libos takes page faults (hut_fault_wanted) and this one
 * came from CPL3 outside the fault handler itself, the iret goes to
 * hut_fault_upcall (fault_upcall.S) on the fault stack, with what the handler
 * needs in hut_fault_state; anything else is a crash, as before.
 */
hut_pf_gate:
	testb $4, (%rsp)              /* the error code's U bit */
	jz 1f
	cmpb $0, hut_fault_wanted(%rip)
	je 1f
	cmpq $0, hut_fault_state+HUT_FAULT_BUSY(%rip)
	jne 1f
	push %rax
	mov %cr2, %rax
	mov %rax, hut_fault_state+HUT_FAULT_ADDR(%rip)
	mov 8(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_ERROR(%rip)
	mov 16(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_RIP(%rip)
	mov 32(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_RFLAGS(%rip)
	mov 40(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_RSP(%rip)
	movq $1, hut_fault_state+HUT_FAULT_BUSY(%rip)
	/* The upcall is the libos's: no tick may enter it (monitor/modules/
	 * ticks.c). The app's next syscall says again when it runs. */
	movq $0, hut_app_running(%rip)
	lea hut_fault_upcall(%rip), %rax
	mov %rax, 16(%rsp)
	lea hut_fault_stack_top(%rip), %rax
	mov %rax, 40(%rsp)
	pop %rax
	add $8, %rsp                  /* the error code */
	iretq
1:	push $14
	jmp hut_trap_gate

/*
 * Any other exception: from CPL3 while a process other than pid 1 runs
 * (hut_trap_ends_process), the iret goes to hut_trap_upcall
 * (fault_upcall.S) on the thread's libos stack, which ends that process
 * with the exception's signal; anything else is the crash report.
 * %rsp: vector, error code, then the CPU's frame.
 */
hut_trap_gate:
	testb $3, 24(%rsp)            /* the stacked CS's RPL */
	jz hut_trap_common
	cmpb $0, hut_trap_ends_process(%rip)
	je hut_trap_common
	push %rax
	mov 8(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_VECTOR(%rip)
	mov 16(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_ERROR(%rip)
	mov 24(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_RIP(%rip)
	mov 40(%rsp), %rax            /* the app's rflags and %rsp: its core's */
	mov %rax, hut_fault_state+HUT_FAULT_RFLAGS(%rip)
	mov 48(%rsp), %rax
	mov %rax, hut_fault_state+HUT_FAULT_RSP(%rip)
	lea hut_trap_upcall(%rip), %rax
	mov %rax, 24(%rsp)
	movq $0, hut_app_running(%rip)
	mov hut_kstack_now(%rip), %rax
	mov %rax, 48(%rsp)
	pop %rax
	add $16, %rsp                 /* the vector and the error code */
	iretq

hut_trap_common:
	push %rax
	movabs $(HUT_HYPERCALL_GPA + 8 * HUT_HC_ABORT), %rax
	mov %rsp, (%rax)
2:	hlt
	jmp 2b

	.section .note.GNU-stack, "", @progbits
