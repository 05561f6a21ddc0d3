/*
 * Threads of the one process, all on the one vCPU. Each has its own libos
 * stack (its syscall frame lives at the top of it), its own app %rsp while
 * it is switched out, its FS base (TLS), signal mask and pending signals.
 * thread.c keeps the ring and switches; clone.c makes and ends them;
 * sched.c decides who runs next.
 */
#ifndef HUT_LIBOS_THREAD_H
#define HUT_LIBOS_THREAD_H

#include "mem/mem.h"

/* How long a thread holds the vCPU when another could run (sched.c). */
#define HUT_SLICE_MS 4
#define HUT_SLICE_NS (HUT_SLICE_MS * 1000000ull)

struct hut_process;

struct hut_thread {
	struct hut_thread *next; /* the ring of live threads, in run order */
	struct hut_process *proc;
	int tid;
	int exited;
	int slot;	     /* in the table for --core (thread.c), or -1 */
	uint64_t ksp;	     /* its libos %rsp while switched out */
	uint64_t kstack_top; /* hut_kstack_now while it runs */
	void *kstack;	     /* pages of its libos stack; NULL for the first thread */
	uint64_t user_rsp;   /* hut_user_rsp while switched out */
	uint64_t fs_base;
	struct hut_syscall_frame *frame; /* of the syscall it is in */
	uint64_t sig_blocked, sig_pending;
	/* rt_sigsuspend's caller's mask, to come back when the call returns
	 * (signal.c: saved in the frame of a handler entered on that return). */
	uint64_t sig_restore;
	int sig_has_restore;
	int *clear_child_tid; /* set_tid_address, CLONE_CHILD_CLEARTID */
	char name[16];	      /* prctl(PR_SET_NAME): the thread's comm, NUL-terminated */
	/* sched.c */
	int waiting;		/* inside hut_wait, its wait not over */
	int timed_sleep;	/* ... for time alone (nanosleep): no input it waits for */
	uint64_t wait_deadline; /* ns since boot */
	uint64_t slice_start;	/* TSC when it last got the vCPU */
	uint64_t looked;	/* the progress count when its wait last looked in vain */
};

extern struct hut_thread *hut_thread_now;
extern unsigned hut_threads_live;

/* Gives the vCPU to next (a live thread, not the caller). */
void hut_thread_switch_to(struct hut_thread *next);
/* The live thread with that tid, or NULL. */
struct hut_thread *hut_thread_by_tid(long tid);
/* The signals every live thread blocks: those the process blocks (signal.c
 * tells the monitor, for signals from outside). */
uint64_t hut_threads_blocked_by_all(void);
/* Sets the FS base of the running thread (arch_prctl, clone). */
void hut_thread_set_fs(uint64_t base);
/* A thread's name (comm), as exec gives it: the last part of path, at most
 * 15 bytes (the first thread's at boot, the running one's at exec). */
void hut_thread_name_from_path(struct hut_thread *t, const char *path);

/* Bookkeeping for clone.c: a new thread (stack, tid; NULL without
 * memory), put in the ring after parent, taken out of it at its end (its
 * stack freed by whoever switches next: hut_thread_free_ended). */
struct hut_thread *hut_thread_new(void);
void hut_thread_link(struct hut_thread *parent, struct hut_thread *t);
void hut_thread_unlink(struct hut_thread *t);
void hut_thread_free_ended(void);
/* process.c's: called when the running thread's successor is of another
 * process, and when an ended process's last thread is gone. */
void hut_thread_process_hooks(void (*switch_to)(struct hut_process *next),
			      void (*gone)(struct hut_process *p));
/* clone.c: a new thread, not yet linked, that leaves the caller's syscall
 * with 0 on stack (0: the caller's %rsp), with TLS tls if settls, the
 * caller's mask and name; NULL past --pids or without memory. */
struct hut_thread *hut_thread_copy(uint64_t stack, int settls, uint64_t tls);
/* A clone's child's libos stack: it leaves the parent's syscall with 0. */
void hut_thread_build_child_stack(struct hut_thread *t, const struct hut_syscall_frame *parent);
/* t's app registers as the frame f of its syscall and its app %rsp say. */
struct hut_thread_regs hut_thread_regs_at(const struct hut_thread *t,
					  const struct hut_syscall_frame *f, uint64_t rsp);
/* Copies t's app registers into the table the monitor reads for --core. */
void hut_thread_publish(const struct hut_thread *t);
/* A switched-out thread's app registers as last published, or NULL (no
 * slot in the table). */
const struct hut_thread_regs *hut_thread_published(const struct hut_thread *t);

/* sched.c */
/* A thread in hut_wait whose wait is not over: runs another thread if one
 * may make progress (returns 1: look again), else returns 0 (everyone
 * waits: the caller sleeps until hut_sched_next_deadline()). */
int hut_sched_block(uint64_t deadline_ns);
uint64_t hut_sched_next_deadline(void);
/* Whether every waiting thread waits for input (a socket, a pipe, a signal),
 * none only for time to pass: --snapshot's ready point (wait.c). */
int hut_sched_all_wait_input(void);
/* The running thread's wait is over (it goes back to the app). */
void hut_sched_wait_over(void);
/* A thread entered a syscall, began or ended: others' waits may be over. */
void hut_sched_progress(void);
/* Called on every syscall's way out and every tick: yields when the time
 * slice is over. */
void hut_sched_preempt_point(void);
/* When a tick should take the vCPU from the running thread, which spins,
 * for another (ns since boot), or 0: none could run before it makes a
 * syscall. */
uint64_t hut_sched_tick_at(void);
/* Whether a device may end a wait (wait.c tells, when one registers). */
void hut_sched_device_news(int may);
/* sched_yield: the caller runs on after the others had a turn. */
void hut_sched_yield(void);

#endif
