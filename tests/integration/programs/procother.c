/*
 * /proc/<pid> of another process (procother.sh): a child blocked reading a
 * pipe is seen by its parent as the child sees itself: /proc lists both,
 * the child's stat (its comm, state S, its parent), status (Name, State,
 * PPid, Uid after the child's setuid), cmdline, comm and exe, its fd/
 * with the pipe it reads, and task/ with its one thread; once it ended and
 * before it is reaped, a zombie: listed, state Z, its comm, an empty
 * cmdline; gone once reaped. It prints only
 * what is the same for any run: the same bytes as a glibc program, a hut
 * process and an appliance.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	return n;
}

static int lists_pid(const char *dir, int pid)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d)))
		found |= atoi(e->d_name) == pid;
	if (d)
		closedir(d);
	return found;
}

/* The value after "Key:\t" in a status text. */
static const char *field(const char *text, const char *key, char *out, size_t size)
{
	const char *p = strstr(text, key);
	size_t n = 0;
	if (p)
		for (p += strlen(key); *p == '\t' || *p == ' ' || *p == ':'; p++)
			;
	while (p && p[n] && p[n] != '\n' && n < size - 1)
		n++;
	memcpy(out, p ? p : "", n);
	out[n] = 0;
	return out;
}

static void look_at(int child, const char *me)
{
	char path[64], text[8192], v[256], mine[PATH_MAX] = "", its[PATH_MAX] = "";
	printf("/proc lists me: %s\n", lists_pid("/proc", getpid()) ? "yes" : "no");
	printf("/proc lists the child: %s\n", lists_pid("/proc", child) ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/stat", child);
	read_file(path, text, sizeof text);
	int pid = 0, ppid = 0;
	char comm[64] = "", state = 0, my_comm[64] = "";
	sscanf(text, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid);
	read_file("/proc/self/comm", my_comm, sizeof my_comm);
	my_comm[strcspn(my_comm, "\n")] = 0;
	printf("stat: pid is the child's %s, comm is mine %s, state %c, ppid is mine %s\n",
	       pid == child ? "yes" : "no", !strcmp(comm, my_comm) ? "yes" : "no", state,
	       ppid == getpid() ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/status", child);
	read_file(path, text, sizeof text);
	printf("status: Name is mine %s\n",
	       !strcmp(field(text, "Name:", v, sizeof v), my_comm) ? "yes" : "no");
	printf("status: State %s\n", field(text, "State:", v, sizeof v));
	printf("status: PPid is mine %s\n",
	       atoi(field(text, "PPid:", v, sizeof v)) == getpid() ? "yes" : "no");
	printf("status: Uid %s\n", field(text, "Uid:", v, sizeof v));
	printf("status: CapEff %s\n", field(text, "CapEff:", v, sizeof v));
	snprintf(path, sizeof path, "/proc/%d/cmdline", child);
	char my_cmdline[4096];
	size_t n = read_file(path, text, sizeof text);
	size_t m = read_file("/proc/self/cmdline", my_cmdline, sizeof my_cmdline);
	printf("cmdline is mine: %s (%zu bytes, NUL-ended %s)\n",
	       n == m && !memcmp(text, my_cmdline, n) ? "yes" : "no", n - strlen(me),
	       n && !text[n - 1] ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/comm", child);
	read_file(path, text, sizeof text);
	text[strcspn(text, "\n")] = 0;
	printf("comm is mine: %s\n", !strcmp(text, my_comm) ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/exe", child);
	ssize_t a = readlink("/proc/self/exe", mine, sizeof mine - 1);
	ssize_t b = readlink(path, its, sizeof its - 1);
	printf("exe is mine: %s\n",
	       a > 0 && a == b && !memcmp(mine, its, (size_t)a) ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/fd", child);
	printf("fd/ has 0: %s, has 7 (the pipe it reads): %s, has 8 (closed): %s\n",
	       lists_pid(path, 0) ? "yes" : "no", lists_pid(path, 7) ? "yes" : "no",
	       lists_pid(path, 8) ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/fd/7", child);
	b = readlink(path, its, sizeof its - 1);
	printf("fd 7 is a pipe: %s\n", b > 5 && !strncmp(its, "pipe:", 5) ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/task", child);
	printf("task/ lists its thread: %s\n", lists_pid(path, child) ? "yes" : "no");
}

static void look_at_zombie(int child)
{
	char path[64], text[4096], v[256], my_comm[64] = "";
	read_file("/proc/self/comm", my_comm, sizeof my_comm);
	my_comm[strcspn(my_comm, "\n")] = 0;
	printf("zombie: /proc lists it: %s\n", lists_pid("/proc", child) ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/stat", child);
	read_file(path, text, sizeof text);
	int pid = 0, ppid = 0;
	char comm[64] = "", state = 0;
	sscanf(text, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid);
	printf("zombie: stat: comm is mine %s, state %c, ppid is mine %s\n",
	       !strcmp(comm, my_comm) ? "yes" : "no", state, ppid == getpid() ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d/status", child);
	read_file(path, text, sizeof text);
	printf("zombie: status: State %s\n", field(text, "State:", v, sizeof v));
	snprintf(path, sizeof path, "/proc/%d/cmdline", child);
	printf("zombie: cmdline is empty: %s\n",
	       read_file(path, text, sizeof text) == 0 ? "yes" : "no");
}

int main(int argc, char **argv)
{
	int p[2];
	if (pipe(p))
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		dup2(p[0], 7);
		close(p[0]);
		close(p[1]);
		if (setuid(1234) != 0 && getuid() != 1234)
			_exit(3);
		_exit(read(7, &c, 1) == 1 ? 0 : 2); /* blocked until the parent writes */
	}
	close(p[0]);
	usleep(100000);	       /* the child reaches its read */
	look_at(pid, argv[0]); /* argv[0] alone: cmdline's size less it is 1 */
	if (write(p[1], "x", 1) != 1)
		return 1;
	siginfo_t si;
	waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT); /* a zombie now, not reaped */
	look_at_zombie(pid);
	int status;
	waitpid(pid, &status, 0);
	printf("the child ended with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	printf("after it was reaped, its status opens: %s\n", fopen(path, "r") ? "yes" : "no");
	(void)argc;
	return 0;
}
