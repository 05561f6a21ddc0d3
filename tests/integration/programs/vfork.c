/*
 * vfork (vfork.sh): the parent sleeps until its vfork child ends or execs,
 * so the child's output always comes first even when it sleeps before
 * writing; clone(CLONE_VM|CLONE_VFORK) with a stack of its own, as musl's
 * and glibc's posix_spawn make it, reports a failed exec (ENOENT, EACCES)
 * as posix_spawn's result; a signal for the parent waits for the child.
 * `vfork spawn PATH` also posix_spawns PATH (this program) with `child`,
 * whose exit status and output come back. It prints only what is the same
 * for any run: the same bytes as a glibc program, a hut process and an
 * appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wait_status.h"

extern char **environ;

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(99);
}

static void nap_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000};
	nanosleep(&ts, NULL);
}

/* The child naps before it writes: a parent that ran on would write first. */
static void child_runs_first(void)
{
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		nap_ms(100);
		say("vfork child: wrote before the parent went on\n");
		_exit(7);
	}
	say("vfork parent: went on after the child ended\n");
	int status = 0;
	printf("waitpid returns the child: %s\n", waitpid(pid, &status, 0) == pid ? "yes" : "no");
	report("vfork child", status);
}

static void on_usr1(int sig)
{
	(void)sig;
	say("parent: SIGUSR1 handler runs\n");
}

/* The child signals its parent, naps and writes: the parent takes the
 * signal only once it goes on, after the child's line. */
static void signal_waits_for_child(void)
{
	signal(SIGUSR1, on_usr1);
	pid_t parent = getpid();
	pid_t pid = vfork();
	if (pid == 0) {
		kill(parent, SIGUSR1);
		nap_ms(50);
		say("signalling child: napped, ends\n");
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	report("signalling child", status);
	signal(SIGUSR1, SIG_DFL);
}

static void spawn_fails(const char *path, const char *what)
{
	pid_t pid = 0;
	char *argv[] = {(char *)path, NULL};
	int r = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	printf("posix_spawn of %s: %s\n", what, r ? strerror(r) : "succeeded");
	if (r == 0) {
		int status = 0;
		waitpid(pid, &status, 0);
		report("it", status);
	}
}

static void spawn_self(const char *path)
{
	pid_t pid = 0;
	char *argv[] = {(char *)path, "child", NULL};
	fflush(stdout);
	int r = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	printf("posix_spawn of this program: %s\n", r ? strerror(r) : "0");
	int status = 0;
	printf("waitpid returns it: %s\n", waitpid(pid, &status, 0) == pid ? "yes" : "no");
	report("spawned child", status);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		say("spawned child: runs\n");
		return 5;
	}
	child_runs_first();
	signal_waits_for_child();
	spawn_fails("/no/such/program", "a missing file");
	spawn_fails("/", "a directory");
	if (argc > 2 && !strcmp(argv[1], "spawn"))
		spawn_self(argv[2]);
	return 0;
}
