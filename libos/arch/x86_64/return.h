/*
 * The way back to the app (x86-64), as an assembler macro: %rsp at a
 * struct hut_syscall_frame, %rax the result. Restores the app's registers
 * and returns the way the CPL allows. sys/entry.S expands it right after
 * hut_syscall() and hut_tick() (no jump on the hot path: every syscall
 * passes there); cpu.S's hut_syscall_return expands it for a new thread's
 * first run. A frame a tick made (or rt_sigreturn restored) goes back
 * through hut_return_full (cpu.S), which gives %rcx and %r11 back too.
 */
#ifndef HUT_ARCH_RETURN_H
#define HUT_ARCH_RETURN_H

/* struct hut_syscall_frame's via (cpu.h) */
#define HUT_VIA_DISPATCH 0 /* a call to hut_syscall_dispatch */
#define HUT_VIA_SYSCALL 1  /* the syscall instruction */
#define HUT_VIA_TICK 2	   /* a tick took the app anywhere: every register comes back */
#define HUT_FRAME_VIA 120  /* its offset */

/* How many bytes before the return address a syscall starts again (an
 * SA_RESTART handler's return, proc/signal.c): musl's sequence loads the
 * dispatcher's address and calls through %r11 (musl/syscall_arch.h:
 * `movabs $hut_syscall_dispatch, %r11`, 10 bytes, `call *%r11`, 3), both
 * again, since the dispatcher leaves the flags in %r11; the `syscall`
 * instruction is 2. */
#define HUT_RESTART_DISPATCH_LEN 13
#define HUT_RESTART_SYSCALL_LEN 2

#ifdef __ASSEMBLER__
.macro HUT_RETURN_TO_USER
	cmpq $HUT_VIA_TICK, HUT_FRAME_VIA(%rsp)
	je hut_return_full
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
	mov %rcx, hut_resume_rip(%rip) /* CPL0: sysretq to CPL3 code that says */
	lea hut_resume_cpl3(%rip), %rcx /* the app runs, then jumps there (the */
	mov hut_user_rsp(%rip), %rsp    /* syscall instruction leaves %rcx to us) */
	sysretq
1:	push %r11                 /* CPL3: sysretq would #GP */
	popfq
	mov hut_user_rsp(%rip), %rsp
	movq $1, hut_app_running(%rip) /* a tick from here on finds the app's registers */
	jmp *%rcx
.endm
#endif

#endif
