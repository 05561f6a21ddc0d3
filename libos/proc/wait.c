/*
 * hut_wait (wait.h): run the network stack, check; if the wait is not over,
 * give the vCPU to another thread (sched.c); when every thread waits, sleep
 * in the poll hypercall until the earliest deadline among them, lwIP's
 * next timer or the device's next event, whichever is first. The monitor
 * may wake us early (a frame, a signal from outside); we simply look again.
 *
 * The network stack lives in libhut-net.a, which an image links only when
 * it uses sockets; it registers here when it starts (hut_wait_set_device),
 * so a plain sleep never pulls lwIP in, and this layer never names it.
 */
#include "proc.h"

#include <errno.h>

static const struct hut_wait_device *device;

void hut_wait_set_device(const struct hut_wait_device *d)
{
	device = d;
	hut_sched_device_news(d != NULL);
}

static void run_network(void)
{
	if (device)
		device->poll();
}

/* Sleeps at most ns, waking early for device news. The time slept is the
 * vCPU's idle time, which the CPU-time clocks leave out. for_input: every
 * thread waits for input (an epoll_wait's timeout counts as its way of
 * waiting for input; a nanosleep does not), no timer of the app's is armed,
 * and main() has started: the ready point --snapshot takes by default. */
static void idle(uint64_t ns, int for_input)
{
	uint64_t start = hut_time_since_boot_ns();
	hut_memory_give_back(); /* memory freed before a sleep is worth the host's */
	if (hut_ticks_wanted())
		hut_timers_publish(0); /* CPU time stands still, no thread runs: no tick for them */
	hut_poll_flags = for_input && hut_tsc_main ? HUT_POLL_WAIT_INPUT : 0;
	if (device) {
		device->idle(ns);
	} else {
		struct hut_hc_poll hc = {.timeout_ns = ns, .net_events = hut_net_events_now()};
		hut_poll_hypercall(&hc);
	}
	hut_poll_flags = 0;
	hut_clock.idle_ns += hut_time_since_boot_ns() - start;
}

static long over(long result)
{
	hut_sched_wait_over();
	return result;
}

long hut_wait(hut_wait_ready_fn ready, void *arg, uint64_t deadline_ns, int flags)
{
	hut_thread_now->timed_sleep = !ready && deadline_ns != HUT_WAIT_FOREVER;
	for (;;) {
		run_network();
		if (hut_timers_armed())
			hut_timers_run(); /* a timerfd's count, a SIGALRM: before the look */
		if (ready && ready(arg))
			return over(0);
		if ((flags & HUT_WAIT_INTERRUPTIBLE) && hut_signal_due())
			return over(-EINTR);
		uint64_t now = hut_time_since_boot_ns();
		if (now >= deadline_ns)
			return over(-ETIMEDOUT);
		if (hut_sched_block(deadline_ns))
			continue; /* another thread ran: look again */
		uint64_t until = hut_sched_next_deadline(), timer = hut_timers_next();
		until = timer < until ? timer : until;
		if (until > now)
			idle(until - now, timer == HUT_WAIT_FOREVER && hut_sched_all_wait_input());
	}
}
