/*
 * Processes (fork.sh): fork gives the child a copy of memory (globals, heap,
 * stack) that the parent no longer sees change, the same open files (a
 * pipe joins them), its own fd table, and a parent it can name; wait4,
 * waitpid and waitid report how a child ended (status, signal) once;
 * WNOHANG does not wait; SIGCHLD runs its handler with the child's pid;
 * kill reaches another process; a child that crashes ends alone; with
 * SIGCHLD ignored no zombie is left; an orphan goes to the subreaper (pid 1
 * in an appliance: the program itself); PR_SET_PDEATHSIG fires when the
 * parent ends; many forks in a row work; the stack above the forking frame
 * (a caller's large array) is the child's too, and either side may then
 * grow its stack deeper than it was at the fork. It prints only
 * what is the same for any run: the same bytes as a glibc program, a hut
 * image run as a process, and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait_status.h"

static int global = 1;
static volatile sig_atomic_t chld_pid, chld_code, chld_status;

static void memory_is_copied(void)
{
	int on_stack = 2;
	int *on_heap = malloc(sizeof *on_heap);
	*on_heap = 3;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		global = 10, on_stack = 20, *on_heap = 30;
		printf("child sees %d %d %d\n", global, on_stack, *on_heap);
		exit(7);
	}
	int status;
	printf("waitpid returns the child: %s\n", waitpid(pid, &status, 0) == pid ? "yes" : "no");
	report("child", status);
	printf("parent still sees %d %d %d\n", global, on_stack, *on_heap);
	free(on_heap);
}

/* 1,000 bytes a frame, n frames deep: the stack grows about 1 MiB a 1,000. */
static long deep(int n)
{
	volatile char pad[1000];
	pad[0] = (char)n;
	return n ? deep(n - 1) + pad[0] : 0;
}

__attribute__((noinline)) static void fork_below(const unsigned char *big, size_t len)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long sum = 0;
		for (size_t i = 0; i < len; i++)
			sum += big[i];
		printf("child: the caller's array sums to %lu\n", sum);
		printf("child: 2,000 frames deeper: %ld\n", deep(2000));
		fflush(stdout);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	report("stack child", status);
	printf("parent: 2,000 frames deeper too: %ld\n", deep(2000));
}

static void stack_is_copied(void)
{
	unsigned char big[256 * 1024];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7);
	fork_below(big, sizeof big);
}

static void pipe_joins_them(void)
{
	int p[2];
	char buf[64] = "";
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		char line[64];
		int n = snprintf(line, sizeof line, "my parent is %s",
				 getppid() == (pid_t)strtol(getenv("PARENT"), 0, 10) ? "right"
										     : "wrong");
		write(p[1], line, (size_t)n);
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	printf("from the child through a pipe: %.*s\n", (int)(n > 0 ? n : 0), buf);
	printf("then end of file: %s\n", read(p[0], buf, 1) == 0 ? "yes" : "no");
	close(p[0]);
	waitpid(pid, 0, 0);
}

static void nohang_then_wait(void)
{
	int go[2];
	pipe(go);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		read(go[0], &c, 1);
		_exit(c);
	}
	close(go[0]);
	int status = -1;
	printf("WNOHANG while it runs: %d\n", (int)waitpid(pid, &status, WNOHANG));
	write(go[1], "\x05", 1);
	close(go[1]);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	printf("waitid WNOWAIT: %s\n", waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 &&
						       si.si_pid == pid &&
						       si.si_code == CLD_EXITED && si.si_status == 5
					       ? "the child, exited 5"
					       : "wrong");
	printf("then wait4 reaps it: %s\n", wait4(pid, &status, 0, 0) == pid ? "yes" : "no");
	report("child", status);
	errno = 0;
	int got = (int)wait(&status);
	printf("no child left: %d %s\n", got, errno == ECHILD ? "ECHILD" : "other");
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_pid = si->si_pid;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void sigchld_and_kill(void)
{
	struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigaction(SIGCHLD, &sa, 0);
	int ready[2];
	pipe(ready);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	char c;
	close(ready[1]);
	read(ready[0], &c, 1);
	printf("kill the child: %d\n", kill(pid, SIGTERM));
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	report("killed child", status);
	printf("SIGCHLD came from it: %s, code %s, signal %d\n", chld_pid == pid ? "yes" : "no",
	       chld_code == CLD_KILLED ? "CLD_KILLED" : "other", (int)chld_status);
	int killed = kill(pid, 0);
	printf("kill of a reaped pid: %d %s\n", killed, errno == ESRCH ? "ESRCH" : "other");
	signal(SIGCHLD, SIG_DFL);
	close(ready[0]);
}

static volatile int zero;

/* Three crashes: a page fault, an invalid opcode, a division by zero. */
static void crash_ends_the_child(void)
{
	static const char *const kinds[] = {"page fault", "ud2", "division by zero"};
	for (int k = 0; k < 3; k++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (k == 0) {
				volatile int *volatile nowhere = 0;
				*nowhere = 1;
			} else if (k == 1) {
				__asm__ volatile("ud2");
			} else {
				zero = 7 / zero;
			}
			_exit(0);
		}
		int status;
		waitpid(pid, &status, 0);
		char what[64];
		snprintf(what, sizeof what, "child crashed by a %s", kinds[k]);
		report(what, status);
	}
}

static void ignored_sigchld_leaves_no_zombie(void)
{
	signal(SIGCHLD, SIG_IGN);
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		if (fork() == 0)
			_exit(0);
	errno = 0;
	int got = (int)wait(0);
	printf("wait with SIGCHLD ignored: %d %s\n", got, errno == ECHILD ? "ECHILD" : "other");
	signal(SIGCHLD, SIG_DFL);
}

/* The middle process ends; its child, told by PDEATHSIG, reports who its
 * parent is now. */
static void orphans_come_to_the_subreaper(void)
{
	int p[2];
	pipe(p);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(stdout);
	pid_t middle = fork();
	if (middle == 0) {
		if (fork() == 0) {
			sigset_t usr1;
			sigemptyset(&usr1);
			sigaddset(&usr1, SIGUSR1);
			sigprocmask(SIG_BLOCK, &usr1, 0);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			write(p[1], "r", 1);
			int sig;
			sigwait(&usr1, &sig);
			char line[80];
			int n = snprintf(
				line, sizeof line,
				"orphan told by signal %d, its parent is the top: %s\n", sig,
				getppid() == (pid_t)strtol(getenv("PARENT"), 0, 10) ? "yes" : "no");
			write(p[1], line, (size_t)n);
			_exit(0);
		}
		char c;
		read(p[0], &c, 1); /* the grandchild is ready */
		_exit(0);
	}
	close(p[1]);
	int status;
	waitpid(middle, &status, 0);
	char buf[100];
	ssize_t n = read(p[0], buf, sizeof buf);
	printf("%.*s", (int)(n > 0 ? n : 0), buf);
	printf("and it is the top's to reap: %s\n", wait(&status) > 0 ? "yes" : "no");
	close(p[0]);
}

static void many_forks(void)
{
	int done = 0;
	for (int i = 0; i < 200; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(i & 0x7f);
		int status;
		if (waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == (i & 0x7f))
			done++;
	}
	printf("forked, ended and reaped: %d of 200\n", done);
}

/* fork.sh's leak check, in an appliance only (a host's free memory moves
 * on its own): the arena's free pages before and after 1,000 children. */
static int leak_check(void)
{
	struct sysinfo before, after;
	many_forks(); /* the first fork makes the libos's tables: not a leak */
	sysinfo(&before);
	for (int i = 0; i < 5; i++)
		many_forks();
	sysinfo(&after);
	printf("pages lost to 1000 forks: %ld\n", (long)(before.freeram - after.freeram) / 4096);
	return 0;
}

/* fork.sh's --pids check, in an appliance only: children that wait on a
 * pipe until fork fails, then all end. */
static int pids_check(void)
{
	int go[2], n = 0;
	pipe(go);
	for (;;) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			char c;
			close(go[1]);
			read(go[0], &c, 1);
			_exit(0);
		}
		n++;
	}
	int err = errno;
	close(go[1]);
	while (wait(0) > 0)
		;
	printf("children before fork failed: %d (%s)\n", n, err == EAGAIN ? "EAGAIN" : "other");
	pid_t again = fork();
	if (again == 0)
		_exit(0);
	printf("after they ended, fork works again: %s\n", again > 0 ? "yes" : "no");
	waitpid(again, 0, 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "pids") == 0)
		return pids_check();
	if (argc > 1 && strcmp(argv[1], "leak") == 0)
		return leak_check();
	char me[16];
	snprintf(me, sizeof me, "%d", (int)getpid());
	setenv("PARENT", me, 1);
	memory_is_copied();
	stack_is_copied();
	pipe_joins_them();
	nohang_then_wait();
	sigchld_and_kill();
	crash_ends_the_child();
	ignored_sigchld_leaves_no_zombie();
	orphans_come_to_the_subreaper();
	many_forks();
	return 0;
}
