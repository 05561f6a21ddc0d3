/*
 * The process's syscalls: its end, who it runs as (credcalls.c; pids in
 * forkcalls.c), its memory and uptime (sysinfo), its FS base, and
 * getrandom. Its limits are rlimitcalls.c's.
 */
#include "proc.h"

#include <errno.h>
#include <sys/sysinfo.h>

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

HUT_SYSCALL(exit_group)
{
	hut_exit_process(HUT_EXIT_STATUS, (int)(a0 & 0xff));
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
