/*
 * signals: handlers for signals a program sends itself run as on Linux:
 * plain and SA_SIGINFO handlers, the mask (a blocked signal waits until
 * unblocked), sigsuspend (the handler runs under the call's mask, the
 * caller's comes back), SA_RESETHAND, a handler raising another signal, floating-point
 * state surviving a handler that computes, and the interrupted syscall's
 * result. `signals abort`: abort() with a SIGABRT handler that returns
 * still ends the program with SIGABRT (134).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, usr2, term, nested;
static volatile int info_ok;
static volatile double sink;

static void on_usr1(int sig)
{
	usr1++;
	/* Clobber the FPU/SSE registers the interrupted code may be using. */
	double x = sig;
	for (int i = 0; i < 100; i++)
		x = x * 1.5 + 0.25;
	sink = x;
}

static void on_usr2(int sig, siginfo_t *info, void *uc)
{
	usr2++;
	info_ok = sig == SIGUSR2 && info && info->si_signo == SIGUSR2 && uc != NULL;
}

static void on_term(int sig)
{
	(void)sig;
	term++;
	raise(SIGUSR1); /* nested: runs before we return */
	nested = usr1;
}

static void on_abort(int sig)
{
	(void)sig;
	printf("SIGABRT handler ran\n");
	fflush(stdout);
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "abort")) {
		handle(SIGABRT, on_abort, 0);
		abort();
	}
	handle(SIGUSR1, on_usr1, 0);
	volatile double a = 1.0 / 3.0, b = 2.0 / 7.0;
	double before = a * b;
	int r = raise(SIGUSR1);
	printf("plain handler: ran %d, raise returned %d, floats kept %s\n", (int)usr1, r,
	       a * b == before ? "yes" : "no");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr2;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	kill(getpid(), SIGUSR2);
	printf("siginfo handler: ran %d, info ok %d\n", (int)usr2, info_ok);

	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	printf("while blocked: ran %d\n", (int)usr1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("after unblock: ran %d\n", (int)usr1);

	sigprocmask(SIG_BLOCK, &set, &old);
	int ran_before = usr1;
	raise(SIGUSR1);
	sigset_t none, after;
	sigemptyset(&none);
	r = sigsuspend(&none);
	int err = errno;
	sigprocmask(SIG_SETMASK, NULL, &after);
	printf("sigsuspend: returned %d (%s), handler ran %d, SIGUSR1 blocked after: %s\n", r,
	       strerror(err), (int)usr1 - ran_before, sigismember(&after, SIGUSR1) ? "yes" : "no");
	sigprocmask(SIG_SETMASK, &old, NULL);

	handle(SIGTERM, on_term, 0);
	raise(SIGTERM);
	printf("nested: term %d, usr1 inside %d\n", (int)term, (int)nested);

	handle(SIGUSR2, (void (*)(int))on_usr1, SA_RESETHAND);
	raise(SIGUSR2);
	struct sigaction now;
	sigaction(SIGUSR2, NULL, &now);
	printf("SA_RESETHAND: back to default %s\n", now.sa_handler == SIG_DFL ? "yes" : "no");

	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	printf("ignored: still here, ran %d\n", (int)usr1);
	return 0;
}
