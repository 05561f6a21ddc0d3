/*
 * Timers belong to their process (proctimers.sh): a child's ITIMER_REAL,
 * ITIMER_VIRTUAL and POSIX timer signal the child, never the parent (which
 * would die of them: it leaves those signals at their default action) even
 * while the parent is the one running or waiting; parent and child each
 * get their own alarm when both have one armed; fork's child starts with
 * no alarm, interval timer or POSIX timer, and its POSIX timer ids start
 * at the first, as Linux's; `proctimers exec PATH` arms an alarm and an
 * interval timer, execs PATH (this program), which finds them still armed.
 * It prints only what is the same for any run: the same bytes as a glibc
 * program, a hut process and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wait_status.h"

static int to_parent = -1; /* the child's handlers write what they got */
static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
	if (to_parent >= 0) {
		char c = (char)sig;
		if (write(to_parent, &c, 1) < 0)
			_exit(2);
	}
}

static void handle(int sig)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void child_arms(int how)
{
	if (how == 0) {
		struct itimerval it = {{0, 0}, {0, 100000}};
		setitimer(ITIMER_REAL, &it, NULL);
		while (!got)
			pause();
	} else if (how == 1) {
		struct itimerval it = {{0, 0}, {0, 50000}};
		setitimer(ITIMER_VIRTUAL, &it, NULL);
		while (!got) /* spins: CPU time passes */
			;
	} else {
		struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
		timer_t id;
		if (timer_create(CLOCK_MONOTONIC, &ev, &id) < 0)
			_exit(3);
		struct itimerspec its = {{0, 0}, {0, 100000000}};
		timer_settime(id, 0, &its, NULL);
		while (!got)
			pause();
	}
}

/* The parent waits (in read, or spinning) while the child's timer runs. */
static void child_timer(int how, const char *what, int sig, int parent_spins)
{
	int p[2];
	if (pipe(p) < 0)
		exit(1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		to_parent = p[1];
		handle(sig);
		child_arms(how);
		_exit(0);
	}
	close(p[1]);
	if (parent_spins) {
		struct timespec start, now;
		clock_gettime(CLOCK_MONOTONIC, &start);
		do
			clock_gettime(CLOCK_MONOTONIC, &now);
		while ((now.tv_sec - start.tv_sec) * 1000 +
			       (now.tv_nsec - start.tv_nsec) / 1000000 <
		       300);
	}
	char c = 0;
	ssize_t n = read(p[0], &c, 1);
	printf("%s: the child got signal %d: %s\n", what, sig, n == 1 && c == sig ? "yes" : "no");
	int status = 0;
	waitpid(pid, &status, 0);
	report("the child", status);
	close(p[0]);
}

static void both_have_alarms(void)
{
	int p[2];
	if (pipe(p) < 0)
		exit(1);
	got = 0;
	handle(SIGALRM);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		to_parent = p[1];
		got = 0;
		struct itimerval it = {{0, 0}, {0, 100000}};
		setitimer(ITIMER_REAL, &it, NULL);
		while (!got)
			pause();
		_exit(0);
	}
	close(p[1]);
	struct itimerval it = {{0, 0}, {0, 600000}};
	setitimer(ITIMER_REAL, &it, NULL);
	char c = 0;
	ssize_t n;
	while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
		;
	printf("both armed: the child's SIGALRM reached the child: %s\n",
	       n == 1 && c == SIGALRM ? "yes" : "no");
	printf("the parent's had not fired yet: %s\n", got ? "no" : "yes");
	while (!got)
		pause();
	printf("then the parent's reached the parent: yes\n");
	int status = 0;
	waitpid(pid, &status, 0);
	report("the child", status);
	close(p[0]);
	signal(SIGALRM, SIG_DFL);
}

static void fork_clears_them(void)
{
	handle(SIGUSR2);
	alarm(30);
	struct itimerval it = {{1, 0}, {20, 0}}, left;
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
	timer_t a, b;
	timer_create(CLOCK_MONOTONIC, &ev, &a);
	struct itimerspec its = {{0, 0}, {20, 0}};
	timer_settime(a, 0, &its, NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: alarm(0) = %u\n", alarm(0));
		getitimer(ITIMER_VIRTUAL, &left);
		printf("child: ITIMER_VIRTUAL armed: %s\n",
		       left.it_value.tv_sec || left.it_value.tv_usec ? "yes" : "no");
		struct itimerspec cur;
		errno = 0;
		int r = timer_gettime(a, &cur);
		printf("child: the parent's POSIX timer: %d %s\n", r, strerror(errno));
		timer_create(CLOCK_MONOTONIC, &ev, &b);
		printf("child: its first timer has the parent's first id: %s\n",
		       memcmp(&a, &b, sizeof a) ? "no" : "yes");
		fflush(stdout);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	report("the child", status);
	printf("parent: alarm(0) = %u\n", alarm(0));
	getitimer(ITIMER_VIRTUAL, &left);
	printf("parent: ITIMER_VIRTUAL armed: %s\n", left.it_value.tv_sec ? "yes" : "no");
	struct itimerspec cur;
	int r = timer_gettime(a, &cur); /* before cur is read */
	printf("parent: its POSIX timer: %d, armed %s\n", r,
	       cur.it_value.tv_sec > 10 ? "yes" : "no");
	it = (struct itimerval){{0, 0}, {0, 0}};
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	timer_delete(a);
}

static void after_exec(void)
{
	struct itimerval left;
	printf("after exec: alarm(0) = %u\n", alarm(0));
	getitimer(ITIMER_VIRTUAL, &left);
	printf("after exec: ITIMER_VIRTUAL still armed: %s, interval %ld s\n",
	       left.it_value.tv_sec >= 10 ? "yes" : "no", (long)left.it_interval.tv_sec);
}

static void exec_keeps_them(const char *path)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(40);
		struct itimerval it = {{20, 0}, {30, 0}};
		setitimer(ITIMER_VIRTUAL, &it, NULL);
		execl(path, path, "after-exec", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	report("the exec'd child", status);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		after_exec();
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "exec")) {
		exec_keeps_them(argv[2]);
		return 0;
	}
	child_timer(0, "ITIMER_REAL in the child, the parent waits", SIGALRM, 0);
	child_timer(0, "ITIMER_REAL in the child, the parent spins", SIGALRM, 1);
	child_timer(1, "ITIMER_VIRTUAL in the child, the parent waits", SIGVTALRM, 0);
	child_timer(2, "a POSIX timer in the child, the parent waits", SIGUSR1, 0);
	child_timer(2, "a POSIX timer in the child, the parent spins", SIGUSR1, 1);
	both_have_alarms();
	fork_clears_them();
	return 0;
}
