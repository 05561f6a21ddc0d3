/*
 * The exit hypercall: the appliance ends with its status and the boot's time
 * stamps. proc/process.c ends the process first (its at-exit hooks).
 */
#include "base.h"

_Noreturn void hut_exit(uint32_t kind, int status)
{
	struct hut_hc_exit hc = {
		.kind = kind,
		.status = status,
		.tsc_boot = hut_tsc_boot,
		.tsc_main = hut_tsc_main,
		.tsc_exit = hut_rdtsc(),
		.syscalls_trapped = hut_syscalls_trapped,
	};
	for (;;)
		hut_hypercall(HUT_HC_EXIT, &hc);
}
