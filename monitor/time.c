/* The guest's TSC rate and --timeout (the host clock is clock.c). */
#include "monitor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

static struct kvm_run *volatile timeout_run;
static volatile sig_atomic_t expired;

void hut_time_setup(struct hut_vm *vm)
{
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot read the guest TSC frequency (%s)",
			 strerror(errno));
	vm->tsc_khz = (uint64_t)khz;
	timeout_run = vm->run;
}

/* immediate_exit makes a KVM_RUN that starts after the signal return at
 * once; a KVM_RUN already running is interrupted by the signal itself. */
static void on_alarm(int sig)
{
	(void)sig;
	expired = 1;
	if (timeout_run)
		timeout_run->immediate_exit = 1;
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
