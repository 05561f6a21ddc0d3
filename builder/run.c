/*
 * Running the toolchain. Children inherit our stdin/stdout/stderr, so gcc's
 * and ld's own diagnostics reach the user unchanged; we add one line saying
 * which step failed.
 */
#include "builder.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int builder_verbose;

/* True if s can be pasted into a shell as is. */
static int shell_plain(const char *s)
{
	if (!*s)
		return 0;
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789-_./=+,:@%")] == '\0';
}

/* -v output is meant to be copied into a shell to reproduce a step. */
static void print_command(const struct builder_args *cmd)
{
	for (size_t i = 0; i < cmd->n; i++) {
		const char *s = cmd->v[i];
		fputs(i ? " " : "", stderr);
		if (shell_plain(s)) {
			fputs(s, stderr);
			continue;
		}
		fputc('\'', stderr);
		for (; *s; s++) {
			if (*s == '\'')
				fputs("'\\''", stderr); /* close, escaped quote, reopen */
			else
				fputc(*s, stderr);
		}
		fputc('\'', stderr);
	}
	fputc('\n', stderr);
}

/* Waits for pid; returns its exit status, or -1 if a signal ended it. */
static int wait_child(pid_t pid, const char *name)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			builder_error(name, "lost track of child", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	builder_error(name, "killed", strsignal(WTERMSIG(status)));
	return -1;
}

static int spawn(const struct builder_args *cmd, posix_spawn_file_actions_t *fa, pid_t *pid)
{
	/* -v shows the steps that make the image, not our questions to gcc. */
	if (builder_verbose && !fa)
		print_command(cmd);
	fflush(NULL); /* keep our output ordered with the child's */
	int err = posix_spawnp(pid, cmd->v[0], fa, NULL, (char *const *)cmd->v, environ);
	if (err) {
		builder_error(cmd->v[0], "cannot run", strerror(err));
		return -1;
	}
	return 0;
}

int builder_run(const struct builder_args *cmd)
{
	pid_t pid;
	if (spawn(cmd, NULL, &pid) != 0)
		return -1;
	return wait_child(pid, cmd->v[0]);
}

/* Reads all of fd into a NUL-terminated buffer. */
static char *read_all(int fd)
{
	size_t len = 0, cap = 256;
	char *buf = builder_xmalloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			char *p = realloc(buf, cap *= 2);
			if (!p)
				builder_die(1, "memory", "cannot allocate", "out of memory");
			buf = p;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return buf;
}

char *builder_capture(const struct builder_args *cmd)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		builder_die(1, cmd->v[0], "cannot create a pipe", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	pid_t pid;
	int started = spawn(cmd, &fa, &pid) == 0;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	char *out = read_all(fds[0]);
	close(fds[0]);
	if (!started || wait_child(pid, cmd->v[0]) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

void builder_exec(const struct builder_args *cmd, int fail_status)
{
	if (builder_verbose)
		print_command(cmd);
	fflush(NULL);
	execvp(cmd->v[0], (char *const *)cmd->v);
	builder_die(fail_status, cmd->v[0], "cannot run", strerror(errno));
}
