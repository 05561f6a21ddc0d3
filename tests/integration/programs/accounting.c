/*
 * What a daemon asks about its own running (accounting.sh): CPU time grows
 * while it computes and not while it sleeps (getrusage, times and the CPU
 * clock), niceness and scheduling policy, prctl's name and flags, its
 * process group and session, memory locking and residency. It prints only
 * what is the same for any process run as root: the same bytes as a glibc
 * program, a musl process and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static long cpu_ms(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static long clock_ms(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static volatile unsigned long sink;

/* Computes until the CPU time has grown by ms (or 5 s have passed: a loaded
 * host may give the process little of the CPU). */
static void busy(long ms)
{
	long start = cpu_ms(), give_up = clock_ms(CLOCK_MONOTONIC) + 5000;
	while (cpu_ms() - start < ms && clock_ms(CLOCK_MONOTONIC) < give_up)
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i * 7;
}

static void cpu_time(void)
{
	long before = cpu_ms(), clock_before = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	busy(40);
	long busy_ms = cpu_ms() - before,
	     clock_busy = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - clock_before;
	printf("computing is CPU time: %s\n", busy_ms >= 30 && clock_busy >= 30 ? "yes" : "no");
	before = cpu_ms(), clock_before = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec nap = {0, 150000000};
	nanosleep(&nap, NULL);
	long slept = cpu_ms() - before,
	     clock_slept = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - clock_before;
	printf("sleeping is not: %s\n", slept < 75 && clock_slept < 75 ? "yes" : "no");
	struct tms t;
	clock_t a = times(&t), b = times(&t);
	printf("times: %s\n", a != (clock_t)-1 && b >= a ? "ticks" : "failed");
	struct rusage children;
	int r = getrusage(RUSAGE_CHILDREN, &children); /* none were waited for */
	printf("children's rusage: %d %ld\n", r, (long)children.ru_utime.tv_sec);
	printf("bad who: %d\n", getrusage(7, &children));
}

static void policy(void)
{
	printf("nice: %d\n", getpriority(PRIO_PROCESS, 0));
	int r = setpriority(PRIO_PROCESS, 0, 10);
	printf("setpriority 10: %d, nice now %d\n", r, getpriority(PRIO_PROCESS, 0));
	/* musl answers the policy calls ENOSYS itself (they are per thread on
	 * Linux): the raw syscalls, as glibc makes them. */
	printf("scheduler: %ld (SCHED_OTHER %d)\n", syscall(SYS_sched_getscheduler, 0),
	       SCHED_OTHER);
	struct sched_param p = {0};
	long pr = syscall(SYS_sched_getparam, 0, &p);
	printf("getparam: %ld priority %d\n", pr, p.sched_priority);
	printf("priority range FIFO %d..%d, OTHER %d..%d\n", sched_get_priority_min(SCHED_FIFO),
	       sched_get_priority_max(SCHED_FIFO), sched_get_priority_min(SCHED_OTHER),
	       sched_get_priority_max(SCHED_OTHER));
	printf("setscheduler OTHER: %ld\n", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p));
}

static void names(void)
{
	char name[16] = {0};
	printf("set name: %d\n", prctl(PR_SET_NAME, "a-very-long-worker-name", 0, 0, 0));
	prctl(PR_GET_NAME, name, 0, 0, 0);
	printf("name: %s\n", name);
	int sig = -1;
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	printf("pdeathsig: %d", sig);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	printf(", then %d\n", sig);
	printf("dumpable: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	printf("no_new_privs: %d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	printf(", then %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void groups(void)
{
	printf("getpgid(0) is getpgrp(): %s\n", getpgid(0) == getpgrp() ? "yes" : "no");
	/* Not "> 0": a process whose session leader lives outside its PID
	 * namespace (a CI container) reads 0. */
	printf("getsid(0) >= 0: %s\n", getsid(0) >= 0 ? "yes" : "no");
	errno = 0;
	printf("getsid(1 << 22): %d errno %d\n", getsid(1 << 22), errno);
	printf("getpgid(1 << 22): %d\n", getpgid(1 << 22));
}

static void memory(void)
{
	size_t len = 3 * 4096;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(buf, 1, len);
	unsigned char vec[3] = {0};
	int r = mincore(buf, len, vec);
	printf("mincore: %d %d%d%d\n", r, vec[0] & 1, vec[1] & 1, vec[2] & 1);
	r = mlock(buf, len);
	printf("mlock: %d, munlock: %d\n", r, munlock(buf, len));
	r = mlockall(MCL_CURRENT);
	printf("mlockall: %d, munlockall: %d\n", r, munlockall());
	munmap(buf, len);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	cpu_time();
	policy();
	names();
	groups();
	memory();
	return 0;
}
