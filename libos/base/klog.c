/*
 * The console hypercalls: the libos's own messages (warnings, the kernel
 * log of an appliance) and, through fd/console.c, fds 0-2.
 */
#include "base.h"

/* An iovec is the same 16 bytes as struct hut_iovec: the array goes to the
 * monitor as it is, which checks it (every guest value is hostile). */
long hut_console_hypercall(unsigned nr, uint32_t fd, const struct hut_iovec *iov, int iovcnt)
{
	struct hut_iovec phys[HUT_PHYS_IOV_MAX];
	/* A read's bytes are written by the monitor, which takes no fault:
	 * into pages made the process's own first (phys.c), never into a
	 * frame a forked process still shares with another. */
	if (nr == HUT_HC_CONSOLE_READ && hut_phys_of) {
		iovcnt = hut_iov_phys_writable(iov, iovcnt, phys, HUT_PHYS_IOV_MAX);
		iov = phys;
	} else {
		iov = hut_iov_for_monitor(iov, &iovcnt, phys);
	}
	struct hut_hc_console hc = {(uint64_t)iov, (uint32_t)iovcnt, fd, 0};
	hut_hypercall(nr, &hc);
	return hc.result;
}

void hut_console_print(int fd, const char *s)
{
	struct hut_iovec iov = {(uint64_t)s, hut_strlen(s)};
	hut_console_hypercall(HUT_HC_CONSOLE_WRITE, (uint32_t)fd, &iov, 1);
}
