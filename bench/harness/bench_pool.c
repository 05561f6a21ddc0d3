/*
 * The hut-pool launcher: a pool of monitors made ready to restore the
 * snapshot hut-restore made (hut-monitor --pool, docs/ARCHITECTURE.md,
 * "Snapshots"), started before the runs and stopped after them; each run
 * is one `hut-monitor --pool-run SOCKET`, so its wall time is the client's
 * exec to the guest's end, as a user of the pool sees it. The pooled
 * monitors are not the client's children: the client's peak RSS is its
 * own only, and the report says so.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define POOL_SIZE "2"
#define POOL_READY_MS 20000 /* nested KVM under emulation is slow */

static pid_t pool_pid = -1;

/* Whether the pool said it is ready in its stderr (fd, a file). */
static int said_ready(int fd, char *last, size_t size)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	snprintf(last, size, "%s", buf);
	return strstr(buf, " monitors ready\n") != NULL;
}

/* Starts the pool; NULL, or why it cannot be used. */
static const char *start_pool(struct bench *b, const char *mon, const char *snap, const char *sock)
{
	struct bench_launcher pool = {.name = "pool"};
	builder_args_add(&pool.argv, mon);
	builder_args_add(&pool.argv, "--pool");
	builder_args_add(&pool.argv, sock);
	builder_args_add(&pool.argv, "--pool-size");
	builder_args_add(&pool.argv, POOL_SIZE);
	builder_args_add(&pool.argv, "--restore");
	builder_args_add(&pool.argv, snap);
	builder_args_add(&pool.argv, b->image);
	for (int i = 0; i < b->argc; i++)
		builder_args_add(&pool.argv, b->args[i]);
	char *err_path = builder_temp_file("pool", ".err");
	int err = open(err_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int pidfd;
	if (err < 0 || bench_start(&pool, -1, err, &pool_pid, &pidfd) < 0)
		return builder_xasprintf("cannot start the pool (%s)", strerror(errno));
	close(pidfd);
	builder_args_free(&pool.argv);
	atexit(bench_pool_stop); /* a failure later (builder_die) ends it too */
	char last[4096] = "";
	for (int ms = 0; ms < POOL_READY_MS; ms += 10) {
		if (said_ready(err, last, sizeof last)) {
			close(err);
			return NULL;
		}
		if (waitpid(pool_pid, NULL, WNOHANG) == pool_pid) {
			pool_pid = -1;
			break;
		}
		usleep(10000);
	}
	close(err);
	bench_pool_stop();
	char *nl = strchr(last, '\n');
	if (nl)
		*nl = 0;
	return builder_xasprintf("the pool never got ready%s%s", *last ? ": " : "", last);
}

void bench_pool_setup(struct bench *b, struct bench_launcher *l, const char *mon, const char *snap)
{
	char *sock = builder_temp_file("pool", ".sock");
	builder_args_add(&l->argv, mon);
	builder_args_add(&l->argv, "--pool-run");
	builder_args_add(&l->argv, sock);
	l->check_output = 0; /* the guest's output after its ready point only */
	l->disk_what = "as hut-restore; peak RSS: the client's alone";
	l->na = snap ? start_pool(b, mon, snap, sock)
		     : "no snapshot: the image ended or failed before its ready point "
		       "(hut_ready(), or every thread waiting for input)";
}

void bench_pool_stop(void)
{
	if (pool_pid <= 0)
		return;
	kill(pool_pid, SIGTERM);
	while (waitpid(pool_pid, NULL, 0) < 0 && errno == EINTR)
		;
	pool_pid = -1;
}
