/*
 * hut_ready() (include/hut/ready.h): the app says it is ready to serve.
 * The ready hypercall is where hut-monitor --snapshot takes its snapshot;
 * it returns HUT_POLL_RESTORED in a guest restored from one, which then
 * fixes what must differ per instance (base/restore.c). Not in the table:
 * the number is hut's own, far above Linux's (syscall.c looks for it).
 */
#include "syscalls.h"

HUT_SYSCALL(hut_ready)
{
	struct hut_hc_ready hc = {0};
	hut_ready_point();
	hut_hypercall(HUT_HC_READY, &hc);
	if (hc.ready & HUT_POLL_RESTORED)
		hut_restored();
	return 0;
}
