/*
 * timeit: exec-to-exit wall time of one or more commands, interleaved.
 *
 *   timeit [-n RUNS] [-w WARMUP] CMD [ARGS...] [:: CMD [ARGS...]]...
 *
 * Runs WARMUP rounds (not reported), then RUNS rounds; each round starts every
 * command once, in the order given (A B C A B C ...), so that drift in the
 * machine's state (frequency, caches, other load) hits all commands alike.
 * Each command's stdin, stdout and stderr are /dev/null.
 *
 * Prints one line per measured run on stdout:
 *   <command index> <round> <wall µs> <ru_maxrss KiB> <exit status>
 * where the exit status is the shell's: n for exit(n), 128+sig for a signal,
 * 255 if the command could not be started.
 *
 * Wall time runs from just before posix_spawn (a vfork + exec) to just after
 * wait4 returns, on CLOCK_MONOTONIC. ru_maxrss comes from wait4's rusage.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void usage(void)
{
	fprintf(stderr,
		"usage: timeit [-n RUNS] [-w WARMUP] CMD [ARGS...] [:: CMD [ARGS...]]...\n");
	exit(2);
}

static long parse_count(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 1000000)
		usage();
	return v;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Runs argv once; returns the exit status, fills *us and *maxrss_kib. */
static int run_once(char **argv, const posix_spawn_file_actions_t *fa, long long *us,
		    long *maxrss_kib)
{
	pid_t pid;
	int status;
	struct rusage ru;
	long long t0 = now_ns();
	int err = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "timeit: %s: %s\n", argv[0], strerror(err));
		*us = 0;
		*maxrss_kib = 0;
		return 255;
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("timeit: wait4");
			exit(1);
		}
	}
	long long t1 = now_ns();
	*us = (t1 - t0 + 500) / 1000;
	*maxrss_kib = ru.ru_maxrss;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	long runs = 50, warmup = 5;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = parse_count(argv[++i]);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			warmup = parse_count(argv[++i]);
		else
			usage();
	}
	if (i >= argc)
		usage();

	/* Split the rest at "::" into commands (NULL-terminating each in place). */
	char **cmds[64];
	int ncmds = 0;
	cmds[ncmds++] = &argv[i];
	for (; i < argc; i++) {
		if (strcmp(argv[i], "::"))
			continue;
		argv[i] = NULL;
		if (i + 1 >= argc || !strcmp(argv[i + 1], "::") || ncmds == 64)
			usage();
		cmds[ncmds++] = &argv[i + 1];
	}
	if (!cmds[0][0])
		usage();

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

	for (long round = -warmup; round < runs; round++) {
		for (int c = 0; c < ncmds; c++) {
			long long us;
			long rss;
			int status = run_once(cmds[c], &fa, &us, &rss);
			if (round >= 0)
				printf("%d %ld %lld %ld %d\n", c, round, us, rss, status);
		}
	}
	posix_spawn_file_actions_destroy(&fa);
	return fflush(stdout) ? 1 : 0;
}
