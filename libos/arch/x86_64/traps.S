/*
 * The exception stubs (the IDT, at CPL0): each hands the monitor a uniform
 * frame and never returns. Kept tiny: on kvm-pvm CPL0 code is emulated.
 */
#include <hut/abi.h>

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
