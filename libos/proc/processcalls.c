/*
 * The process's syscalls: its end, its ids (root; pids in forkcalls.c), its
 * limits, its memory and uptime (sysinfo), its FS base, and getrandom.
 */
#include "proc.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

HUT_SYSCALL(exit_group)
{
	hut_exit_process(HUT_EXIT_STATUS, (int)(a0 & 0xff));
}

HUT_SYSCALL(getuid)
{
	return 0;
}

HUT_SYSCALL(sysinfo)
{
	struct sysinfo *si = (struct sysinfo *)a0;
	hut_memset(si, 0, sizeof *si);
	si->uptime = (long)(hut_time_since_boot_ns() / 1000000000ull);
	si->totalram = hut_boot_info->mem_size;
	si->freeram = hut_pages_free_count() * HUT_PAGE_SIZE;
	si->procs = 0;
	for (struct hut_process *p = &hut_first_process; p; p = p->next)
		si->procs++;
	si->mem_unit = 1;
	return 0;
}

void hut_rlimit_of(long resource, struct rlimit *rl)
{
	rl->rlim_cur = rl->rlim_max = RLIM_INFINITY;
	if (resource == RLIMIT_STACK)
		rl->rlim_cur = rl->rlim_max = hut_boot_info->stack_size;
	else if (resource == RLIMIT_NOFILE)
		rl->rlim_cur = rl->rlim_max = HUT_FILES_MAX;
	else if (resource == RLIMIT_NPROC)
		rl->rlim_cur = rl->rlim_max = 1;
}

HUT_SYSCALL(getrlimit)
{
	if (a0 < 0 || a0 >= RLIM_NLIMITS)
		return -EINVAL;
	hut_rlimit_of(a0, (struct rlimit *)a1);
	return 0;
}

/* Limits can be read, not changed: setting one to what it is succeeds. */
HUT_SYSCALL(prlimit64)
{
	if (a1 < 0 || a1 >= RLIM_NLIMITS)
		return -EINVAL;
	if (a0 != 0 && a0 != hut_proc_now->pid) /* only ourselves */
		return -ESRCH;
	struct rlimit now;
	hut_rlimit_of(a1, &now);
	const struct rlimit *want = (const struct rlimit *)a2;
	if (want && (want->rlim_cur != now.rlim_cur || want->rlim_max != now.rlim_max))
		return -EPERM;
	if (a3)
		*(struct rlimit *)a3 = now;
	return 0;
}

/* TLS, the running thread's (proc/thread.c switches it with the thread). */
HUT_SYSCALL(arch_prctl)
{
	if (a0 == ARCH_GET_FS) {
		*(uint64_t *)a1 = hut_thread_now->fs_base;
		return 0;
	}
	if (a0 != ARCH_SET_FS)
		return -EINVAL;
	hut_thread_set_fs((uint64_t)a1);
	return 0;
}

HUT_SYSCALL(getrandom)
{
	if (a2 & ~7l) /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
		return -EINVAL;
	hut_random_fill((void *)a0, (size_t)a1);
	return a1;
}
