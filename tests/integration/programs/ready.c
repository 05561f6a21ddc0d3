/*
 * What snapshot.sh snapshots at hut_ready() and restores (and what it runs
 * cold, as a process and as a glibc program, for the bytes to compare):
 *   (no argument)  a line before the ready point; then, with a thread and a
 *                  child process that waited across it on pipes, lines from
 *                  them, the clocks checked, and status 3
 *   random         16 getrandom() bytes after the ready point, in hex
 *   clock          CLOCK_REALTIME's seconds after the ready point
 *   open FILE      FILE held open across the ready point
 *   volume         /data/before written, closed and read once before the
 *                  ready point (its close and write-back through the file
 *                  ring; the cache keeps a host handle for it, which a
 *                  snapshot has it let go of), read back after it, then
 *                  /data/after written and synced
 *   spin           an alarm armed before the ready point, then a loop with
 *                  no syscall: only a tick can end it (the handler, 4)
 *   resolv         a path looked up before the ready point (the mount
 *                  table set up), /etc/resolv.conf printed after it (or
 *                  "no /etc/resolv.conf"): a restore's --dns
 * hut_ready() does nothing but in an appliance run with --snapshot.
 */
#include <hut/ready.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int to_thread[2], to_child[2];

static void *thread_main(void *arg)
{
	char c;
	(void)arg;
	if (read(to_thread[0], &c, 1) != 1)
		return NULL;
	printf("thread read '%c'\n", c);
	return NULL;
}

static int child_main(void)
{
	char c;
	if (read(to_child[0], &c, 1) != 1)
		return 1;
	printf("child read '%c'\n", c);
	fflush(stdout);
	return 7;
}

static uint64_t ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int across_ready(void)
{
	pthread_t t;
	printf("before ready\n");
	fflush(stdout);
	if (pipe(to_thread) || pipe(to_child) || pthread_create(&t, NULL, thread_main, NULL))
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_main());
	uint64_t mono = ns(CLOCK_MONOTONIC);
	hut_ready();
	printf("after ready: monotonic %s\n",
	       ns(CLOCK_MONOTONIC) >= mono ? "went on" : "WENT BACK");
	fflush(stdout);
	if (write(to_thread[1], "t", 1) != 1 || pthread_join(t, NULL))
		return 1;
	fflush(stdout);
	int status;
	if (write(to_child[1], "c", 1) != 1 || waitpid(pid, &status, 0) != pid)
		return 1;
	printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 3;
}

static void on_alarm(int sig)
{
	static const char line[] = "alarm fired in the spin\n";
	(void)sig;
	if (write(1, line, sizeof line - 1) < 0)
		_exit(1);
	_exit(4);
}

static int spin(void)
{
	volatile unsigned long n = 0;
	signal(SIGALRM, on_alarm);
	alarm(1);
	hut_ready();
	while (n != ~0ul) /* only the alarm ends it */
		n++;
	return 1;
}

static int across_volume(void)
{
	static const char before[] = "written before the ready point\n",
			  after[] = "written after it\n";
	int fd = open("/data/before", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, before, sizeof before - 1) != sizeof before - 1 || close(fd))
		return 2;
	char buf[64] = "";
	fd = open("/data/before", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof buf - 1) != sizeof before - 1 || close(fd))
		return 2;
	hut_ready();

	memset(buf, 0, sizeof buf);
	fd = open("/data/before", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	printf("read back %zd bytes: %s", n, n > 0 ? buf : "\n");
	if (fd >= 0)
		close(fd);
	fd = open("/data/after", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, after, sizeof after - 1) != sizeof after - 1 || fsync(fd) ||
	    close(fd))
		return 3;
	printf("wrote /data/after\n");
	return 0;
}

static int resolv(void)
{
	char buf[256];
	if (access("/", F_OK))
		return 2;
	hut_ready();
	int fd = open("/etc/resolv.conf", O_RDONLY);
	if (fd < 0) {
		printf("no /etc/resolv.conf\n");
		return 0;
	}
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return 3;
	fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return across_ready();
	if (!strcmp(argv[1], "random")) {
		unsigned char b[16];
		hut_ready();
		if (getrandom(b, sizeof b, 0) != sizeof b)
			return 1;
		for (size_t i = 0; i < sizeof b; i++)
			printf("%02x", b[i]);
		printf("\n");
		return 0;
	}
	if (!strcmp(argv[1], "spin"))
		return spin();
	if (!strcmp(argv[1], "resolv"))
		return resolv();
	if (!strcmp(argv[1], "clock")) {
		hut_ready();
		printf("%llu\n", (unsigned long long)(ns(CLOCK_REALTIME) / 1000000000ull));
		return 0;
	}
	if (!strcmp(argv[1], "volume"))
		return across_volume();
	if (!strcmp(argv[1], "open") && argc == 3) {
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return 2;
		hut_ready();
		char buf[64];
		ssize_t n = read(fd, buf, sizeof buf);
		printf("read %zd bytes\n", n);
		return 0;
	}
	return 1;
}
