/*
 * The way back to the app (x86-64), as an assembler macro: %rsp at a
 * struct hut_syscall_frame, %rax the result. Restores the app's registers
 * and returns the way the CPL allows. sys/entry.S expands it right after
 * hut_syscall() (no jump on the hot path: every syscall passes there);
 * cpu.S's hut_syscall_return expands it for a new thread's first run.
 */
#ifndef HUT_ARCH_RETURN_H
#define HUT_ARCH_RETURN_H

.macro HUT_RETURN_TO_USER
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
.endm

#endif
