/*
 * hut_ready(): the app tells hut it is ready to serve (its files are
 * loaded, its caches warm, its sockets listening). Under `hut-monitor
 * --snapshot FILE` the appliance is snapshotted right there and the
 * monitor stops; under `hut-monitor --restore FILE` the call returns in
 * each restored appliance. Anywhere else (a plain run, the image run as a
 * Linux process, a glibc build of the same source) it does nothing: the
 * number is hut's own, which Linux answers with ENOSYS.
 */
#ifndef HUT_READY_H
#define HUT_READY_H

#include <unistd.h>

/* Far above any Linux syscall number (and without the x32 bit). */
#define HUT_SYS_READY 0x485501L

static inline void hut_ready(void)
{
	(void)syscall(HUT_SYS_READY);
}

#endif
