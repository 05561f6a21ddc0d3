/*
 * The process's resource limits (rlimit.c), kept with Linux's rules and
 * enforced where hut has the resource: RLIMIT_NOFILE bounds the fd table
 * (fd/fd.c: EMFILE past it), RLIMIT_AS and RLIMIT_DATA the app's memory
 * (sys/memcalls.c: ENOMEM past them), RLIMIT_STACK says what the main stack
 * is. The others are kept and reported back.
 */
#ifndef HUT_RLIMIT_H
#define HUT_RLIMIT_H

#include <stdint.h>

#define HUT_RLIM_INFINITY UINT64_MAX
#define HUT_RLIM_NLIMITS 16

struct hut_rlimit {
	uint64_t cur, max;
};

/* resource must be below HUT_RLIM_NLIMITS (the callers check). */
struct hut_rlimit hut_rlimit_get(int resource);
/* 0, -EINVAL (soft above hard) or -EPERM (a hard limit raised without
 * CAP_SYS_RESOURCE, or above what hut has: the fd table, the stack). */
long hut_rlimit_set(int resource, const struct hut_rlimit *want);
/* The soft RLIMIT_NOFILE: fds are below it. */
uint64_t hut_rlimit_nofile(void);
/* Each process gets its own limits (boot, proc/exit.c). */
void hut_rlimit_per_process(void);

#endif
