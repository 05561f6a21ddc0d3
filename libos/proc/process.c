/*
 * Processes (process.h): pid 1, made at boot, and the children fork makes:
 * their table, their per-process state, the switch between them, the
 * zombie an ended one becomes (proc/exit.c ends it) and the parent's wait
 * for it; its children go to pid 1, as on Linux. proc/forkcalls.c and
 * groupcalls.c have the syscalls.
 */
#define _GNU_SOURCE
#include "proc.h"

#include "arch/x86_64/fault.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#define first hut_first_process /* proc/thread.c */

static const struct hut_proc_state_ops *states[HUT_PROC_STATES];
static int nstates;
static uint64_t alive = 1; /* processes made, not yet ended: pid 1 and its live children */

void hut_proc_state_register(const struct hut_proc_state_ops *ops)
{
	for (int i = 0; i < nstates; i++)
		if (states[i] == ops)
			return;
	if (nstates < HUT_PROC_STATES)
		states[nstates++] = ops;
}

struct hut_process *hut_process_by_pid(long pid)
{
	for (struct hut_process *p = &first; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void free_states(struct hut_process *p)
{
	for (int i = 0; i < nstates; i++)
		if (p->state[i])
			hut_kfree(p->state[i], states[i]->size);
}

/* pid 1 runs on the boot memory (mem/memory.c) and keeps its state in the
 * layers until its first child: then it gets what a switch saves it into. */
static int ready_to_switch(struct hut_process *parent)
{
	if (!parent->mm)
		parent->mm = hut_mm_now;
	for (int i = 0; i < nstates; i++)
		if (!parent->state[i] && !(parent->state[i] = hut_kalloc(states[i]->size)))
			return 0;
	return 1;
}

struct hut_process *hut_process_new(struct hut_mm *mm, int pid, int exit_signal)
{
	struct hut_process *parent = hut_proc_now;
	if (!ready_to_switch(parent))
		return NULL;
	struct hut_process *p = hut_kalloc(sizeof *p);
	if (!p)
		return NULL;
	*p = (struct hut_process){.pid = pid,
				  .pgid = parent->pgid,
				  .sid = parent->sid,
				  .parent = parent,
				  .exit_signal = exit_signal,
				  .mm = mm,
				  .sig = hut_sigstate_fork()};
	for (int i = 0; i < nstates && p->sig; i++) {
		p->state[i] = hut_kalloc(states[i]->size);
		if (!p->state[i])
			break;
		states[i]->fork(p->state[i]);
	}
	if (!p->sig || (nstates && !p->state[nstates - 1])) {
		free_states(p); /* fork's references: none was taken for a missing one */
		if (p->sig)
			hut_sigstate_free(p->sig);
		hut_kfree(p, sizeof *p);
		return NULL;
	}
	p->sibling = parent->children;
	parent->children = p;
	p->next = first.next;
	first.next = p;
	hut_signal_box_count_fork(++alive);
	return p;
}

void hut_process_switch(struct hut_process *p)
{
	struct hut_process *prev = hut_proc_now;
	if (p == prev)
		return;
	for (int i = 0; i < nstates; i++) {
		states[i]->save(prev->state[i]);
		states[i]->load(p->state[i]);
	}
	hut_proc_now = p;
	hut_trap_ends_process = p->pid != 1; /* its exceptions end it alone */
	if (p->mm)
		hut_mm_switch(p->mm);
}

/* Who takes an ending process's children: its nearest living subreaper
 * ancestor, else pid 1, as on Linux. */
static struct hut_process *new_parent(struct hut_process *p)
{
	for (struct hut_process *a = p->parent; a; a = a->parent)
		if (a->subreaper && !a->zombie)
			return a;
	return &first;
}

static void reparent_children(struct hut_process *p)
{
	struct hut_process *to = new_parent(p);
	while (p->children) {
		struct hut_process *c = p->children;
		p->children = c->sibling;
		c->parent = to;
		c->sibling = to->children;
		to->children = c;
		if (c->pdeath_signal && !c->zombie)
			hut_signal_send_to(c, c->pdeath_signal, NULL);
		if (c->zombie && c->exit_signal)
			hut_signal_send_to(to, c->exit_signal, NULL);
	}
}

static void tell_parent(struct hut_process *p)
{
	p->autoreap = hut_signal_child_autoreap(p->parent);
	if (!p->exit_signal || hut_signal_ignored(p->parent, p->exit_signal))
		return;
	struct hut_siginfo si = {.pid = p->pid};
	if (WIFSIGNALED(p->wait_status)) {
		si.code = WCOREDUMP(p->wait_status) ? CLD_DUMPED : CLD_KILLED;
		si.status = WTERMSIG(p->wait_status);
	} else {
		si.code = CLD_EXITED;
		si.status = WEXITSTATUS(p->wait_status);
	}
	hut_signal_send_to(p->parent, p->exit_signal, &si);
}

/* fork.c's vfork parent waits for this. */
void hut_process_vfork_release(void)
{
	if (!hut_proc_now->vfork_parent_waits)
		return;
	hut_proc_now->vfork_parent_waits = 0;
	hut_sched_progress();
}

void hut_process_zombie(int wait_status)
{
	struct hut_process *p = hut_proc_now;
	for (int i = nstates; i-- > 0;)
		states[i]->exit(); /* closes its fds: pipes see their end */
	p->wait_status = wait_status;
	hut_memcpy(p->name, hut_thread_now->name, sizeof p->name);
	p->zombie = 1;
	alive--;
	p->stopped = p->wait_report = 0;
	hut_itimers_end(p);
	hut_ptimers_end(p);
	hut_process_vfork_release();
	reparent_children(p);
	tell_parent(p);
}

/* After the last thread of p left: its memory goes (from another address
 * space: the running one cannot be freed). */
void hut_process_release_memory(struct hut_process *p)
{
	if (!p->mm || p->mm == hut_mm_now)
		return;
	hut_mm_free(p->mm);
	p->mm = NULL;
}

static void free_process(struct hut_process *c);

/* Its last thread is gone: its memory goes, and all of it when nobody will
 * wait for it. */
static void gone(struct hut_process *p)
{
	hut_process_release_memory(p);
	if (p->autoreap && !p->mm) {
		free_process(p);
		hut_sched_progress(); /* a wait for the last child ends in ECHILD */
	}
}

static int matches(const struct hut_process *c, long pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == hut_proc_now->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return 1;
}

static void unlink_child(struct hut_process *parent, struct hut_process *c)
{
	struct hut_process **pp = &parent->children;
	while (*pp != c)
		pp = &(*pp)->sibling;
	*pp = c->sibling;
	pp = &first.next;
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
}

static void free_process(struct hut_process *c)
{
	unlink_child(c->parent, c);
	hut_sigstate_free(c->sig);
	free_states(c);
	hut_kfree(c, sizeof *c);
}

/* A stop or continue of c that want asks for: its status, the news taken
 * unless keep; 0: none. */
static int job_news(struct hut_process *c, int want, int keep)
{
	int status = 0;
	if (c->zombie)
		return 0;
	if (c->wait_report == WSTOPPED && (want & WSTOPPED))
		status = (c->stop_signal << 8) | 0x7f;
	else if (c->wait_report == WCONTINUED && (want & WCONTINUED))
		status = 0xffff;
	if (status && !keep)
		c->wait_report = 0;
	return status;
}

long hut_process_reap(long pid, int want, int *status, int keep)
{
	struct hut_process *me = hut_proc_now;
	int any = 0;
	hut_thread_free_ended(); /* an ended thread may still name a child */
	for (struct hut_process *c = me->children; c; c = c->sibling) {
		if (!matches(c, pid))
			continue;
		any = 1;
		int news = job_news(c, want, keep);
		if (news) {
			*status = news;
			return c->pid;
		}
		if (!(want & WEXITED) || !c->zombie || c->threads || c->autoreap)
			continue;
		long found = c->pid;
		*status = c->wait_status;
		if (!keep) { /* what it used joins its parent's children's time */
			me->children_cpu_ns += c->cpu_ns + c->children_cpu_ns;
			hut_process_release_memory(c);
			free_process(c);
		}
		return found;
	}
	return any ? 0 : -ECHILD;
}

static long kill_one(struct hut_process *p, int sig)
{
	if (p->zombie)
		return 0; /* as Linux: a zombie takes (and ignores) any signal */
	if (sig)
		hut_signal_send_to(p, sig, NULL);
	return 0;
}

/* --pids (the boot info's pids_max): like a cgroup's pids.max, what counts
 * is every live thread of every process, and zombies not yet reaped. */
int hut_pids_full(void)
{
	uint32_t max = hut_boot_info ? hut_boot_info->pids_max : 0;
	if (!max)
		return 0;
	uint64_t n = hut_threads_live;
	for (struct hut_process *p = &first; p; p = p->next)
		n += p->zombie;
	return n >= max;
}

long hut_process_kill(long pid, int sig)
{
	if (pid > 0) {
		struct hut_process *p = hut_process_by_pid(pid);
		return p ? kill_one(p, sig) : -ESRCH;
	}
	long group = pid == 0 ? hut_proc_now->pgid : -pid;
	int found = 0;
	for (struct hut_process *p = &first; p; p = p->next) {
		if (pid == -1 ? (p->pid == 1 || p == hut_proc_now) : p->pgid != group)
			continue;
		found = 1;
		kill_one(p, sig);
	}
	return found ? 0 : -ESRCH;
}

static void switch_to(struct hut_process *next)
{
	hut_process_switch(next);
}

void hut_process_init(void)
{
	hut_thread_process_hooks(switch_to, gone);
}
