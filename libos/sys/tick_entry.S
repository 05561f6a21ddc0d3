/*
 * The libos's way in for a tick (x86-64): where the monitor sends the vCPU
 * when a timer is due and the app's own code was running
 * (monitor/modules/ticks.c). Its own file, apart from entry.S: boot.c names
 * it (to tell the monitor), and entry.S calls into boot.c.
 */
#include <hut/abi.h>
#include "arch/x86_64/return.h"

	.section .text
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

	.section .note.GNU-stack, "", @progbits
