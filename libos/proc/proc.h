/*
 * The execution layer: threads (thread.c, clone.c), the scheduler
 * (sched.c), the one way to block (wait.c), futexes, signals and the
 * process's end. Uses the memory and base layers only; layers above reach
 * back through hooks (hut_wait_set_device, hut_at_process_exit). The
 * syscalls are the *calls.c files here.
 */
#ifndef HUT_PROC_H
#define HUT_PROC_H

#include "cred.h"
#include "mem/mem.h"
#include "process.h"
#include "rlimit.h"
#include "thread.h"
#include "wait.h"

/* The most fds a process may hold: as Linux's default RLIMIT_NOFILE. */
#define HUT_FILES_MAX 1024

/* exit.c: the running process ends: pid 1's end is the appliance's (the
 * at-exit hooks run first, in the order they were registered; a hook
 * registered twice runs once), another becomes a zombie (a signal's
 * status may carry 0x80, WCOREDUMP: its core was written). */
_Noreturn void hut_exit_process(uint32_t kind, int status);
void hut_at_process_exit(hut_hook_fn hook); /* called with NULL */
void hut_exit_init(void);		    /* wires the ends (boot) */

/* core.c: with --core, the monitor writes the running process's core (its
 * exception's state s, killed by sig): 1 if it did. */
struct hut_fault_state;
int hut_process_core(const struct hut_fault_state *s, int sig);
/* The same for a signal whose default action dumps core, taken in a
 * syscall (or a tick): the registers are those the app entered with. */
int hut_process_core_in_syscall(int sig);

/* clone.c: threads only (threadcalls.c sends a clone that makes a process
 * to fork.c) */
long hut_thread_clone(unsigned long flags, uint64_t stack, int *parent_tid, int *child_tid,
		      uint64_t tls);
/* exit.c: the calling thread ends; the last one's exit ends the process. */
_Noreturn void hut_thread_end(int status);

/* timer.c: timers on the libos's clock (alarm, interval timers, timerfds).
 * A timer fires on a syscall's way out or in a wait once its deadline has
 * passed, with the number of periods that passed (>= 1). */
struct hut_timer {
	struct hut_timer *next;	   /* the armed list */
	uint64_t deadline;	   /* on its clock (since boot, or CPU time); 0: disarmed */
	uint64_t interval;	   /* ns between periodic expirations; 0: one-shot */
	int cpu;		   /* counts the process's CPU time (hut_cpu_time_ns) */
	struct hut_process *owner; /* whose CPU time (the one that armed it) */
	int interrupts;		   /* raises a signal: a spinning app is interrupted for it */
	void (*fire)(struct hut_timer *t, uint64_t expirations);
};
/* Arms t value_ns from now (0 disarms) and every interval_ns after. */
void hut_timer_arm(struct hut_timer *t, uint64_t value_ns, uint64_t interval_ns);
/* Arms t for an absolute deadline on its clock (past: due at once). */
void hut_timer_arm_at(struct hut_timer *t, uint64_t deadline_ns, uint64_t interval_ns);
void hut_timer_disarm(struct hut_timer *t);
uint64_t hut_timer_left(const struct hut_timer *t); /* ns to go; 0 if disarmed */
void hut_timers_run(void);			    /* fires what is due */
extern struct hut_timer *hut_timers;		    /* the armed ones (timer.c) */
static inline int hut_timers_armed(void)	    /* every syscall asks: inline */
{
	return hut_timers != 0;
}
uint64_t hut_timers_next(void); /* the earliest wall-clock deadline, or HUT_WAIT_FOREVER */
/* Tells the monitor when to interrupt the app (the signal box's deadline):
 * the timers that raise signals and the end of the time slice, those on
 * CPU time and the slice only if with_cpu (not before a sleep, where CPU
 * time stands still and no thread runs). */
void hut_timers_publish(int with_cpu);
/* Whether the way out must publish: a timer armed, threads to share the
 * vCPU, or a deadline published before. */
static inline int hut_ticks_wanted(void)
{
	return hut_timers || hut_threads_live > 1 || hut_signal_box_deadline_set();
}

/* itimercalls.c: p ends: its alarm and interval timers go. */
void hut_itimers_end(struct hut_process *p);

/* ptimer.c: POSIX timers (notify: SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID;
 * cpu: on CPU time; value_is_id: the signal's value is the timer's id). All
 * return 0 (or the id) or -errno. */
long hut_ptimer_create(int clock, int cpu, int notify, int signo, int tid, uint64_t value,
		       int value_is_id);
long hut_ptimer_delete(long id);
long hut_ptimer_get(long id, uint64_t *value_ns, uint64_t *interval_ns);
long hut_ptimer_set(long id, int absolute, uint64_t value_ns, uint64_t interval_ns);
long hut_ptimer_overrun(long id);
/* Deletes owner's POSIX timers (its exec, its end). */
void hut_ptimers_end(const struct hut_process *owner);

/* rlimit.c: a resource's limits as getrlimit gives them (resource checked). */
struct rlimit;
void hut_rlimit_of(long resource, struct rlimit *rl);
/* utscalls.c: the host and domain names uname gives; accountcalls.c: the
 * niceness (getpriority). For /proc. */
const char *hut_uts_hostname(void);
const char *hut_uts_domainname(void);
int hut_nice_value(void);
/* futex.c: futex(2) itself; and the CHILD_CLEARTID wake (up to n waiters). */
long hut_futex(const int *addr, int op, int val, long timeout_or_val2, const int *addr2,
	       uint32_t val3);
long hut_futex_wake(const int *addr, long n);

/* signal.c */
int hut_signal_due(void);	       /* a signal is pending and not blocked */
void hut_signal_raise(int sig);	       /* to the process: any thread not blocking it */
void hut_signal_raise_thread(int sig); /* to the running thread (SIGPIPE) */
void hut_signal_threads_changed(void); /* a thread ended: what all block may change */
/* ppoll, pselect6, epoll_pwait: the mask for the wait; returns the old one. */
uint64_t hut_signal_swap_mask(uint64_t mask);
/* At syscall return: if a handler is due, sets the frame up to enter it and
 * returns what %rax should hold; else returns result. */
long hut_signal_deliver(struct hut_syscall_frame *f, long result);
/* Where handlers return (sys/entry.S), instead of musl's restorer. */
void hut_signal_set_restorer(uint64_t restorer);
/* rt_sigreturn: restores the frame a handler was entered with. */
long hut_signal_return(struct hut_syscall_frame *f);
/* The syscalls' services (signalcalls.c checks the arguments first). */
void hut_signal_action(int sig, const void *act, void *oldact);
void hut_signal_procmask(int how, const uint64_t *set, uint64_t *old);
void hut_signal_suspend_mask(uint64_t mask);
uint64_t hut_signal_pending_set(void); /* the thread's and the process's */
/* For /proc: the signals with a handler, those set to SIG_IGN, and those
 * pending for the process (not a thread). */
void hut_signal_dispositions(uint64_t *caught, uint64_t *ignored, uint64_t *process_pending);
/* Runs hook (with NULL) whenever a signal becomes pending: signalfd's news. */
void hut_signal_on_pending(hut_hook_fn hook);
/* Where a signal came from, when not from a kill: a POSIX timer's. */
struct hut_siginfo {
	int code; /* 0: sent by a kill (SI_TKILL or SI_USER); SI_TIMER; CLD_* */
	int timerid, overrun;
	uint64_t value; /* sigev_value */
	int pid;	/* the sender (kill) or the child (SIGCHLD) */
	int status;	/* SIGCHLD: the exit status or the signal */
};
/* A signal for process p (kill from another process, a child's end). */
void hut_signal_send_to(struct hut_process *p, int sig, const struct hut_siginfo *si);
/* exec: handlers back to SIG_DFL (SIG_IGN kept). */
void hut_signal_exec_reset(void);
/* exit.c, for exec: the running thread alone in its process. */
void hut_process_single_thread(void);
/* p ignores sig (SIG_IGN); p's children leave no zombie (SIGCHLD ignored
 * or SA_NOCLDWAIT). */
int hut_signal_ignored(const struct hut_process *p, int sig);
int hut_signal_child_autoreap(const struct hut_process *parent);
/* fork: a child's signals (the dispositions, nothing pending); its end. */
struct hut_sigstate *hut_sigstate_fork(void);
void hut_sigstate_free(struct hut_sigstate *s);
/* exit.c's: what a signal's fatal default action calls. */
typedef void hut_fatal_fn(uint32_t kind, int status); /* never returns */
void hut_signal_on_fatal(hut_fatal_fn *end);
/* Raises sig with its origin, to process p (tid 0) or one of its threads; a
 * thread that is gone: -ESRCH. */
long hut_signal_raise_info(struct hut_process *p, int sig, long tid, const struct hut_siginfo *si);
/* The signals pending for p (tid 0) or for its thread tid and p. */
uint64_t hut_signal_pending_of(const struct hut_process *p, long tid);
/* rt_sigtimedwait: a signal of set, taken (its origin in *si), or 0. */
int hut_signal_take_from(uint64_t set, struct hut_siginfo *si);
long hut_signal_send_thread(long tid, long sig);
/* What a thread of a stopped process does on its way back to the app
 * (jobctl.c's hut_process_stay_stopped, wired at boot). */
void hut_signal_on_stopped(void (*wait_while_stopped)(void));
/* jobctl.c: the running thread's process is stopped: it waits until a
 * SIGCONT or a SIGKILL comes. */
void hut_process_stay_stopped(void);

#endif
