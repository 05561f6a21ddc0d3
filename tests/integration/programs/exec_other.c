/*
 * exec of other programs (tests/integration/exec.sh): for each path given,
 * fork a child that execs it (programs/execee.c, built one way or another)
 * with arguments, an environment and a pipe on fd 3, then read what the
 * child wrote to the pipe and wait for it. The same bytes whichever way the
 * programs were built, as a process and as an appliance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void run(const char *path, int n)
{
	int p[2];
	if (pipe(p) != 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char parent[32], exe[4200];
		char *env[] = {"GREETING=hello from exec_other", parent, exe, NULL};
		snprintf(parent, sizeof parent, "PARENT=%d", (int)getppid());
		snprintf(exe, sizeof exe, "EXE_PATH=%s", path);
		dup2(p[1], 3);
		char number[16];
		snprintf(number, sizeof number, "%d", n);
		char *args[] = {"execee", "run", number, NULL};
		execve(path, args, env);
		_exit(99);
	}
	close(p[1]);
	char buf[256];
	ssize_t got = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	if (got > 0)
		printf("run %d: the child wrote %zd bytes to fd 3: %.*s", n, got, (int)got, buf);
	else
		printf("run %d: the child wrote nothing to fd 3\n", n);
	printf("run %d: exited %d\n", n, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		run(argv[i], i);
	return 0;
}
