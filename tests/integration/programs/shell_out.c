/*
 * system() and popen() (tests/integration/debian-busybox.sh): a program
 * that is not a shell runs /bin/sh, a program of another image (busybox,
 * on a volume in the appliance), which runs applets of its own by fork and
 * exec. The same bytes as a process in a root with the same /bin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

int main(void)
{
	fflush(stdout);
	int st = system("echo from system; exit 3");
	printf("system: exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	FILE *r = popen("seq 1 4 | sort -r | tr '\\n' ' '", "r");
	char buf[128] = "";
	if (!r || !fgets(buf, sizeof buf, r))
		printf("popen for reading failed\n");
	printf("popen read: [%s]\n", buf);
	printf("pclose: %d\n", r ? WEXITSTATUS(pclose(r)) : -1);
	fflush(stdout);
	FILE *w = popen("wc -c; exit 4", "w");
	if (w) {
		fputs("twelve bytes", w);
		st = pclose(w);
		printf("popen for writing, pclose: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	st = system("sh -c 'kill -TERM $$'");
	printf("system of a shell killed: %s\n",
	       WIFSIGNALED(st) && WTERMSIG(st) == 15 ? "SIGTERM" : "something else");
	return 0;
}
