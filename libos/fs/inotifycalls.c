/*
 * inotify's syscalls: inotify_init, inotify_init1, inotify_add_watch and
 * inotify_rm_watch (fs/inotify.c; events come from fs/notify.c).
 */
#include "vfs.h"

#include <errno.h>

HUT_SYSCALL(inotify_init1)
{
	if (a0 & ~(long)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	return hut_inotify_open(a0);
}

HUT_SYSCALL(inotify_init)
{
	return hut_inotify_open(0);
}

HUT_SYSCALL(inotify_add_watch)
{
	return hut_inotify_add_watch(a0, (const char *)a1, (uint32_t)a2);
}

HUT_SYSCALL(inotify_rm_watch)
{
	return hut_inotify_rm_watch(a0, (int32_t)a1);
}
