/*
 * A stopped process's threads (proc/signal.c stops and continues it): each
 * waits here on its way back to the app, as Linux's stop in the kernel,
 * until a SIGCONT clears the stop or a SIGKILL is pending, which the
 * signal delivery that follows then acts on. Other signals stay pending.
 */
#include "proc.h"

#include <signal.h>

static int continued_or_killed(void *arg)
{
	(void)arg;
	return !hut_proc_now->stopped || (hut_signal_pending_set() & (1ull << (SIGKILL - 1)));
}

void hut_process_stay_stopped(void)
{
	hut_wait(continued_or_killed, NULL, HUT_WAIT_FOREVER, 0);
}
