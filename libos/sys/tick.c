/*
 * A tick: the monitor found a timer due while the app's own code ran (it
 * spins without syscalls) and sent the vCPU to hut_tick_entry (entry.S),
 * which saved every register in a syscall frame (via HUT_VIA_TICK). Here
 * the timers fire and a handler is entered as on a syscall's way out; the
 * way back gives every register back (arch/x86_64/cpu.S, hut_return_full).
 * The FPU, SSE and flags are the app's throughout: the libos's C code
 * touches none of them, and a handler's frame saves them as for a syscall.
 * docs/ARCHITECTURE.md, "Ticks", says why it works this way.
 */
#include "proc/proc.h"

/* The slice is over: another thread may run. The app was interrupted
 * anywhere, so its FPU and SSE registers are live (at a syscall they are
 * not: the calling convention leaves them to the caller); they stay here
 * while other threads run. */
static void give_others_a_turn(void)
{
	uint8_t fpu[512] __attribute__((aligned(16)));
	__asm__ volatile("fxsave64 %0" : "=m"(fpu));
	hut_sched_preempt_point();
	__asm__ volatile("fxrstor64 %0" : : "m"(fpu));
}

long hut_tick(struct hut_syscall_frame *f);
long hut_tick(struct hut_syscall_frame *f)
{
	f->rip = hut_signal_box_tick_rip();
	if (f->rip == (uint64_t)hut_resume_jmp) /* it was leaving a tick: go on */
		f->rip = hut_resume_rip;
	hut_thread_now->frame = f;
	if (hut_timers_armed())
		hut_timers_run();
	if (hut_threads_live > 1)
		give_others_a_turn();
	hut_timers_publish(1);
	return hut_signal_deliver(f, (long)f->nr);
}
