/*
 * Timers (timers.sh): alarm and the interval timers deliver their signals
 * (a handler runs, a sleep or pause it interrupts returns EINTR, periodic
 * timers keep coming), a CPU-time timer fires while the program computes,
 * timerfds count expirations for read, poll and epoll, and an alarm with no
 * handler ends the program (`timers die`). It prints only what is the same
 * for a glibc program, a musl process and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms, vtalarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_vtalarm(int sig)
{
	(void)sig;
	vtalarms++;
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigaction(sig, &sa, NULL);
}

static void alarm_calls(void)
{
	printf("alarm(5): %u\n", alarm(5));
	printf("alarm(0) after it: %u\n", alarm(0));
	handle(SIGALRM, on_alarm);
	struct itimerval it = {{0, 0}, {0, 50000}};
	printf("setitimer 50 ms: %d\n", setitimer(ITIMER_REAL, &it, NULL));
	int r = pause();
	printf("pause: %d %s, alarms %d\n", r, strerror(errno), (int)alarms);
	it = (struct itimerval){{0, 0}, {0, 30000}};
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec nap = {5, 0}, left = {0, 0};
	r = nanosleep(&nap, &left);
	printf("nanosleep: %d %s, time left > 4 s: %s, alarms %d\n", r, strerror(errno),
	       left.tv_sec >= 4 ? "yes" : "no", (int)alarms);
}

static void interval_timer(void)
{
	sigset_t none;
	sigemptyset(&none);
	alarms = 0;
	struct itimerval it = {{0, 20000}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms < 3)
		sigsuspend(&none);
	struct itimerval now;
	getitimer(ITIMER_REAL, &now);
	printf("periodic: 3 alarms, interval %ld us, armed %s\n", (long)now.it_interval.tv_usec,
	       now.it_value.tv_sec || now.it_value.tv_usec ? "yes" : "no");
	it = (struct itimerval){{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &it, &now);
	getitimer(ITIMER_REAL, &now);
	printf("disarmed: %ld %ld\n", (long)now.it_value.tv_sec, (long)now.it_value.tv_usec);
	it = (struct itimerval){{0, 0}, {10, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
	getitimer(ITIMER_REAL, &now);
	printf("10 s timer reads 9-10 s: %s\n", now.it_value.tv_sec >= 9 ? "yes" : "no");
	it = (struct itimerval){{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
	it.it_value.tv_usec = 1000000;
	int r = setitimer(ITIMER_REAL, &it, NULL);
	printf("bad usec: %d %s\n", r, strerror(errno));
}

/* CPU time: fires while the program computes (a syscall now and then, as
 * real programs make). */
static void cpu_timer(void)
{
	handle(SIGVTALRM, on_vtalarm);
	struct itimerval it = {{0, 0}, {0, 20000}};
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	struct timespec ts;
	time_t give_up = time(NULL) + 10;
	while (!vtalarms && time(NULL) < give_up)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("ITIMER_VIRTUAL fired while computing: %s\n", vtalarms ? "yes" : "no");
}

static void timerfds(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	uint64_t count = 0;
	ssize_t n = read(fd, &count, sizeof count);
	printf("read before arming: %zd %s\n", n, strerror(errno));
	struct itimerspec its = {{0, 20000000}, {0, 20000000}}, now;
	printf("settime: %d\n", timerfd_settime(fd, 0, &its, NULL));
	struct pollfd p = {fd, POLLIN, 0};
	int r = poll(&p, 1, 5000);
	printf("poll: %d revents %#x\n", r, p.revents);
	n = read(fd, &count, sizeof count);
	printf("read: %zd, count >= 1: %s\n", n, count >= 1 ? "yes" : "no");
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 7}, got;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	int ready = epoll_wait(ep, &got, 1, 5000);
	printf("epoll: %d data %u\n", ready, got.data.u32);
	timerfd_gettime(fd, &now);
	printf("gettime interval %ld ns, armed %s\n", now.it_interval.tv_nsec,
	       now.it_value.tv_sec || now.it_value.tv_nsec ? "yes" : "no");
	its = (struct itimerspec){{0, 0}, {0, 0}};
	timerfd_settime(fd, 0, &its, &now);
	printf("old interval %ld ns\n", now.it_interval.tv_nsec);
	timerfd_gettime(fd, &now);
	printf("disarmed: %ld %ld\n", (long)now.it_value.tv_sec, now.it_value.tv_nsec);
	close(ep);
	close(fd);

	/* Blocking, absolute on CLOCK_REALTIME, in the past: due at once. */
	fd = timerfd_create(CLOCK_REALTIME, 0);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	its = (struct itimerspec){{0, 0}, {wall.tv_sec - 10, 0}};
	r = timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
	n = read(fd, &count, sizeof count);
	printf("absolute, past: %d, read %zd count %llu\n", r, n, (unsigned long long)count);
	n = read(fd, &count, 4);
	printf("short read: %zd %s\n", n, strerror(errno));
	close(fd);
	r = timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0);
	printf("bad clock: %d %s\n", r, strerror(errno));
}

/* Waiting for a signal instead of handling it: sigwait, sigtimedwait,
 * sigwaitinfo, sigpending. */
static void signal_waits(void)
{
	sigset_t set, none, got;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct itimerval it = {{0, 0}, {0, 30000}};
	setitimer(ITIMER_REAL, &it, NULL);
	int sig = 0;
	int r = sigwait(&set, &sig);
	printf("sigwait: %d, %s\n", r, sig == SIGALRM ? "SIGALRM" : "another");
	struct timespec brief = {0, 20000000};
	r = sigtimedwait(&set, NULL, &brief);
	printf("sigtimedwait with none pending: %d %s\n", r, strerror(errno));
	raise(SIGUSR1);
	sigemptyset(&got);
	sigpending(&got);
	printf("sigpending has SIGUSR1: %s\n", sigismember(&got, SIGUSR1) ? "yes" : "no");
	siginfo_t info;
	memset(&info, 0, sizeof info);
	r = sigwaitinfo(&set, &info);
	printf("sigwaitinfo: %s, si_signo %s\n", r == SIGUSR1 ? "SIGUSR1" : "another",
	       info.si_signo == SIGUSR1 ? "SIGUSR1" : "another");
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "die")) { /* SIGALRM's default action */
		alarm(1);
		for (;;)
			pause();
	}
	alarm_calls();
	interval_timer();
	cpu_timer();
	timerfds();
	signal_waits();
	return 0;
}
