/*
 * oci_app: what tests/integration/oci.sh runs through containerd and podman.
 *   exit N       prints "exit N", exits N
 *   crash        writes through a NULL pointer (SIGSEGV, 139)
 *   env NAME     prints NAME=VALUE or "NAME unset"
 *   args A...    prints each argument on a line
 *   cat FILE     prints FILE (a volume's file)
 *   term         a SIGTERM handler that says so; then waits for good
 *   wait         no handler: waits for good (SIGTERM ends it, 143)
 *   spin         a SIGTERM handler; spins without a syscall until it ran
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_term(int sig)
{
	static const char msg[] = "handler: SIGTERM\n";
	(void)sig;
	got = 1;
	write(1, msg, sizeof msg - 1);
}

static void handle_term(void)
{
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
}

static int wait_forever(const char *what)
{
	printf("%s: waiting\n", what);
	fflush(stdout);
	for (;;)
		sleep(1);
}

static int cat(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[256];
	size_t n;
	if (!f) {
		perror(path);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "exit";
	if (!strcmp(mode, "exit")) {
		int n = argc > 2 ? atoi(argv[2]) : 0;
		printf("exit %d\n", n);
		return n;
	}
	if (!strcmp(mode, "crash")) {
		int *volatile null = NULL;
		return *null;
	}
	if (!strcmp(mode, "env") && argc > 2) {
		const char *v = getenv(argv[2]);
		v ? printf("%s=%s\n", argv[2], v) : printf("%s unset\n", argv[2]);
		return 0;
	}
	if (!strcmp(mode, "args")) {
		for (int i = 2; i < argc; i++)
			printf("arg %s\n", argv[i]);
		return 0;
	}
	if (!strcmp(mode, "cat") && argc > 2)
		return cat(argv[2]);
	if (!strcmp(mode, "term")) {
		handle_term();
		return wait_forever("term");
	}
	if (!strcmp(mode, "wait"))
		return wait_forever("wait");
	if (!strcmp(mode, "spin")) {
		handle_term();
		puts("spin: spinning");
		fflush(stdout);
		while (!got)
			;
		puts("spin: done");
		return 7;
	}
	fprintf(stderr, "oci_app: unknown mode %s\n", mode);
	return 2;
}
