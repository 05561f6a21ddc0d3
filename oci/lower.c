/*
 * The lower runtime: crun, else runc, and runc where the host's cgroup
 * layout is one crun refuses (cgroup.c); HUT_OCI_RUNTIME names another. Run
 * with hut-oci's global options and its own state folder under our --root,
 * so that two hut-oci roots never share containers and the lower runtime
 * never sees a container of another root.
 */
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void oci_argv_add(struct oci_argv *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = realloc(a->v, (size_t)a->cap * sizeof *a->v);
		if (!a->v)
			oci_die(NULL, "out of memory");
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* name as a path: itself when it holds a '/', else found in PATH or in the
 * folders Debian installs runtimes to (a shim's PATH may lack /usr/sbin). */
static char *find(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	const char *path = getenv("PATH");
	char dirs[4096];
	snprintf(dirs, sizeof dirs,
		 "%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		 path ? path : "");
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char full[PATH_MAX];
		if (d[0] == '/' &&
		    snprintf(full, sizeof full, "%s/%s", d, name) < (int)sizeof full &&
		    access(full, X_OK) == 0)
			return strdup(full);
	}
	return NULL;
}

/* Why the runtime is the one it is (or why there is none). */
static char because[512];

/* The default: crun (it starts faster), except on a host whose cgroup
 * layout crun refuses, where runc runs the container. NULL: none can. */
static char *default_runtime(void)
{
	const struct oci_cgroup *cg = oci_cgroup_layout();
	char *path = NULL;
	if (oci_cgroup_crun_refuses(cg)) {
		if ((path = find("runc")))
			snprintf(because, sizeof because,
				 "crun refuses hybrid cgroups with cgroup2 controllers");
		else
			snprintf(
				because, sizeof because,
				"this host's cgroups are hybrid, with controllers on cgroup2 (%s), "
				"which crun refuses: install runc (apt-get install runc), or set "
				"HUT_OCI_RUNTIME to a runtime that runs here",
				cg->hybrid_controllers);
	} else if ((path = find("crun"))) {
		snprintf(because, sizeof because, "the default");
	} else if ((path = find("runc"))) {
		snprintf(because, sizeof because, "crun is not installed");
	} else {
		snprintf(because, sizeof because,
			 "neither crun nor runc is installed: hut-oci runs containers through "
			 "one of them (apt-get install crun runc)");
	}
	return path;
}

/* Sets oci_g.lower; false (and the reason in because) when none can run. */
static bool choose(void)
{
	const char *want = getenv("HUT_OCI_RUNTIME");
	char *path;
	if (want && *want) {
		path = find(want);
		snprintf(because, sizeof because,
			 path ? "HUT_OCI_RUNTIME" : "HUT_OCI_RUNTIME=%s: no such runtime", want);
	} else {
		path = default_runtime();
	}
	if (!path)
		return false;
	oci_g.lower = path;
	const char *slash = strrchr(path, '/');
	oci_g.lower_name = slash ? slash + 1 : path;
	return true;
}

void oci_lower_find(void)
{
	if (!choose())
		oci_die(NULL, "%s", because);
}

void oci_lower_describe(FILE *out)
{
	const struct oci_cgroup *cg = oci_cgroup_layout();
	if (!oci_g.lower && !choose()) {
		fprintf(out, "lower runtime: none (%s)\n", because);
		return;
	}
	fprintf(out, "lower runtime: %s (%s; cgroups %s", oci_g.lower, because,
		oci_cgroup_name(cg));
	if (cg->layout == OCI_CGROUP_HYBRID)
		fprintf(out, ", cgroup2 controllers: %s",
			cg->hybrid_controllers[0] ? cg->hybrid_controllers : "none");
	fputs(")\n", out);
}

void oci_lower_globals(struct oci_argv *a)
{
	char *root;
	if (asprintf(&root, "%s/%s", oci_g.root, oci_g.lower_name) < 0)
		oci_die(NULL, "out of memory");
	oci_argv_add(a, oci_g.lower);
	oci_argv_add(a, "--root");
	oci_argv_add(a, root);
	if (oci_g.log) {
		oci_argv_add(a, "--log");
		oci_argv_add(a, oci_g.log);
	}
	if (oci_g.log_json)
		oci_argv_add(a, "--log-format=json");
	if (oci_g.systemd_cgroup)
		oci_argv_add(a, "--systemd-cgroup");
	if (oci_g.debug)
		oci_argv_add(a, "--debug");
}

void oci_lower_exec(struct oci_argv *a)
{
	execv(a->v[0], (char *const *)a->v);
	oci_die(NULL, "cannot run %s (%s)", a->v[0], strerror(errno));
}

static pid_t spawn(struct oci_argv *a, int out_fd)
{
	pid_t pid = fork();
	if (pid < 0)
		oci_die(NULL, "cannot fork (%s)", strerror(errno));
	if (pid == 0) {
		if (out_fd >= 0 && dup2(out_fd, 1) < 0)
			_exit(127);
		execv(a->v[0], (char *const *)a->v);
		_exit(127);
	}
	return pid;
}

static int wait_for(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int oci_lower_run(struct oci_argv *a)
{
	return wait_for(spawn(a, -1));
}

char *oci_lower_capture(struct oci_argv *a, int *status)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		oci_die(NULL, "cannot make a pipe (%s)", strerror(errno));
	pid_t pid = spawn(a, p[1]);
	close(p[1]);
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && (n = read(p[0], buf + len, cap - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (len + 1 == cap && cap < OCI_JSON_INPUT_MAX)
			buf = realloc(buf, cap *= 2);
		else if (len + 1 == cap)
			break;
	}
	close(p[0]);
	*status = wait_for(pid);
	if (buf)
		buf[len] = 0;
	return buf;
}
