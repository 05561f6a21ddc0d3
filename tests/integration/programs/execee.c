/*
 * What exec_other.c runs: a program of its own (built by hut, by gcc with
 * glibc, or by gcc -static), which reports what it got from exec: its
 * arguments, an environment variable, an inherited fd (3), its parent, and
 * that its own memory works (TLS, the heap, stdio, floating point, a large
 * bss when built with -DEXECEE_BIG_BSS: an image larger than the one that
 * exec'd it). Exits 7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef EXECEE_BIG_BSS
static char big[24 << 20]; /* 24 MiB: past where the appliance's arena starts */
#else
static char big[4096];
#endif
static __thread int tls_counter = 40;

int main(int argc, char **argv)
{
	printf("execee: %d args:", argc - 1);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\nexecee: GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(none)");
	const char *ppid = getenv("PARENT");
	printf("execee: my parent is the one that forked me: %s\n",
	       ppid && atoi(ppid) == (int)getppid() ? "yes" : "no");
	tls_counter += 2;
	char *heap = malloc(3 << 20);
	memset(heap, 'h', 3 << 20);
	memset(big, 'b', sizeof big);
	printf("execee: tls %d, heap %c, bss %c%c, %.3f\n", tls_counter, heap[(3 << 20) - 1],
	       big[0], big[sizeof big - 1], 22.0 / 7.0);
	fflush(stdout);
	const char line[] = "execee: written to inherited fd 3\n";
	if (write(3, line, sizeof line - 1) != (ssize_t)sizeof line - 1)
		printf("execee: fd 3 not inherited\n");
	return 7;
}
