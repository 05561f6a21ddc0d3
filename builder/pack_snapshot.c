/*
 * `hut pack --snapshot`: the bundle carries, beside the image, a snapshot of
 * it at its ready point (rootfs/IMAGE.snapshot), made by hut-monitor
 * --snapshot here and now, so that hut-oci restores it instead of booting
 * (oci/snapshot.c; docs/ARCHITECTURE.md, "Snapshots"). The guest is given
 * exactly what hut-oci will give it for this bundle (the config's
 * environment and host name, the ARGs), since a snapshot restores only
 * with the arguments it was made with; an image with a network device
 * gets one with no host side (--net none): the pod's tap and address come
 * at the restore. The guest's output goes nowhere; the monitor's last line
 * is the reason when it fails. It needs /dev/kvm, as the monitor does.
 * For an OCI image's layer the sparse file is packed (its data runs only:
 * include/hut/snappack.h), since a layer is unpacked without holes.
 */
#include "builder.h"

#include <hut/snappack.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PREFIX "hut-monitor: "

/* The monitor's stderr, read to its end; its last "hut-monitor:" line. */
static void last_line(int fd, char *out, size_t len)
{
	char buf[4096], line[512];
	size_t at = 0;
	ssize_t n;
	*out = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && at < sizeof line - 1) {
				line[at++] = buf[i];
				continue;
			}
			line[at] = 0;
			if (buf[i] == '\n' && !strncmp(line, PREFIX, strlen(PREFIX)))
				snprintf(out, len, "%s", line + strlen(PREFIX));
			at = buf[i] == '\n' ? 0 : at;
		}
}

static void monitor_command(struct builder_args *cmd, const struct builder_snapshot_request *r,
			    const char *out, const char *timeout)
{
	builder_args_add(cmd, builder_xasprintf("%s/hut-monitor", builder_bindir()));
	builder_args_add(cmd, "--timeout");
	builder_args_add(cmd, timeout);
	builder_args_add(cmd, "--snapshot");
	builder_args_add(cmd, out);
	if (r->net) {
		builder_args_add(cmd, "--net");
		builder_args_add(cmd, "none");
	}
	for (int i = 0; i < r->envc; i++) {
		builder_args_add(cmd, "--env");
		builder_args_add(cmd, r->env[i]);
	}
	if (r->hostname) {
		builder_args_add(cmd, "--hostname");
		builder_args_add(cmd, r->hostname);
	}
	builder_args_add(cmd, "--");
	builder_args_add(cmd, r->image);
	for (int i = 0; i < r->argc; i++)
		builder_args_add(cmd, r->args[i]);
}

/* Runs the monitor: stdin and stdout /dev/null, stderr into a pipe. */
static int run_monitor(const struct builder_args *cmd, char *why, size_t len)
{
	int err[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	if (pipe2(err, O_CLOEXEC) != 0)
		return builder_why(why, len, "cannot make a pipe (%s)", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	/* pack holds SIGINT and SIGTERM while outputs are half written; the
	 * monitor must get them (it passes them to the guest and ends). */
	posix_spawnattr_t attr;
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	int e = posix_spawn(&pid, cmd->v[0], &fa, &attr, (char *const *)cmd->v, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(err[1]);
	if (e != 0) {
		close(err[0]);
		return builder_why(why, len, "cannot run %s (%s)", cmd->v[0], strerror(e));
	}
	last_line(err[0], why, len);
	close(err[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return builder_why(why, len, "cannot wait for hut-monitor (%s)",
					   strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int builder_pack_snapshot(const struct builder_snapshot_request *r, const char *out, char *why,
			  size_t why_len)
{
	struct builder_args cmd = {0};
	char timeout[16], line[512];
	snprintf(timeout, sizeof timeout, "%u", r->timeout_s);
	monitor_command(&cmd, r, out, timeout);
	int status = run_monitor(&cmd, line, sizeof line);
	builder_args_free(&cmd);
	if (status == 0)
		return 0;
	if (status == 124)
		return builder_why(why, why_len,
				   "the guest did not reach its ready point within %u s "
				   "(--ready-timeout)",
				   r->timeout_s);
	return builder_why(why, why_len, "hut-monitor --snapshot failed (status %d): %s", status,
			   *line ? line : "no reason given");
}

#define PACK_RUNS_MAX HUT_SNAPPACK_RUNS_MAX

/* The data runs of the sparse file fd (SEEK_DATA, SEEK_HOLE), into runs. */
static int data_runs(int fd, uint64_t size, struct hut_snappack_run *runs, uint32_t *n, char *why,
		     size_t why_len)
{
	*n = 0;
	for (off_t at = 0, data, hole; (uint64_t)at < size; at = hole) {
		data = lseek(fd, at, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;
		hole = data < 0 ? -1 : lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return builder_why(why, why_len, "cannot find the snapshot's data (%s)",
					   strerror(errno));
		if (*n == PACK_RUNS_MAX)
			return builder_why(why, why_len, "the snapshot has more than %u data runs",
					   PACK_RUNS_MAX);
		runs[(*n)++] = (struct hut_snappack_run){(uint64_t)data, (uint64_t)(hole - data)};
	}
	return 0;
}

int builder_snapshot_packed(const char *path, struct builder_buf *out, char *why, size_t why_len)
{
	static struct hut_snappack_run runs[PACK_RUNS_MAX];
	struct hut_snappack_header h = {HUT_SNAPPACK_MAGIC, HUT_SNAPPACK_VERSION, 0, 0};
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		builder_why(why, why_len, "cannot read %s (%s)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	h.size = (uint64_t)st.st_size;
	int rc = data_runs(fd, h.size, runs, &h.runs, why, why_len);
	if (rc == 0) {
		builder_buf_add(out, &h, sizeof h);
		builder_buf_add(out, runs, h.runs * sizeof *runs);
	}
	char chunk[65536];
	for (uint32_t i = 0; rc == 0 && i < h.runs; i++)
		for (uint64_t done = 0; rc == 0 && done < runs[i].len;) {
			size_t want = runs[i].len - done < sizeof chunk ? runs[i].len - done
									: sizeof chunk;
			ssize_t n = pread(fd, chunk, want, (off_t)(runs[i].offset + done));
			if (n <= 0)
				rc = builder_why(why, why_len, "cannot read %s (%s)", path,
						 n < 0 ? strerror(errno) : "short read");
			else
				builder_buf_add(out, chunk, (size_t)n), done += (uint64_t)n;
		}
	close(fd);
	return rc;
}
