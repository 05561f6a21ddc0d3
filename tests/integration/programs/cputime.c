/*
 * Each process has its own CPU clock (cputime.sh): a child that spins
 * 120 ms of CPU time leaves its parent's clock (blocked in wait4 meanwhile)
 * nearly where it was; wait4's rusage, getrusage(RUSAGE_CHILDREN) and
 * times()'s cutime then hold the child's time; a child's clock starts near
 * 0; a parent's ITIMER_VIRTUAL does not fire while its child spins, and
 * fires once the parent spins itself. It prints only what is the same for
 * any run: the same bytes as a glibc program, a hut process and an
 * appliance.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPIN_MS 120

static long cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void spin_cpu_ms(long ms)
{
	long until = cpu_ms() + ms;
	while (cpu_ms() < until)
		;
}

static long tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static volatile sig_atomic_t vtalrm;

static void on_vtalrm(int sig)
{
	(void)sig;
	vtalrm = 1;
}

/* A child spins; the parent waits in wait4 and looks at the clocks. */
static void child_spins(void)
{
	long before = cpu_ms();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: its clock starts near 0: %s\n", cpu_ms() < 30 ? "yes" : "no");
		spin_cpu_ms(SPIN_MS);
		fflush(stdout);
		_exit(0);
	}
	int status;
	struct rusage ru, children;
	if (wait4(pid, &status, 0, &ru) != pid)
		exit(1);
	long mine = cpu_ms() - before;
	printf("parent: my clock moved less than half the child's spin: %s\n",
	       mine < SPIN_MS / 2 ? "yes" : "no");
	printf("parent: wait4's rusage has the child's spin: %s\n",
	       tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= SPIN_MS - 10 ? "yes" : "no");
	getrusage(RUSAGE_CHILDREN, &children);
	printf("parent: RUSAGE_CHILDREN has it: %s\n",
	       tv_ms(children.ru_utime) + tv_ms(children.ru_stime) >= SPIN_MS - 10 ? "yes" : "no");
	struct tms t;
	times(&t);
	long hz = sysconf(_SC_CLK_TCK);
	printf("parent: times()'s cutime has it: %s\n",
	       (t.tms_cutime + t.tms_cstime) * 1000 / hz >= SPIN_MS - 20 ? "yes" : "no");
}

/* The parent's ITIMER_VIRTUAL counts the parent's CPU time alone. */
static void virtual_timer_is_mine(void)
{
	signal(SIGVTALRM, on_vtalrm);
	struct itimerval it = {{0, 0}, {0, 60000}}; /* 60 ms of my CPU time */
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		spin_cpu_ms(SPIN_MS);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) != pid)
		; /* a SIGVTALRM here would be EINTR: then it fired too early */
	printf("parent: ITIMER_VIRTUAL fired while the child spun: %s\n", vtalrm ? "yes" : "no");
	long until = cpu_ms() + 2000;
	while (!vtalrm && cpu_ms() < until)
		;
	printf("parent: it fired once I spun: %s\n", vtalrm ? "yes" : "no");
}

int main(void)
{
	child_spins();
	virtual_timer_is_mine();
	return 0;
}
