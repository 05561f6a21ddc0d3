/*
 * The libos's ways in (x86-64): the boot entry (the monitor starts the vCPU
 * here, at CPL3), the syscall entry (MSR_LSTAR), the syscall dispatcher
 * (called by hut's musl instead of executing `syscall`), the tick entry
 * (the monitor sends a spinning app there) and the signal restorer (where a
 * handler returns). They are the top of the libos: they call hut_boot(),
 * hut_syscall() and hut_tick() (sys/boot.c, sys/syscall.c, sys/tick.c). The way back to the app, the thread switch and the stacks
 * are arch/x86_64/cpu.S, below everything. Kept tiny: on kvm-pvm CPL0 code
 * is emulated.
 */
#include <hut/abi.h>
#include "arch/x86_64/return.h"

/* %rdi = boot info. Past the warm-up stub's tag and code (the first
 * instruction jumps over them), time-stamp the very first instruction, take the libos
 * stack and go to C; hut_boot() never returns. It gets the ways in that it
 * hands out (the tick entry, the signal restorer, below) as arguments:
 * boot.c naming them would make it and this file call each other. */
	.section .text.hut_boot, "ax"
	.globl hut_boot_entry
	.type hut_boot_entry, @function
hut_boot_entry:
	jmp 1f
	.ascii HUT_WARM_TAG
	.skip HUT_WARM_OFFSET - (. - hut_boot_entry), 0xcc
/* The warm-up stub (abi.h, HUT_WARM_TAG): never part of a boot. */
2:	cmp %rsi, %rdi
	jae 3f
	movb (%rdi), %al
	add $HUT_PAGE_SIZE, %rdi
	jmp 2b
3:	movabs $(HUT_HYPERCALL_GPA + 8 * HUT_WARM_DONE_SLOT), %rax
	mov %rdi, (%rax)
	ud2
1:	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, hut_tsc_boot(%rip)
	lea hut_kstack_top(%rip), %rsp
	lea hut_tick_entry(%rip), %rsi
	lea hut_signal_restorer(%rip), %rdx
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
 * is a load and jrcxz, which read no flags and write none. It opens the
 * libos's code (hut.ld): at HUT_LIBOS_DISPATCH_VA in every image, so that
 * another image exec'd in the appliance reaches this libos (abi.h).
 */
	.section .text.hut_dispatch, "ax"
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
	movq $0, hut_app_running(%rip) /* no tick may enter from here on */
	incq hut_syscalls_trapped(%rip)
	mov %rsp, hut_user_rsp(%rip)
	mov hut_kstack_now(%rip), %rsp
	push %r11
	push %rcx
	push $HUT_VIA_SYSCALL
	jmp 2f
hut_syscall_enter:
	movq $0, hut_app_running(%rip)
	mov %rsp, hut_user_rsp(%rip)
	mov hut_kstack_now(%rip), %rsp
	push %r11
	push %rcx
	push $HUT_VIA_DISPATCH
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
	HUT_RETURN_TO_USER
	.size hut_syscall_entry, . - hut_syscall_entry

/*
 * hut_tick_entry: where the monitor sends the vCPU when a timer is due and
 * the app's own code was running (monitor/modules/ticks.c). Every register
 * is the app's, its rip is in the signal box, and it has cleared
 * hut_app_running. The same frame as a syscall's, with %rcx and %r11 too;
 * hut_tick() fills in rip, and the way back gives every register back.
 */
	.globl hut_tick_entry
	.type hut_tick_entry, @function
hut_tick_entry:
	mov %rsp, hut_user_rsp(%rip)
	mov hut_kstack_now(%rip), %rsp
	push %r11
	push %rcx
	push $HUT_VIA_TICK
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbp
	push %rbx
	push $0                   /* rip: hut_tick() takes it from the box */
	pushfq                    /* the app's flags: the monitor left them */
	cld
	push %r9
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi
	push %rax
	mov %rsp, %rdi
	call hut_tick
	HUT_RETURN_TO_USER
	.size hut_tick_entry, . - hut_tick_entry

/*
 * hut_signal_restorer: a handler's return address (proc/signal.c puts it in
 * the signal frame instead of musl's __restore_rt): rt_sigreturn as a call
 * to the dispatcher, where musl's restorer executes `syscall`, a trap on
 * kvm-pvm (~40 us). The call's return address lands below %rsp, where
 * nothing lives once the handler has returned; the dispatcher pops it, so
 * the libos finds %rsp at the signal frame's context, as after `syscall`.
 */
	.globl hut_signal_restorer
	.type hut_signal_restorer, @function
hut_signal_restorer:
	mov $15, %eax             /* SYS_rt_sigreturn */
	call hut_syscall_dispatch
	ud2
	.size hut_signal_restorer, . - hut_signal_restorer

	.section .note.GNU-stack, "", @progbits
