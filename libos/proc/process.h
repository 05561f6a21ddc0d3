/*
 * Processes of the one appliance (docs/ARCHITECTURE.md, "Processes"): each
 * has its own memory (mem/mm.h), signal dispositions and pending set, and
 * the state layers above keep per process (the fd table, the cwd), which
 * they register here; all share the one libos, its files, pipes and
 * sockets. pid 1 is the first; its end is the appliance's.
 */
#ifndef HUT_PROC_PROCESS_H
#define HUT_PROC_PROCESS_H

#include "mem/mm.h"

#define HUT_PROC_STATES 8 /* layers above that keep state per process */

struct hut_sigstate; /* signal.c */
struct hut_itimers;  /* itimercalls.c */

struct hut_process {
	int pid, pgid, sid;
	struct hut_process *parent;
	struct hut_process *children; /* the newest first */
	struct hut_process *sibling;
	struct hut_process *next; /* every process, for kill and lookups */
	int threads;		  /* live ones */
	int zombie;		  /* ended, not yet waited for */
	int wait_status;	  /* as wait4 reports it */
	int exit_signal;	  /* sent to the parent at the end (SIGCHLD) */
	int pdeath_signal;	  /* prctl: sent to it when its parent ends */
	int subreaper;		  /* prctl: orphans below it come to it */
	int autoreap;		  /* its parent ignores SIGCHLD: no zombie */
	uint64_t cpu_ns;	  /* the CPU time it used, kept at its end (cputime.c) */
	uint64_t children_cpu_ns; /* its reaped children's, and theirs */
	char name[16];		  /* its last thread's, kept when it becomes a zombie */
	int vfork_parent_waits;	  /* vfork's child: its parent sleeps until it execs or ends */
	int stopped;		  /* by a stop signal (stop_signal), until a SIGCONT */
	int stop_signal;
	int wait_report; /* a stop or continue (WSTOPPED, WCONTINUED) not yet waited for */
	struct hut_mm *mm;
	struct hut_sigstate *sig;
	struct hut_itimers *itimers;  /* alarm, setitimer: NULL until the first */
	void *state[HUT_PROC_STATES]; /* the layers' state while switched out */
};

extern struct hut_process *hut_proc_now;
extern struct hut_process hut_first_process; /* pid 1 */

/* State a layer above keeps per process. While a process runs, its state is
 * the layer's own (globals, as with one process); a switch saves the
 * outgoing process's into its buffer (size bytes) and loads the incoming
 * one's. fork fills the child's buffer from the running state (taking
 * references); exit lets go of the running state. */
struct hut_proc_state_ops {
	size_t size;
	void (*save)(void *to);
	void (*load)(const void *from);
	void (*fork)(void *child);
	void (*exit)(void);
};
void hut_proc_state_register(const struct hut_proc_state_ops *ops);

/* cputime.c: each process's CPU time (hut_cpu_time_ns is the running
 * one's). */
void hut_cputime_per_process(void); /* wires it into process switches (boot) */

/* process.c */
struct hut_process *hut_process_by_pid(long pid);
/* A new child of the running process, sharing its memory mm, with the pid
 * given (its first thread's tid); NULL without memory. */
struct hut_process *hut_process_new(struct hut_mm *mm, int pid, int exit_signal);
/* The running thread's process switches to p's (the thread switch). */
void hut_process_switch(struct hut_process *p);
/* The running process (not pid 1) becomes a zombie with a wait status,
 * its children pid 1's; the caller (exit.c) then tells the parent and ends
 * its threads. */
void hut_process_zombie(int wait_status);
/* Wires process switches into the thread switch (boot, exit.c). */
void hut_process_init(void);
/* Lets go of an ended process's memory once another address space runs. */
void hut_process_release_memory(struct hut_process *p);
/* wait4's look: a child matching pid (as wait4's argument) with news that
 * want asks for (WEXITED, WSTOPPED, WCONTINUED): its pid, its status in
 * *status as wait4 gives it, the news taken (reaped) unless keep; 0 when
 * none has any yet, -ECHILD when none matches. */
long hut_process_reap(long pid, int want, int *status, int keep);
/* A new process or thread would pass --pids: fork and clone give EAGAIN. */
int hut_pids_full(void);
/* The running process execs or ends: a parent waiting in vfork goes on. */
void hut_process_vfork_release(void);
/* Sends sig (0: only checks) to the processes kill(pid) names: 0 or -errno. */
long hut_process_kill(long pid, int sig);

/* fork.c: clone without CLONE_VM, fork, vfork (a copy as well, its
 * parent suspended until the child execs or ends). */
long hut_process_fork(unsigned long flags, uint64_t stack, int *parent_tid, uint64_t tls);

#endif
