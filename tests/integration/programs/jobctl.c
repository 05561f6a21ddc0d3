/*
 * Stop and continue (jobctl.sh): SIGSTOP stops a child (a counter it bumps
 * in shared memory stands still), wait4 with WUNTRACED reports it once,
 * SIGCONT continues it (WCONTINUED reports that, and the counter moves),
 * SIGCHLD says CLD_STOPPED and CLD_CONTINUED (not with SA_NOCLDSTOP); a
 * child that raises SIGTSTP stops itself; a stop stops every thread of a
 * child; a signal sent while stopped
 * waits for the SIGCONT; a stopped child still dies of SIGKILL; waitid's
 * WSTOPPED, WCONTINUED and WNOWAIT; SIGTSTP with a handler does not stop.
 * It prints only what is the same for any run: the same bytes as a glibc
 * program, a hut process and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wait_status.h"

static volatile unsigned long *counter; /* shared with the children */
static volatile sig_atomic_t chld_count, chld_code, chld_status;

static void nap_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_count++;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void catch_chld(int flags)
{
	struct sigaction sa = {.sa_sigaction = on_chld,
			       .sa_flags = SA_SIGINFO | SA_RESTART | flags};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
}

static const char *code_name(int code)
{
	switch (code) {
	case CLD_EXITED:
		return "CLD_EXITED";
	case CLD_KILLED:
		return "CLD_KILLED";
	case CLD_STOPPED:
		return "CLD_STOPPED";
	case CLD_CONTINUED:
		return "CLD_CONTINUED";
	default:
		return "other";
	}
}

/* Waits until the SIGCHLD handler has run n times in all (or gives up). */
static void await_chld(int n)
{
	for (int i = 0; i < 200 && chld_count < n; i++)
		nap_ms(5);
}

static void say_chld(const char *when)
{
	printf("SIGCHLD after %s: %d so far, last %s, status %d\n", when, (int)chld_count,
	       code_name(chld_code), (int)chld_status);
}

static pid_t counting_child(void)
{
	*counter = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (;;) {
			(*counter)++;
			getppid(); /* a syscall now and then, as most programs make */
		}
	}
	while (*counter < 1000)
		nap_ms(1);
	return pid;
}

static void stop_and_continue(void)
{
	catch_chld(0);
	chld_count = 0;
	pid_t pid = counting_child();
	int status = 0;
	kill(pid, SIGSTOP);
	printf("waitpid(WUNTRACED) returns it: %s\n",
	       waitpid(pid, &status, WUNTRACED) == pid ? "yes" : "no");
	report("child", status);
	await_chld(1);
	say_chld("the stop");
	unsigned long before = *counter;
	nap_ms(50);
	printf("the stopped child stands still: %s\n", *counter == before ? "yes" : "no");
	printf("the stop is reported once: waitpid(WUNTRACED|WNOHANG) = %d\n",
	       (int)waitpid(pid, &status, WUNTRACED | WNOHANG));
	kill(pid, SIGCONT);
	printf("waitpid(WCONTINUED) returns it: %s\n",
	       waitpid(pid, &status, WCONTINUED) == pid ? "yes" : "no");
	report("child", status);
	await_chld(2);
	say_chld("the continue");
	before = *counter;
	for (int i = 0; i < 200 && *counter == before; i++)
		nap_ms(5);
	printf("the continued child runs again: %s\n", *counter != before ? "yes" : "no");
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	report("stopped again", status);
	await_chld(3);
	kill(pid, SIGKILL);
	printf("waitpid returns it: %s\n", waitpid(pid, &status, 0) == pid ? "yes" : "no");
	report("a stopped child sent SIGKILL", status);
	await_chld(4);
	say_chld("the SIGKILL");
}

static void *count_on(void *arg)
{
	(void)arg;
	for (;;) {
		counter[1]++;
		getppid();
	}
	return NULL;
}

/* Two threads count, each its own counter: a stop stands both still. */
static void threads_stop_too(void)
{
	counter[0] = counter[1] = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, count_on, NULL);
		for (;;) {
			counter[0]++;
			getppid();
		}
	}
	while (counter[0] < 1000 || counter[1] < 1000)
		nap_ms(1);
	int status = 0;
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	report("a child with two threads", status);
	nap_ms(20); /* a thread on another CPU stops within this */
	unsigned long a = counter[0], b = counter[1];
	nap_ms(50);
	printf("both of its threads stand still: %s\n",
	       counter[0] == a && counter[1] == b ? "yes" : "no");
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	for (int i = 0; i < 200 && (counter[0] == a || counter[1] == b); i++)
		nap_ms(5);
	printf("both run again: %s\n", counter[0] != a && counter[1] != b ? "yes" : "no");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	report("it", status);
}

static void no_cldstop(void)
{
	catch_chld(SA_NOCLDSTOP);
	chld_count = 0;
	pid_t pid = counting_child();
	int status = 0;
	kill(pid, SIGTSTP);
	waitpid(pid, &status, WUNTRACED);
	report("SIGTSTP", status);
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	report("SIGCONT", status);
	nap_ms(20);
	printf("SA_NOCLDSTOP: SIGCHLD for the stop and continue: %d\n", (int)chld_count);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	report("SIGTERM", status);
	await_chld(1);
	say_chld("the end");
}

static void stops_itself(void)
{
	catch_chld(0);
	int p[2];
	if (pipe(p) < 0)
		exit(1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		raise(SIGTSTP);
		if (write(p[1], "c", 1) < 0)
			_exit(2);
		_exit(3);
	}
	close(p[1]);
	int status = 0;
	waitpid(pid, &status, WUNTRACED);
	report("raise(SIGTSTP)", status);
	kill(pid, SIGCONT);
	char c = 0;
	printf("after SIGCONT the child goes on: %s\n", read(p[0], &c, 1) == 1 ? "yes" : "no");
	waitpid(pid, &status, 0);
	report("it", status);
	close(p[0]);
}

static int usr1_pipe = -1;

static void on_usr1(int sig)
{
	(void)sig;
	if (write(usr1_pipe, "u", 1) < 0)
		_exit(2);
}

static void on_tstp(int sig)
{
	(void)sig;
	if (write(usr1_pipe, "t", 1) < 0)
		_exit(2);
}

/* The child's handlers write to a pipe: what arrives says when they ran. */
static void signals_wait_for_sigcont(void)
{
	int p[2];
	if (pipe(p) < 0)
		exit(1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		usr1_pipe = p[1];
		signal(SIGUSR1, on_usr1);
		signal(SIGTSTP, on_tstp);
		if (write(p[1], "r", 1) < 0)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	char c = 0;
	printf("child ready: %s\n", read(p[0], &c, 1) == 1 && c == 'r' ? "yes" : "no");
	kill(pid, SIGTSTP);
	printf("SIGTSTP with a handler runs it: %s\n",
	       read(p[0], &c, 1) == 1 && c == 't' ? "yes" : "no");
	int status = 0;
	printf("and does not stop it: waitpid(WUNTRACED|WNOHANG) = %d\n",
	       (int)waitpid(pid, &status, WUNTRACED | WNOHANG));
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	report("SIGSTOP", status);
	kill(pid, SIGUSR1);
	nap_ms(50);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ssize_t n = read(p[0], &c, 1);
	printf("SIGUSR1 while stopped: handled at once: %s\n", n == 1 ? "yes" : "no");
	fcntl(p[0], F_SETFL, 0);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	kill(pid, SIGCONT);
	int r = waitid(P_PID, (id_t)pid, &si, WCONTINUED | WNOWAIT);
	printf("waitid(WCONTINUED|WNOWAIT): %d, %s, status %d, pid matches: %s\n", r,
	       code_name(si.si_code), si.si_status, si.si_pid == pid ? "yes" : "no");
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, (id_t)pid, &si, WCONTINUED);
	printf("waitid(WCONTINUED) again: %d, %s\n", r, code_name(si.si_code));
	printf("after SIGCONT the handler ran: %s\n",
	       read(p[0], &c, 1) == 1 && c == 'u' ? "yes" : "no");
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, (id_t)pid, &si, WSTOPPED);
	printf("waitid(WSTOPPED): %d, %s, status %d\n", r, code_name(si.si_code), si.si_status);
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG);
	printf("waitid(WSTOPPED|WNOHANG) again: %d, pid %d\n", r, (int)si.si_pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	report("SIGKILL", status);
	close(p[0]);
}

int main(void)
{
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		return 1;
	stop_and_continue();
	signal(SIGCHLD, SIG_DFL);
	threads_stop_too();
	no_cldstop();
	stops_itself();
	signal(SIGCHLD, SIG_DFL);
	signals_wait_for_sigcont();
	return 0;
}
