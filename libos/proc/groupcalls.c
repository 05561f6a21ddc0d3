/*
 * Process groups and sessions: pid 1 leads both at boot; fork's children
 * inherit them; setpgid and setsid follow Linux's rules (a shell's job
 * control uses them).
 */
#include "proc.h"

#include <errno.h>

/* The process pid names for the caller (0: itself), or NULL. */
static struct hut_process *named(long pid)
{
	return pid == 0 ? hut_proc_now : hut_process_by_pid(pid);
}

HUT_SYSCALL(getpgrp)
{
	return hut_proc_now->pgid;
}

HUT_SYSCALL(getpgid)
{
	struct hut_process *p = named(a0);
	return p ? p->pgid : -ESRCH;
}

HUT_SYSCALL(getsid)
{
	struct hut_process *p = named(a0);
	return p ? p->sid : -ESRCH;
}

/* A group of the caller's session with that id exists. */
static int group_in_session(long pgid, int sid)
{
	for (struct hut_process *p = &hut_first_process; p; p = p->next)
		if (p->pgid == pgid && p->sid == sid && !p->zombie)
			return 1;
	return 0;
}

HUT_SYSCALL(setpgid)
{
	struct hut_process *me = hut_proc_now, *p = named(a0);
	if (a1 < 0)
		return -EINVAL;
	if (!p || (p != me && p->parent != me))
		return -ESRCH;
	if (p->sid != me->sid || p->sid == p->pid) /* another session, or its leader */
		return -EPERM;
	long pgid = a1 ? a1 : p->pid;
	if (pgid != p->pid && !group_in_session(pgid, me->sid))
		return -EPERM;
	p->pgid = (int)pgid;
	return 0;
}

HUT_SYSCALL(setsid)
{
	struct hut_process *me = hut_proc_now;
	if (me->pgid == me->pid) /* a group leader cannot */
		return -EPERM;
	me->sid = me->pgid = me->pid;
	return me->sid;
}
