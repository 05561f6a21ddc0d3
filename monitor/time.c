/* The guest's TSC rate and --timeout (the host clock is clock.c). */
#include "monitor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

static volatile sig_atomic_t expired;

void hut_time_setup(struct hut_vm *vm)
{
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot read the guest TSC frequency (%s)",
			 strerror(errno));
	vm->tsc_khz = (uint64_t)khz;
}

/* The vCPU loop or the poll hypercall's sleep ends at once (vcpu_wake.c). */
static void on_alarm(int sig)
{
	(void)sig;
	expired = 1;
	hut_vcpu_nudge();
}

void hut_timeout_arm(unsigned seconds)
{
	if (seconds == 0)
		return;
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: sleeps end early */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {.tv_sec = seconds}};
	setitimer(ITIMER_REAL, &it, NULL);
}

bool hut_timeout_expired(void)
{
	return expired;
}
