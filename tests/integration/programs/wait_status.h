/* A child's wait status as one line, the same for a glibc program, the hut
 * image as a process and the appliance (fork.c, vfork.c, jobctl.c,
 * proctimers.c, plocks.c): "WHAT: exited N", "killed by signal N",
 * "stopped by signal N", "continued", or the raw status. Flushed, so that
 * the line comes before anything a later child prints. */
#ifndef PROGRAMS_WAIT_STATUS_H
#define PROGRAMS_WAIT_STATUS_H

#include <stdio.h>
#include <sys/wait.h>

static inline void report(const char *what, int status)
{
	if (WIFEXITED(status))
		printf("%s: exited %d\n", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("%s: killed by signal %d\n", what, WTERMSIG(status));
	else if (WIFSTOPPED(status))
		printf("%s: stopped by signal %d\n", what, WSTOPSIG(status));
	else if (WIFCONTINUED(status))
		printf("%s: continued\n", what);
	else
		printf("%s: status 0x%x\n", what, status);
	fflush(stdout);
}

#endif
