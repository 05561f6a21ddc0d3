/*
 * exec (exec.sh): a program that execs itself, given the path of its own
 * file (argv[1]): what survives an exec (the pid, fds without
 * close-on-exec, ignored signals, the mask, the environment it passes) and
 * what does not (its memory, close-on-exec fds, handlers); fork then exec
 * then wait; and the errors for a file that is not an executable. The same
 * bytes as a glibc program, a hut image run as a process, and an appliance
 * (where the image is on a volume: the one image an appliance can exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int changed = 1; /* stage 1 sets it to 2: stage 2 must see 1 again */

static void on_usr1(int sig)
{
	(void)sig;
}

static const char *err_name(int e)
{
	return e == ENOEXEC ? "ENOEXEC" : e == EACCES ? "EACCES" : e == ENOENT ? "ENOENT" : "other";
}

static void try_exec(const char *what, const char *path)
{
	char *argv[] = {"exec", "never", NULL};
	errno = 0;
	int r = execv(path, argv);
	printf("exec of %s: %d %s\n", what, r, err_name(errno));
}

static int stage2(char **argv)
{
	printf("stage 2: argv %s %s, X=%s, same pid: %s\n", argv[1], argv[3], getenv("X"),
	       atoi(getenv("PID")) == getpid() ? "yes" : "no");
	printf("a global starts again: %d\n", changed);
	printf("fd 3 (kept) open: %s, fd 4 (close-on-exec) open: %s\n",
	       fcntl(3, F_GETFD) >= 0 ? "yes" : "no", fcntl(4, F_GETFD) >= 0 ? "yes" : "no");
	struct sigaction sa;
	sigaction(SIGUSR1, 0, &sa);
	printf("SIGUSR1's handler after exec: %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : "kept");
	sigaction(SIGHUP, 0, &sa);
	printf("SIGHUP ignored still: %s\n", sa.sa_handler == SIG_IGN ? "yes" : "no");
	sigset_t now;
	sigprocmask(SIG_BLOCK, 0, &now);
	printf("SIGUSR2 blocked still: %s\n", sigismember(&now, SIGUSR2) ? "yes" : "no");
	char *heap = malloc(1 << 20);
	memset(heap, 1, 1 << 20);
	printf("the heap works: %s\n", heap[12345] == 1 ? "yes" : "no");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = {"exec", "stage3", argv[2], NULL};
		execv(argv[2], args);
		_exit(99);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("fork, exec, wait: exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	try_exec("a text file", argv[4]);
	try_exec("a file nobody may run", argv[5]);
	try_exec("a missing file", "/nowhere/at/all");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "stage3"))
		return 7;
	if (argc >= 6 && !strcmp(argv[1], "stage2"))
		return stage2(argv);
	if (argc != 4) {
		fprintf(stderr, "usage: exec OWN-PATH TEXT-FILE NOT-EXECUTABLE\n");
		return 2;
	}
	changed = 2;
	int p[2];
	pipe(p);
	dup2(p[1], 3);
	int cloexec = open("/", O_RDONLY | O_CLOEXEC);
	dup3(cloexec, 4, O_CLOEXEC);
	signal(SIGUSR1, on_usr1);
	signal(SIGHUP, SIG_IGN);
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, 0);
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	char *env[] = {"X=passed", NULL, NULL};
	char pid_env[32];
	snprintf(pid_env, sizeof pid_env, "PID=%s", pid);
	env[1] = pid_env;
	printf("stage 1: a global %d, exec next\n", changed);
	fflush(stdout);
	char *args[] = {"exec", "stage2", argv[1], "end", argv[2], argv[3], NULL};
	execve(argv[1], args, env);
	printf("exec failed: %s\n", strerror(errno));
	return 1;
}
