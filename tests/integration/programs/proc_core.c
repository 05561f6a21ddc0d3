/*
 * A crashed process's core (core.sh): pid 1 forks a child that changes a
 * global and a heap buffer (copies of its own now: copy-on-write) and then
 * stores through a null pointer in crash_in_child. pid 1 waits and prints
 * how the child ended (WCOREDUMP, waitid's CLD_DUMPED) and that its own memory did not
 * change. core.sh reads the child's core with gdb: the backtrace must
 * name crash_in_child and main, and the child's strings, not the
 * parent's, must be there. With "scatter" the child first writes every
 * other page of a 4 MiB buffer, each then a frame of its own between its
 * parent's: more pieces than a core holds, so the core says what it left
 * out. With "ill" the child dies of an invalid opcode (SIGILL) instead.
 * With "threads" it has a second thread, blocked in read, when it crashes.
 * With "abort" it calls abort(): a signal whose default action dumps core.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char global_note[32] = "parent-global";
static char *heap_note;
int *volatile nowhere; /* NULL, out of the compiler's sight */

static int illegal;  /* "ill": an invalid opcode instead (another gate) */
static int aborting; /* "abort": SIGABRT, taken in a syscall */
static int ready_pipe[2], never_pipe[2];

/* "threads": a second thread of the child, blocked in read when it crashes. */
static void *blocked_thread(void *arg)
{
	char c = 1;
	(void)arg;
	if (write(ready_pipe[1], &c, 1) != 1 || read(never_pipe[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void start_blocked_thread(void)
{
	pthread_t t;
	char c;
	if (pipe(ready_pipe) || pipe(never_pipe) ||
	    pthread_create(&t, NULL, blocked_thread, NULL) || read(ready_pipe[0], &c, 1) != 1)
		_exit(4);
}

__attribute__((noinline)) static void crash_in_child(int value)
{
	if (illegal)
		__builtin_trap();
	if (aborting)
		abort();
	*nowhere = value;
}

#define SCATTER_PAGES 1024

int main(int argc, char **argv)
{
	int scatter = argc > 1 && !strcmp(argv[1], "scatter");
	illegal = argc > 1 && !strcmp(argv[1], "ill");
	aborting = argc > 1 && !strcmp(argv[1], "abort");
	int threaded = argc > 1 && !strcmp(argv[1], "threads");
	char *big = scatter ? malloc(SCATTER_PAGES * 4096) : NULL;
	if (big)
		memset(big, 1, SCATTER_PAGES * 4096);
	heap_note = malloc(64);
	strcpy(heap_note, "parent-heap");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		strcpy(global_note, "child-global");
		strcpy(heap_note, "child-heap");
		for (int i = 0; big && i < SCATTER_PAGES; i += 2)
			big[i * 4096] = 2;
		if (threaded)
			start_blocked_thread();
		crash_in_child(4242);
		_exit(3);
	}
	siginfo_t si = {0};
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) != 0)
		return perror("waitid"), 1;
	printf("waitid: %s, status %d\n",
	       si.si_code == CLD_DUMPED	  ? "CLD_DUMPED"
	       : si.si_code == CLD_KILLED ? "CLD_KILLED"
					  : "other",
	       si.si_status);
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return perror("waitpid"), 1;
	printf("child %d: signaled %d, signal %d, core dumped %d\n", (int)pid,
	       WIFSIGNALED(status) ? 1 : 0, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
	       WCOREDUMP(status) ? 1 : 0);
	printf("parent still sees %s, %s\n", global_note, heap_note);
	return 0;
}
