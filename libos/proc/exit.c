/*
 * Ends: a thread's (exit), a process's (exit_group, the last thread's exit,
 * a signal's fatal default action). pid 1's end is the appliance's, after
 * the hooks layers above registered (the network stack closes the sockets,
 * as Linux closes a dying process's fds); another process becomes a zombie
 * (proc/process.c) whose parent hears of it, and its threads go.
 */
#include "proc.h"

#include "arch/x86_64/fault.h"

#include <signal.h>
#include <stdbool.h>

static struct hut_hooks at_exit;

void hut_at_process_exit(hut_hook_fn hook)
{
	hut_hooks_add(&at_exit, hook);
}

/* p's threads but the running one end (switched out: freed at once). */
static void end_other_threads(struct hut_process *p)
{
	struct hut_thread *me = hut_thread_now;
	for (struct hut_thread *t = me->next, *next; t != me; t = next) {
		next = t->next;
		if (t->proc == p)
			hut_thread_unlink(t);
	}
}

/* The running process ends: its other threads first, then the running
 * one, which gives the vCPU to the next thread (of another process: pid 1
 * always has one while the appliance runs). */
static _Noreturn void end_threads(struct hut_process *p)
{
	struct hut_thread *me = hut_thread_now;
	end_other_threads(p);
	hut_thread_unlink(me);
	p->threads = 0;
	hut_sched_progress();
	hut_thread_switch_to(me->next);
	__builtin_unreachable();
}

/* exec: the running thread goes on alone in its process, the others end. */
void hut_process_single_thread(void)
{
	struct hut_process *p = hut_proc_now;
	end_other_threads(p);
	p->threads = 1;
	hut_thread_now->clear_child_tid = NULL;
	hut_process_vfork_release(); /* the point of no return of exec */
	hut_ptimers_end(p);	     /* as Linux's exec; alarm and itimers stay */
	hut_signal_threads_changed();
}

_Noreturn void hut_exit_process(uint32_t kind, int status)
{
	struct hut_process *p = hut_proc_now;
	if (p->pid != 1) {
		hut_process_zombie(kind == HUT_EXIT_SIGNAL ? (status & 0xff)
							   : (status & 0xff) << 8);
		end_threads(p);
	}
	hut_hooks_run(&at_exit, NULL);
	hut_exit(kind, status);
}

/* The calling thread ends (with the CHILD_CLEARTID wake pthread_join waits
 * for); the last one's exit ends the process. */
_Noreturn void hut_thread_end(int status)
{
	struct hut_thread *t = hut_thread_now;
	if (hut_proc_now->threads == 1)
		hut_exit_process(HUT_EXIT_STATUS, status & 0xff);
	hut_proc_now->threads--;
	if (t->clear_child_tid && hut_user_writable(t->clear_child_tid, sizeof(int))) {
		__atomic_store_n(t->clear_child_tid, 0, __ATOMIC_SEQ_CST);
		hut_futex_wake(t->clear_child_tid, 1);
	}
	hut_thread_unlink(t);
	hut_signal_threads_changed();
	hut_sched_progress();
	hut_thread_switch_to(t->next);
	__builtin_unreachable();
}

/* An exception in a process other than pid 1 (a page fault nobody takes,
 * an invalid opcode, a division by zero...) ends that process with the
 * signal Linux would send, said in one line; pid 1's is the appliance's
 * crash. With --core the process leaves its core (core.c), and its wait
 * status says so as Linux's does (WCOREDUMP, 0x80). */
static int fault_ends_process(void)
{
	return hut_proc_now->pid != 1;
}

static const struct {
	const char *what;
	int sig;
	const char *sig_name;
} exceptions[32] = {
	[0] = {"divide error", SIGFPE, "SIGFPE"},
	[1] = {"debug trap", SIGTRAP, "SIGTRAP"},
	[3] = {"breakpoint", SIGTRAP, "SIGTRAP"},
	[4] = {"overflow", SIGSEGV, "SIGSEGV"},
	[5] = {"bound range exceeded", SIGSEGV, "SIGSEGV"},
	[6] = {"invalid opcode", SIGILL, "SIGILL"},
	[7] = {"device not available", SIGFPE, "SIGFPE"},
	[11] = {"segment not present", SIGBUS, "SIGBUS"},
	[12] = {"stack-segment fault", SIGBUS, "SIGBUS"},
	[13] = {"general protection fault", SIGSEGV, "SIGSEGV"},
	[14] = {"page fault", SIGSEGV, "SIGSEGV"},
	[16] = {"x87 floating-point error", SIGFPE, "SIGFPE"},
	[17] = {"alignment check", SIGBUS, "SIGBUS"},
	[19] = {"SIMD floating-point error", SIGFPE, "SIGFPE"},
};

static void fault_end(const struct hut_fault_state *s)
{
	uint64_t v = s->vector < 32 && exceptions[s->vector].what ? s->vector : 13;
	char line[200], *p = line, *end = line + sizeof line - 1;
	p = hut_append(p, end, "hut: process ");
	p = hut_append_u64(p, end, (uint64_t)hut_proc_now->pid);
	p = hut_append(p, end, " killed by ");
	p = hut_append(p, end, exceptions[v].sig_name);
	p = hut_append(p, end, ": ");
	p = hut_append(p, end, exceptions[v].what);
	if (v == 14) {
		p = hut_append(p, end, " at 0x");
		p = hut_append_hex(p, end, s->addr);
	}
	p = hut_append(p, end, ", rip 0x");
	p = hut_append_hex(p, end, s->rip);
	int cored = hut_process_core(s, exceptions[v].sig);
	p = hut_append(p, end, cored ? " (core dumped)\n" : "\n");
	*p = 0;
	hut_console_print(2, line);
	hut_exit_process(HUT_EXIT_SIGNAL, exceptions[v].sig | (cored ? 0x80 : 0));
}

/* Signals whose default action also dumps core (signal(7)'s "Core"). */
static bool dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGSYS:
	case SIGXCPU:
	case SIGXFSZ:
		return true;
	default:
		return false;
	}
}

/* A signal's default action ends the process: abort(), kill -QUIT, a
 * raise(SIGSEGV) leave a core with --core, as exceptions do (pid 1's end
 * is the appliance's, with the monitor's own report). */
_Noreturn static void signal_ends_process(uint32_t kind, int status)
{
	if (kind == HUT_EXIT_SIGNAL && dumps_core(status) && hut_process_core_in_syscall(status))
		status |= 0x80;
	hut_exit_process(kind, status);
}

void hut_exit_init(void)
{
	hut_signal_on_fatal(signal_ends_process);
	hut_signal_on_stopped(hut_process_stay_stopped);
	hut_fault_on_fatal(fault_ends_process, fault_end);
	hut_cred_per_process();
	hut_cputime_per_process();
	hut_rlimit_per_process();
	hut_process_init();
}
