/*
 * The page-fault upcall (fault.h): traps.S's #PF gate irets here at CPL3
 * on hut_fault_stack with every register as it was at the fault. Saves
 * them, asks hut_fault_dispatch (fault.c), then either goes back to the
 * faulting instruction with its registers, flags and stack exactly as they
 * were (popfq then a jump through memory: nothing is written below the
 * app's %rsp, whose red zone may be in use), or ends the process on its
 * thread's libos stack (a process other than pid 1), or reports the crash
 * with the same registers.
 */
#include <hut/abi.h>
#include "fault.h"

/* What the upcall pushed, but %rax, back into the registers. */
	.macro PUSH_ALL_BUT_RAX
	push %rcx
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	.endm

	.macro POP_ALL_BUT_RAX
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rcx
	.endm

	.section .bss
	.balign 16
	.globl hut_fault_stack
hut_fault_stack:
	.zero 16384
	.globl hut_fault_stack_top
hut_fault_stack_top:

	.text
	.globl hut_fault_upcall
	.type hut_fault_upcall, @function
hut_fault_upcall:
	push %rax                 /* saved[14]: fault.c reads it for a crash */
	PUSH_ALL_BUT_RAX
	cld
	mov %rsp, %rdi
	sub $8, %rsp              /* 15 pushes: align for the call */
	call hut_fault_dispatch
	add $8, %rsp
	mov %eax, %ecx            /* 0: taken */
	jrcxz 1f
	cmp $2, %eax              /* 2: the process ends */
	je 2f
	POP_ALL_BUT_RAX  /* not taken: the crash, registers as they were */
	add $8, %rsp              /* %rax is in hut_fault_frame */
	lea hut_fault_frame(%rip), %rax  /* on the upcall's own stack */
	push %rax
	movabs $(HUT_HYPERCALL_GPA + 8 * HUT_HC_ABORT), %rax
	popq (%rax)
	ud2
2:	mov %rsp, %rdi            /* the saved registers, for the process's core */
	mov hut_kstack_now(%rip), %rsp
	movq $0, hut_fault_state+HUT_FAULT_BUSY(%rip)
	call hut_fault_end
	ud2
1:	POP_ALL_BUT_RAX
	pop %rax
	pushq hut_fault_state+HUT_FAULT_RFLAGS(%rip)
	popfq
	mov hut_fault_state+HUT_FAULT_RSP(%rip), %rsp
	movq $0, hut_fault_state+HUT_FAULT_BUSY(%rip)
	jmp *hut_fault_state+HUT_FAULT_RIP(%rip)
	.size hut_fault_upcall, . - hut_fault_upcall

/* traps.S's hut_trap_gate irets here, on the thread's libos stack, for an
 * exception that ends the running process (hut_fault_state says which),
 * with the app's registers as they were. */
	.globl hut_trap_upcall
	.type hut_trap_upcall, @function
hut_trap_upcall:
	and $-16, %rsp
	push %rax                 /* every register as at the exception, */
	PUSH_ALL_BUT_RAX          /* in the page-fault upcall's order */
	mov %rsp, %rdi
	sub $8, %rsp              /* 15 pushes: align for the call */
	call hut_fault_end
	ud2
	.size hut_trap_upcall, . - hut_trap_upcall

	.section .note.GNU-stack, "", @progbits
