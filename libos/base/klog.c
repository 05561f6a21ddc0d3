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
	iov = hut_iov_for_monitor(iov, &iovcnt, phys);
	struct hut_hc_console hc = {(uint64_t)iov, (uint32_t)iovcnt, fd, 0};
	hut_hypercall(nr, &hc);
	return hc.result;
}

void hut_console_print(int fd, const char *s)
{
	struct hut_iovec iov = {(uint64_t)s, hut_strlen(s)};
	hut_console_hypercall(HUT_HC_CONSOLE_WRITE, (uint32_t)fd, &iov, 1);
}
