/*
 * What exec_other.c runs: a program of its own (built by hut, by gcc with
 * glibc, or by gcc -static), which reports what it got from exec: its
 * arguments, an environment variable, an inherited fd (3), its parent, and
 * that its own memory works (TLS, the heap, stdio, floating point, a large
 * bss when built with -DEXECEE_BIG_BSS: an image larger than the one that
 * exec'd it), and what /proc/self says of the program it now is: its
 * command line and environment, its exe (the file EXE_PATH names) and
 * that main's code lies in a mapping of that file. Exits 7.
 */
#include <limits.h>
#include <stdint.h>
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

/* A /proc/self file's bytes, NULs as spaces. */
static void print_nul_separated(const char *what, const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : ' ';
	buf[n] = 0;
	printf("execee: %s: %s\n", what, buf);
}

/* Whether /proc/self/maps maps addr from a file named exe. */
static int mapped_from(uintptr_t addr, const char *exe)
{
	char line[PATH_MAX + 128], name[PATH_MAX];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %4095s", &lo, &hi, name) == 3 &&
		    addr >= lo && addr < hi && !strcmp(name, exe))
			found = 1;
	}
	if (f)
		fclose(f);
	return found;
}

int main(int argc, char **argv);

static void what_proc_says(void)
{
	char exe[PATH_MAX] = "", want[PATH_MAX] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	const char *path = getenv("EXE_PATH");
	if (!path || !realpath(path, want))
		strcpy(want, "(no EXE_PATH)");
	print_nul_separated("cmdline", "/proc/self/cmdline");
	char env[4096];
	FILE *f = fopen("/proc/self/environ", "r");
	size_t got = f ? fread(env, 1, sizeof env - 1, f) : 0;
	if (f)
		fclose(f);
	env[got] = 0;
	printf("execee: environ starts with GREETING: %s\n",
	       !strncmp(env, "GREETING=hello from exec_other", 30) ? "yes" : "no");
	printf("execee: /proc/self/exe is the file exec'd: %s\n", !strcmp(exe, want) ? "yes" : exe);
	printf("execee: main's code is mapped from it: %s\n",
	       mapped_from((uintptr_t)&main, want) ? "yes" : "no");
}

int main(int argc, char **argv)
{
	printf("execee: %d args:", argc - 1);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\nexecee: GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(none)");
	const char *ppid = getenv("PARENT");
	printf("execee: my parent is the one that forked me: %s\n",
	       ppid && atoi(ppid) == (int)getppid() ? "yes" : "no");
	what_proc_says();
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
