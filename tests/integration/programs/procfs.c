/*
 * /proc as a program reads it (procfs.sh): the links (self, thread-self,
 * exe, fd/), the process's files (status, stat, statm, maps, cmdline,
 * environ, comm, limits, mounts, task/), the machine's (meminfo, cpuinfo,
 * loadavg, uptime, stat, version, filesystems, sys/), and how they read
 * (partial reads, lseek, pread, stat, getdents, changes refused). It
 * prints only structure and invariants checked against the process's own
 * calls (getpid, getrusage, getrlimit, uname, argv, prctl...), never a
 * number of the host's, so a glibc process, the hut image as a process and
 * the appliance print the same lines. Exits 1 if any check fails.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int failures;
static int global_counter = 1; /* lies in the image's rw-p data */

static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "BAD");
	if (!ok)
		failures++;
}

static long tid_now(void)
{
	return syscall(SYS_gettid);
}

/* The whole text of a file, NUL-terminated (NULL if it cannot be read). */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* The value after "key:" (or "key\t\t:", as cpuinfo aligns them) on its
 * line, or NULL. */
static const char *field(const char *text, const char *key)
{
	size_t k = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t colon = k;
		while (l[colon] == '\t')
			colon++;
		if (!strncmp(l, key, k) && l[colon] == ':') {
			const char *v = l + colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
	}
	return NULL;
}

static long long field_num(const char *text, const char *key)
{
	const char *v = field(text, key);
	return v ? strtoll(v, NULL, 10) : -1;
}

/* Whether the keys appear in text, each as a line's start, in this order. */
static int in_order(const char *text, const char *const *keys)
{
	const char *at = text;
	for (; *keys; keys++) {
		char pat[64];
		snprintf(pat, sizeof pat, "\n%s:", *keys);
		const char *p = (at == text && !strncmp(text, pat + 1, strlen(pat + 1)))
					? text - 1
					: strstr(at, pat);
		if (!p)
			return 0;
		at = p + 1;
	}
	return 1;
}

static int readlink_is(const char *path, const char *want)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, want);
}

static void links(void)
{
	char want[64], buf[4096];
	snprintf(want, sizeof want, "%d", getpid());
	check("self links to the pid", readlink_is("/proc/self", want));
	snprintf(want, sizeof want, "%d/task/%ld", getpid(), tid_now());
	check("thread-self links to pid/task/tid", readlink_is("/proc/thread-self", want));
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	check("exe is an absolute path", n > 1 && buf[0] == '/');
	struct stat st;
	check("lstat of self is a symlink", lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode));
	check("readlink of a file is EINVAL",
	      readlink("/proc/self/status", buf, sizeof buf) == -1 && errno == EINVAL);
}

/* fd/ lists the fds opened here, and only fds that are open (the
 * harness may have left others open). */
static void fds(void)
{
	char path[64], file[64], want[64];
	snprintf(file, sizeof file, "/tmp/procfs-test.%d", getpid());
	int f = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int p[2], sv[2];
	int okp = pipe(p) == 0, oks = socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0;
	int e = eventfd(0, 0);
	check("files opened", f > 2 && okp && oks && e > 2);
	DIR *d = opendir("/proc/self/fd");
	int listed[64] = {0}, extra = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		int n = atoi(de->d_name);
		if (n < 64)
			listed[n] = 1;
		if (fcntl(n, F_GETFD) < 0)
			extra = 1;
	}
	int all = f < 64 && p[1] < 64 && sv[1] < 64 && e < 64 && listed[f] && listed[p[0]] &&
		  listed[p[1]] && listed[sv[0]] && listed[sv[1]] && listed[e] && listed[dirfd(d)];
	check("fd/ lists the fds open, and only those", all && !extra);
	if (d)
		closedir(d);
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	check("fd of a file links to its path", readlink_is(path, file));
	struct stat st;
	fstat(p[0], &st);
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	check("fd of a pipe links to pipe:[ino]", readlink_is(path, want));
	fstat(sv[0], &st);
	snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
	snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
	check("fd of a socket links to socket:[ino]", readlink_is(path, want));
	snprintf(path, sizeof path, "/proc/self/fd/%d", e);
	check("fd of an eventfd links to anon_inode:[eventfd]",
	      readlink_is(path, "anon_inode:[eventfd]"));
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	int sfd = signalfd(-1, &mask, 0), ifd = inotify_init1(0);
	snprintf(want, sizeof want, "/proc/self/fd/%d", sfd);
	check("fd of a signalfd links to anon_inode:[signalfd]",
	      sfd > 2 && readlink_is(want, "anon_inode:[signalfd]"));
	snprintf(want, sizeof want, "/proc/self/fd/%d", ifd);
	check("fd of an inotify instance links to anon_inode:inotify",
	      ifd > 2 && readlink_is(want, "anon_inode:inotify"));
	close(sfd);
	close(ifd);
	check("lstat of fd/N of an O_RDWR fd: S_IFLNK 0700",
	      lstat(path, &st) == 0 && st.st_mode == (S_IFLNK | 0700));
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	check("... of an O_RDONLY fd: S_IFLNK 0500",
	      lstat(path, &st) == 0 && st.st_mode == (S_IFLNK | 0500));
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	check("... of an O_WRONLY fd: S_IFLNK 0300",
	      lstat(path, &st) == 0 && st.st_mode == (S_IFLNK | 0300));
	check("stat of fd/: S_IFDIR 0500",
	      stat("/proc/self/fd", &st) == 0 && st.st_mode == (S_IFDIR | 0500));

	/* Reopening a file: a new description, at offset 0. */
	char buf[16] = {0};
	check("write to the file", write(f, "hello", 5) == 5);
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	int again = open(path, O_RDONLY);
	check("open of fd/N reopens the file at offset 0",
	      again > 2 && again != f && read(again, buf, sizeof buf) == 5 &&
		      !strcmp(buf, "hello") && lseek(f, 0, SEEK_CUR) == 5);
	close(again);
	/* A pipe's end through fd/N: what is written arrives. */
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	int w = open(path, O_WRONLY);
	memset(buf, 0, sizeof buf);
	check("open of a pipe's fd/N reaches the pipe",
	      w >= 0 && write(w, "xy", 2) == 2 && read(p[0], buf, 2) == 2 && !strcmp(buf, "xy"));
	close(w);
	close(f);
	unlink(file);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(e);
}

static int ready_pipe[2], go_pipe[2];

static void *worker(void *arg)
{
	char name[16], c;
	snprintf(name, sizeof name, "worker-%d", (int)(intptr_t)arg);
	prctl(PR_SET_NAME, name);
	long tid = tid_now();
	if (write(ready_pipe[1], &tid, sizeof tid) != sizeof tid)
		return NULL;
	if (read(go_pipe[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

static int is_hex16(const char *v)
{
	for (int i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)v[i]))
			return 0;
	return v[16] == '\n';
}

static uint64_t sigset_field(const char *text, const char *key)
{
	const char *v = field(text, key);
	return v && is_hex16(v) ? strtoull(v, NULL, 16) : 0;
}

static void status(int threads)
{
	static const char *const order[] = {
		"Name",	  "State",  "Tgid",   "Pid",	"PPid",	  "Uid",    "Gid",
		"FDSize", "VmPeak", "VmSize", "VmRSS",	"VmData", "VmStk",  "Threads",
		"SigQ",	  "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", NULL,
	};
	char *s = slurp("/proc/self/status", NULL);
	char name[17] = {0};
	if (!s) {
		check("status read", 0);
		return;
	}
	prctl(PR_GET_NAME, name);
	const char *v = field(s, "Name");
	check("status fields in Linux's order", in_order(s, order));
	check("Name is PR_SET_NAME's",
	      v && !strncmp(v, name, strlen(name)) && v[strlen(name)] == '\n');
	v = field(s, "State");
	check("State is R (running)", v && !strncmp(v, "R (running)", 11));
	check("Tgid and Pid are getpid",
	      field_num(s, "Tgid") == getpid() && field_num(s, "Pid") == getpid());
	check("PPid is getppid", field_num(s, "PPid") == getppid());
	check("Uid is getuid", field_num(s, "Uid") == (long long)getuid());
	check("Gid is getgid", field_num(s, "Gid") == (long long)getgid());
	check("FDSize is at least 64", field_num(s, "FDSize") >= 64);
	check("Threads counts the threads", field_num(s, "Threads") == threads);
	long long size = field_num(s, "VmSize"), rss = field_num(s, "VmRSS");
	check("VmRSS > 0 and VmPeak >= VmSize >= VmRSS",
	      rss > 0 && size >= rss && field_num(s, "VmPeak") >= size);
	check("VmStk > 0", field_num(s, "VmStk") > 0);
	uint64_t blk = sigset_field(s, "SigBlk"), pnd = sigset_field(s, "SigPnd");
	uint64_t ign = sigset_field(s, "SigIgn"), cgt = sigset_field(s, "SigCgt");
	check("SigBlk has SIGUSR1 (blocked)", blk & (1ull << (SIGUSR1 - 1)));
	check("SigPnd has SIGUSR1 (raised while blocked)", pnd & (1ull << (SIGUSR1 - 1)));
	check("SigIgn has SIGHUP (SIG_IGN)", ign & (1ull << (SIGHUP - 1)));
	check("SigCgt has SIGUSR2 (a handler)", cgt & (1ull << (SIGUSR2 - 1)));
	check("ShdPnd is a signal set", sigset_field(s, "ShdPnd") == 0 && field(s, "ShdPnd"));
	free(s);
}

/* The fields of a stat line: the comm between the parentheses is one. */
static int stat_fields(const char *s, char fields[64][64])
{
	const char *open_paren = strchr(s, '('), *close_paren = strrchr(s, ')');
	int n = 0;
	if (!open_paren || !close_paren)
		return 0;
	snprintf(fields[n++], 64, "%.*s", (int)(open_paren - s - 1), s);
	snprintf(fields[n++], 64, "%.*s", (int)(close_paren - open_paren + 1), open_paren);
	for (const char *p = close_paren + 1; *p && n < 64;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		size_t k = strcspn(p, " \n");
		snprintf(fields[n++], 64, "%.*s", (int)k, p);
		p += k;
	}
	return n;
}

static long long ticks_of(struct timeval tv)
{
	long hz = sysconf(_SC_CLK_TCK);
	return (long long)tv.tv_sec * hz + tv.tv_usec * hz / 1000000;
}

static void stat_file(int threads)
{
	static char fields[64][64];
	struct rusage before, after;
	char want[32], name[17] = {0};
	volatile uint64_t x = 1;
	for (long i = 0; i < 30000000; i++) /* CPU time to count */
		x = x * 6364136223846793005ull + 1;
	/* Pages to count: Linux before 6.2 adds a thread's page faults to the
	 * rss it shows only every 64 of them (split rss counting). */
	static volatile char touched[1 << 20];
	for (size_t i = 0; i < sizeof touched; i += 4096)
		touched[i] = 1;
	getrusage(RUSAGE_SELF, &before);
	char *s = slurp("/proc/self/stat", NULL);
	getrusage(RUSAGE_SELF, &after);
	int n = s ? stat_fields(s, fields) : 0;
	check("stat has 52 fields", n == 52);
	if (n != 52) {
		free(s);
		return;
	}
	prctl(PR_GET_NAME, name);
	snprintf(want, sizeof want, "(%s)", name);
	check("stat pid and (comm)", atoll(fields[0]) == getpid() && !strcmp(fields[1], want));
	check("stat state R", !strcmp(fields[2], "R"));
	check("stat ppid", atoll(fields[3]) == getppid());
	check("stat num_threads", atoll(fields[19]) == threads);
	long long cpu = atoll(fields[13]) + atoll(fields[14]);
	long long lo = ticks_of(before.ru_utime) + ticks_of(before.ru_stime);
	long long hi = ticks_of(after.ru_utime) + ticks_of(after.ru_stime);
	check("stat utime+stime is getrusage's", cpu > 0 && cpu >= lo - 2 && cpu <= hi + 2);
	check("stat vsize and rss > 0", atoll(fields[22]) > 0 && atoll(fields[23]) > 0);
	check("stat exit_signal SIGCHLD", atoll(fields[37]) == SIGCHLD);
	free(s);
	s = slurp("/proc/self/statm", NULL);
	long long a[7];
	check("statm has 7 numbers, size >= resident > 0",
	      s &&
		      sscanf(s, "%lld %lld %lld %lld %lld %lld %lld", &a[0], &a[1], &a[2], &a[3],
			     &a[4], &a[5], &a[6]) == 7 &&
		      a[0] >= a[1] && a[1] > 0);
	free(s);
}

static void maps(void)
{
	char *s = slurp("/proc/self/maps", NULL);
	int local = 0, lines = 0, sorted = 1, global_rw = 0, stack = 0;
	unsigned long prev_end = 0;
	for (char *l = s; l && *l;) {
		char *nl = strchr(l, '\n');
		unsigned long lo, hi, off, ino;
		unsigned maj, min;
		char perms[8];
		int name_at = 0;
		if (nl)
			*nl = 0;
		if (sscanf(l, "%lx-%lx %7s %lx %x:%x %lu %n", &lo, &hi, perms, &off, &maj, &min,
			   &ino, &name_at) < 7) {
			sorted = 0;
			break;
		}
		lines++;
		if (lo < prev_end || hi <= lo)
			sorted = 0;
		prev_end = hi;
		if ((unsigned long)&global_counter >= lo && (unsigned long)&global_counter < hi)
			global_rw = !strcmp(perms, "rw-p");
		if ((unsigned long)&local >= lo && (unsigned long)&local < hi)
			stack = !strcmp(l + name_at, "[stack]") && !strcmp(perms, "rw-p");
		l = nl ? nl + 1 : l + strlen(l);
	}
	check("maps lines parse, sorted, not overlapping", lines > 2 && sorted);
	check("maps: a global lies in an rw-p region", global_rw);
	check("maps: a local lies in [stack]", stack);
	free(s);
}

static void argv_env(int argc, char **argv)
{
	size_t len, want = 0;
	char *s = slurp("/proc/self/cmdline", &len);
	int same = s != NULL;
	for (int i = 0; i < argc && same; i++) {
		same = want + strlen(argv[i]) + 1 <= len && !strcmp(s + want, argv[i]);
		want += strlen(argv[i]) + 1;
	}
	check("cmdline is argv, NUL-separated", same && want == len);
	free(s);
	s = slurp("/proc/self/environ", &len);
	want = 0;
	same = s != NULL;
	for (char **e = environ; *e && same; e++) {
		same = want + strlen(*e) + 1 <= len && !strcmp(s + want, *e);
		want += strlen(*e) + 1;
	}
	check("environ is the environment, NUL-separated", same && want == len);
	free(s);
	char name[17] = {0}, want_comm[20];
	prctl(PR_GET_NAME, name);
	snprintf(want_comm, sizeof want_comm, "%s\n", name);
	s = slurp("/proc/self/comm", NULL);
	check("comm is PR_SET_NAME's", s && !strcmp(s, want_comm));
	free(s);
}

static void limits(void)
{
	char *s = slurp("/proc/self/limits", NULL);
	struct rlimit rl;
	char want[64];
	getrlimit(RLIMIT_NOFILE, &rl);
	snprintf(want, sizeof want, "Max open files            %-20llu",
		 (unsigned long long)rl.rlim_cur);
	int rows = 0;
	for (char *p = s; p && (p = strchr(p, '\n')) != NULL; p++)
		rows++;
	check("limits: header and 16 rows", s && !strncmp(s, "Limit ", 6) && rows == 17);
	check("limits: open files is getrlimit's", s && strstr(s, want));
	free(s);
}

static void mounts(void)
{
	char *s = slurp("/proc/self/mounts", NULL), *t = slurp("/proc/mounts", NULL);
	int good = s != NULL, proc = 0;
	for (char *l = s; l && *l;) {
		char src[256], target[256], type[64], opts[256];
		int a, b;
		if (sscanf(l, "%255s %255s %63s %255s %d %d", src, target, type, opts, &a, &b) !=
			    6 ||
		    a != 0 || b != 0)
			good = 0;
		if (!strcmp(target, "/proc") && !strcmp(type, "proc"))
			proc = 1;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	check("mounts: lines of 6 fields ending 0 0", good);
	check("mounts: /proc is proc", proc);
	check("/proc/mounts is self/mounts", s && t && !strcmp(s, t));
	free(s);
	free(t);
}

static void machine(void)
{
	char *s = slurp("/proc/meminfo", NULL);
	static const char *const mem_order[] = {"MemTotal", "MemFree", "MemAvailable", NULL};
	long long total = s ? field_num(s, "MemTotal") : -1,
		  freem = s ? field_num(s, "MemFree") : -1;
	check("meminfo: MemTotal, MemFree, MemAvailable in order", s && in_order(s, mem_order));
	check("meminfo: 0 < MemFree <= MemTotal",
	      total > 0 && freem > 0 && freem <= total && field_num(s, "MemAvailable") <= total);
	check("meminfo: kB", s && strstr(s, " kB\n"));
	free(s);

	s = slurp("/proc/cpuinfo", NULL);
	check("cpuinfo: processor 0 first", s && !strncmp(s, "processor\t: 0\n", 14));
	const char *flags = s ? field(s, "flags") : NULL;
	check("cpuinfo: flags has fpu", flags && !strncmp(flags, "fpu ", 4));
	check("cpuinfo: model name", s && field(s, "model name"));
	check("cpuinfo: vendor_id", s && field(s, "vendor_id"));
	free(s);

	s = slurp("/proc/loadavg", NULL);
	double l1, l5, l15;
	int running, total_threads, last;
	check("loadavg: 3 averages, running/total, last pid",
	      s &&
		      sscanf(s, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total_threads,
			     &last) == 6 &&
		      l1 >= 0 && running >= 1 && running <= total_threads);
	free(s);

	s = slurp("/proc/uptime", NULL);
	double up, idle;
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	check("uptime: uptime and idle, uptime is CLOCK_BOOTTIME's",
	      s && sscanf(s, "%lf %lf", &up, &idle) == 2 && idle >= 0 &&
		      up <= ts.tv_sec + ts.tv_nsec / 1e9 + 0.02 && up >= ts.tv_sec - 1);
	free(s);

	s = slurp("/proc/stat", NULL);
	long long btime = s ? field_num(s, "btime") : -1;
	time_t now = time(NULL);
	(void)btime;
	check("stat: cpu line first", s && !strncmp(s, "cpu  ", 5));
	const char *b = s ? strstr(s, "\nbtime ") : NULL;
	btime = b ? atoll(b + 7) : -1;
	check("stat: btime is now - uptime", btime > 0 && btime <= now && btime >= now - up - 2);
	const char *pr = s ? strstr(s, "\nprocs_running ") : NULL;
	check("stat: processes and procs_running",
	      s && strstr(s, "\nprocesses ") && pr && atoi(pr + 15) >= 1);
	free(s);

	struct utsname u;
	char want[512];
	uname(&u);
	snprintf(want, sizeof want, "%s version %s ", u.sysname, u.release);
	s = slurp("/proc/version", NULL);
	check("version: uname's sysname and release", s && !strncmp(s, want, strlen(want)));
	free(s);
	s = slurp("/proc/filesystems", NULL);
	check("filesystems: nodev proc", s && strstr(s, "nodev\tproc\n"));
	free(s);
}

static int text_is(const char *path, const char *want)
{
	char *s = slurp(path, NULL);
	int ok = s && !strcmp(s, want);
	free(s);
	return ok;
}

static int uuid_like(const char *s)
{
	if (!s || strlen(s) != 37 || s[36] != '\n')
		return 0;
	for (int i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-'
							      : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static long long number_in(const char *path)
{
	char *s = slurp(path, NULL);
	long long v = s ? atoll(s) : -1;
	free(s);
	return v;
}

static void sys(void)
{
	struct utsname u;
	char want[128];
	uname(&u);
	snprintf(want, sizeof want, "%s\n", u.nodename);
	check("sys/kernel/hostname is uname's", text_is("/proc/sys/kernel/hostname", want));
	snprintf(want, sizeof want, "%s\n", u.sysname);
	check("sys/kernel/ostype is uname's", text_is("/proc/sys/kernel/ostype", want));
	snprintf(want, sizeof want, "%s\n", u.release);
	check("sys/kernel/osrelease is uname's", text_is("/proc/sys/kernel/osrelease", want));
	check("sys/kernel/domainname", number_in("/proc/sys/kernel/domainname") >= -1);
	check("sys/kernel/pid_max > 0", number_in("/proc/sys/kernel/pid_max") > 0);
	check("sys/kernel/threads-max > 0", number_in("/proc/sys/kernel/threads-max") > 0);
	check("sys/kernel/ngroups_max > 0", number_in("/proc/sys/kernel/ngroups_max") > 0);
	check("sys/kernel/random/entropy_avail > 0",
	      number_in("/proc/sys/kernel/random/entropy_avail") > 0);
	char *a = slurp("/proc/sys/kernel/random/boot_id", NULL);
	char *b = slurp("/proc/sys/kernel/random/boot_id", NULL);
	check("boot_id: a UUID, the same twice", uuid_like(a) && b && !strcmp(a, b));
	free(a);
	free(b);
	a = slurp("/proc/sys/kernel/random/uuid", NULL);
	b = slurp("/proc/sys/kernel/random/uuid", NULL);
	check("uuid: a UUID, new each time", uuid_like(a) && uuid_like(b) && strcmp(a, b));
	free(a);
	free(b);
	long long oc = number_in("/proc/sys/vm/overcommit_memory");
	check("sys/vm/overcommit_memory is 0, 1 or 2", oc >= 0 && oc <= 2);
	check("sys/net/core/somaxconn > 0", number_in("/proc/sys/net/core/somaxconn") > 0);
}

/* task/ lists the threads; each one's comm, stat and status are its own. */
static void tasks(const long *tids, int n)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int found = 0, extra = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		long t = atol(de->d_name);
		int known = 0;
		for (int i = 0; i < n; i++)
			known |= tids[i] == t;
		found += known;
		extra |= !known;
	}
	if (d)
		closedir(d);
	check("task/ lists exactly the threads", found == n && !extra);
	int names = 1, stats = 1;
	for (int i = 1; i < n; i++) {
		char path[96], want[32], *s;
		snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tids[i]);
		snprintf(want, sizeof want, "worker-%d\n", i);
		names &= text_is(path, want);
		snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tids[i]);
		s = slurp(path, NULL);
		snprintf(want, sizeof want, "%ld (worker-%d) ", tids[i], i);
		stats &= s && !strncmp(s, want, strlen(want));
		free(s);
		snprintf(path, sizeof path, "/proc/self/task/%ld/status", tids[i]);
		s = slurp(path, NULL);
		stats &= s && field_num(s, "Pid") == tids[i] && field_num(s, "Tgid") == getpid();
		free(s);
	}
	check("task/<tid>/comm is the thread's name", names);
	check("task/<tid>/stat and status are the thread's", stats);
}

static void reading(void)
{
	char whole[8192], bytes[8192];
	int fd = open("/proc/self/limits", O_RDONLY);
	ssize_t n = 0, r;
	while (n < (ssize_t)sizeof bytes && (r = read(fd, bytes + n, 1)) == 1)
		n++;
	check("lseek to 0", lseek(fd, 0, SEEK_SET) == 0);
	ssize_t all = read(fd, whole, sizeof whole);
	check("byte-by-byte reads give the whole text",
	      n > 100 && all == n && !memcmp(whole, bytes, (size_t)n));
	char part[10];
	check("pread at an offset", pread(fd, part, sizeof part, 20) == sizeof part &&
					    !memcmp(part, whole + 20, sizeof part));
	check("read at the end is 0", lseek(fd, 0, SEEK_CUR) == all && read(fd, part, 1) == 0);
	check("write to a read-only fd is EBADF", write(fd, "x", 1) == -1 && errno == EBADF);
	close(fd);

	struct stat st;
	check("stat of a file: S_IFREG 0444 size 0",
	      stat("/proc/meminfo", &st) == 0 && st.st_mode == (S_IFREG | 0444) && st.st_size == 0);
	check("stat of status: S_IFREG 0444 size 0", stat("/proc/self/status", &st) == 0 &&
							     st.st_mode == (S_IFREG | 0444) &&
							     st.st_size == 0);
	check("stat of sys: S_IFDIR 0555",
	      stat("/proc/sys", &st) == 0 && st.st_mode == (S_IFDIR | 0555));
	check("unlink of a file is EPERM", unlink("/proc/meminfo") == -1 && errno == EPERM);
	check("mkdir over a file is EEXIST", mkdir("/proc/meminfo", 0755) == -1 && errno == EEXIST);
	check("creating a name is ENOENT (procfs cannot look it up)",
	      open("/proc/new-file", O_WRONLY | O_CREAT, 0644) == -1 && errno == ENOENT &&
		      mkdir("/proc/new-dir", 0755) == -1 && errno == ENOENT &&
		      symlink("x", "/proc/new-link") == -1 && errno == ENOENT);
	/* As root (the appliance is): the open succeeds and the write fails. */
	fd = open("/proc/meminfo", O_WRONLY);
	check("write to the machine's file is EIO",
	      fd >= 0 && write(fd, "x", 1) == -1 && errno == EIO);
	close(fd);
	fd = open("/proc/self/status", O_WRONLY);
	check("write to the process's file is EINVAL",
	      fd >= 0 && write(fd, "x", 1) == -1 && errno == EINVAL);
	close(fd);
	check("open of a read-only /proc/sys file for writing is EACCES",
	      open("/proc/sys/kernel/ostype", O_WRONLY) == -1 && errno == EACCES);
	check("open of what is not there is ENOENT",
	      open("/proc/no-such-file", O_RDONLY) == -1 && errno == ENOENT);
	check("open of the pid dir for writing is EISDIR",
	      open("/proc/self", O_WRONLY) == -1 && errno == EISDIR);

	DIR *d = opendir("/proc");
	struct dirent *de;
	char pid[16];
	int self = 0, meminfo = 0, sysdir = 0, piddir = 0;
	snprintf(pid, sizeof pid, "%d", getpid());
	while (d && (de = readdir(d)) != NULL) {
		self |= !strcmp(de->d_name, "self") && de->d_type == DT_LNK;
		meminfo |= !strcmp(de->d_name, "meminfo") && de->d_type == DT_REG;
		sysdir |= !strcmp(de->d_name, "sys") && de->d_type == DT_DIR;
		piddir |= !strcmp(de->d_name, pid) && de->d_type == DT_DIR;
	}
	if (d)
		closedir(d);
	check("getdents of /proc: self, meminfo, sys, the pid",
	      self && meminfo && sysdir && piddir);
}

/* A child's /proc is its own: self, Pid, PPid, one thread. */
static void child_view(void)
{
	pid_t parent = getpid();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char want[32];
		snprintf(want, sizeof want, "%d", getpid());
		char *s = slurp("/proc/self/status", NULL);
		int ok = readlink_is("/proc/self", want) && s && field_num(s, "Pid") == getpid() &&
			 field_num(s, "PPid") == parent && field_num(s, "Threads") == 1;
		_exit(ok ? 0 : 1);
	}
	int st = 0;
	waitpid(c, &st, 0);
	check("a child's /proc/self is its own: self, Pid, PPid, Threads",
	      c > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void on_usr2(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	enum { WORKERS = 2 };
	pthread_t th[WORKERS];
	long tids[WORKERS + 1] = {tid_now()};
	sigset_t set;
	prctl(PR_SET_NAME, "procfs-test");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR2, on_usr2);

	links();
	fds();
	status(1);
	stat_file(1);
	maps();
	argv_env(argc, argv);
	limits();
	mounts();
	machine();
	sys();
	reading();

	if (pipe(ready_pipe) || pipe(go_pipe))
		return 2;
	for (int i = 0; i < WORKERS; i++) {
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)(i + 1));
		if (read(ready_pipe[0], &tids[i + 1], sizeof tids[i + 1]) != sizeof tids[i + 1])
			return 2;
	}
	status(WORKERS + 1);
	tasks(tids, WORKERS + 1);
	if (write(go_pipe[1], "gg", WORKERS) != WORKERS)
		return 2;
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	child_view();
	printf("%s\n", failures ? "FAILED" : "done");
	return failures ? 1 : 0;
}
