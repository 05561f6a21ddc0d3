/*
 * Identity, run as root (identity.sh): the user and group ids with Linux's
 * rules (real, effective, saved, file-system; what an unprivileged caller
 * may change), the supplementary groups, capabilities before and after a
 * drop (keepcaps too), files created carrying the ids, permission checks
 * after a drop (a 0600 root file, search permission, the sticky bit, chmod,
 * chown, utimes, truncate), access() with the real ids, and resource
 * limits enforced (RLIMIT_NOFILE, RLIMIT_DATA, RLIMIT_AS). Built with hut
 * and with gcc and glibc: the same output and status every way. Nothing
 * printed depends on the host (its hard limits, its root's capability
 * set, its groups). Single-threaded: glibc's set*id act on every thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOBODY 65534
#define MIB (1024 * 1024)

static char dir[256];

static const char *ename(int e)
{
	static char other[16];
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case EMFILE:
		return "EMFILE";
	case EBADF:
		return "EBADF";
	case ENOMEM:
		return "ENOMEM";
	case ENOENT:
		return "ENOENT";
	case EEXIST:
		return "EEXIST";
	case EFAULT:
		return "EFAULT";
	case ESRCH:
		return "ESRCH";
	}
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

/* One line: what was done and what came of it (0 / -1 and the errno). */
static void show(const char *what, long r)
{
	if (r < 0)
		printf("%-44s -1 %s\n", what, ename(errno));
	else
		printf("%-44s %ld\n", what, r);
}

static void ids(const char *when)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %u %u (res %u %u %u fs %d) gid %u %u (res %u %u %u fs %d)\n", when,
	       getuid(), geteuid(), r, e, s, setfsuid(-1), getgid(), getegid(), gr, ge, gs,
	       setfsgid(-1));
}

static void groups(const char *when)
{
	gid_t list[8];
	int n = getgroups(8, list);
	printf("%s: groups", when);
	for (int i = 0; i < n; i++)
		printf(" %u", list[i]);
	if (n < 0)
		printf(" -1 %s\n", ename(errno));
	else
		printf(" (%d)\n", n);
}

static int capget_now(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	return (int)syscall(SYS_capget, &h, d);
}

static int capset_now(unsigned eff0, unsigned perm0, unsigned eff1, unsigned perm1)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{eff0, perm0, 0}, {eff1, perm1, 0}};
	return (int)syscall(SYS_capset, &h, d);
}

static int has(unsigned set, int cap)
{
	return (set >> cap) & 1;
}

/* The capabilities that matter here, which every root has (a container's
 * default set included): not the host's whole set. */
static void caps(const char *when)
{
	struct __user_cap_data_struct d[2];
	if (capget_now(d) != 0) {
		show("capget", -1);
		return;
	}
	unsigned e = d[0].effective, p = d[0].permitted;
	printf("%s: caps eff==perm %d, eff zero %d, perm zero %d; eff setuid %d setgid %d chown %d "
	       "dac_override %d fowner %d fsetid %d kill %d\n",
	       when, e == p && d[1].effective == d[1].permitted, !e && !d[1].effective,
	       !p && !d[1].permitted, has(e, CAP_SETUID), has(e, CAP_SETGID), has(e, CAP_CHOWN),
	       has(e, CAP_DAC_OVERRIDE), has(e, CAP_FOWNER), has(e, CAP_FSETID), has(e, CAP_KILL));
}

static char *at(const char *name)
{
	static char paths[4][320];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, sizeof paths[0], "%s/%s", dir, name);
	return p;
}

static void stat_line(const char *name)
{
	struct stat st;
	if (stat(at(name), &st) != 0) {
		show(name, -1);
		return;
	}
	printf("%-44s mode %04o uid %u gid %u\n", name, st.st_mode & 07777, st.st_uid, st.st_gid);
}

static int make_file(const char *name, mode_t mode)
{
	int fd = open(at(name), O_CREAT | O_WRONLY | O_EXCL, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "data\n", 5);
	close(fd);
	return n == 5 ? 0 : -1;
}

static long open_close(const char *name, int flags)
{
	int fd = open(at(name), flags);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static void capability_calls(void)
{
	struct __user_cap_header_struct h = {0, 0};
	struct __user_cap_data_struct d[2];
	show("capget version 0", syscall(SYS_capget, &h, d));
	printf("%-44s %#x\n", "  the version the kernel wants", h.version);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	show("capget data NULL", syscall(SYS_capget, &h, NULL));
	h.pid = -1;
	show("capget pid -1", syscall(SYS_capget, &h, d));
	show("prctl CAPBSET_READ setuid", prctl(PR_CAPBSET_READ, CAP_SETUID, 0, 0, 0));
	show("prctl CAPBSET_READ 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0));
	show("prctl GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	show("prctl SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
}

static void group_calls(void)
{
	gid_t three[3] = {30, 10, 20}, bad[2] = {5, (gid_t)-1}, list[3];
	show("setgroups 30 10 20", setgroups(3, three));
	groups("after setgroups");
	show("getgroups size 0", getgroups(0, list));
	show("getgroups size 2", getgroups(2, list));
	volatile int minus_one = -1; /* gcc would refuse a constant -1 */
	show("getgroups size -1", getgroups(minus_one, list));
	show("setgroups with gid -1", setgroups(2, bad));
	show("setgroups 65537", setgroups(65537, three));
	show("setgroups 20", setgroups(1, three + 2));
	groups("now");
}

/* As root (CAP_SETGID): every group id change is allowed. */
static void gid_calls(void)
{
	show("setresgid 100 101 102", setresgid(100, 101, 102));
	ids("  ");
	show("setregid -1 50", setregid(-1, 50));
	ids("  ");
	show("setregid 7 -1", setregid(7, -1));
	ids("  ");
	show("setfsgid 60 (returns the old)", setfsgid(60));
	ids("  ");
	show("setgid 0", setgid(0));
	ids("  ");
}

/* As root: setreuid's saved-id rules, and the way back while any id is 0. */
static void uid_calls(void)
{
	show("setreuid -1 2000", setreuid(-1, 2000));
	ids("  ");
	caps("  ");
	show("setreuid -1 0 (the real id)", setreuid(-1, 0));
	ids("  ");
	caps("  ");
	show("setreuid 1000 -1", setreuid(1000, -1));
	ids("  ");
	show("setresuid 0 0 0", setresuid(0, 0, 0));
	show("setuid -1", setuid(-1));
	show("setfsuid 1000 (returns the old)", setfsuid(1000));
	ids("  ");
	caps("  fsuid 1000");
	show("setfsuid 0", setfsuid(0));
	caps("  fsuid 0");
}

static void make_tree(void)
{
	mkdir(at("box"), 0777);
	chmod(at("box"), 0777);
	mkdir(at("sticky"), 0777);
	chmod(at("sticky"), 01777);
	mkdir(at("closed"), 0700);
	chmod(dir, 0755);
	show("root makes secret 0600", make_file("secret", 0600));
	show("root makes pub 0644", make_file("pub", 0644));
	show("root makes sticky/rootfile", make_file("sticky/rootfile", 0644));
	show("root makes closed/f", make_file("closed/f", 0644));
	stat_line("secret");
	/* Set-ID files: a write by someone without CAP_FSETID takes the bits
	 * off (set-group-ID only with group execute); a chown, anyone's. */
	const char *setid[] = {"box/suid", "box/sgid", "box/sgid-nox", "chownme"};
	const mode_t modes[] = {04777, 02777, 02767, 04755};
	for (int i = 0; i < 4; i++) {
		make_file(setid[i], 0644);
		chmod(at(setid[i]), modes[i]);
	}
	mkdir(at("box/rootdir"), 0755);
	show("access secret X_OK as root", access(at("secret"), X_OK));
	show("access closed X_OK as root", access(at("closed"), X_OK));
	show("root chowns chownme (04755)", chown(at("chownme"), 0, 0));
	stat_line("chownme");
}

static void write_one(const char *name)
{
	int fd = open(at(name), O_WRONLY | O_APPEND);
	show(name, fd < 0 ? -1 : write(fd, "x", 1));
	if (fd >= 0)
		close(fd);
	stat_line(name);
}

/* Effective uid and gid 65534, saved 0: what a daemon that dropped its
 * privileges may and may not do to files. */
static void as_nobody(void)
{
	struct stat st;
	struct timespec times[2] = {{1000, 0}, {2000, 0}};
	show("open secret O_RDONLY", open_close("secret", O_RDONLY));
	show("open pub O_RDONLY", open_close("pub", O_RDONLY));
	show("open pub O_WRONLY", open_close("pub", O_WRONLY));
	show("open pub O_RDONLY|O_TRUNC", open_close("pub", O_RDONLY | O_TRUNC));
	show("stat closed/f (no search)", stat(at("closed/f"), &st));
	show("open closed/f", open_close("closed/f", O_RDONLY));
	show("chdir closed", chdir(at("closed")));
	show("access secret R_OK (real id 0)", access(at("secret"), R_OK));
	show("faccessat secret R_OK AT_EACCESS",
	     faccessat(AT_FDCWD, at("secret"), R_OK, AT_EACCESS));
	show("create in the 0755 root dir", make_file("mine", 0644));
	show("mkdir in the 0755 root dir", mkdir(at("sub"), 0755));
	show("unlink pub", unlink(at("pub")));
	show("rename pub to box/pub", rename(at("pub"), at("box/pub")));
	show("unlink sticky/rootfile", unlink(at("sticky/rootfile")));
	show("create box/mine 0640", make_file("box/mine", 0640));
	stat_line("box/mine");
	show("mkdir box/sub", mkdir(at("box/sub"), 0750));
	stat_line("box/sub");
	show("symlink box/link", symlink("mine", at("box/link")));
	show("chmod pub 0666", chmod(at("pub"), 0666));
	show("chown box/mine to uid 0", chown(at("box/mine"), 0, -1));
	show("chown box/mine to group 20 (a member)", chown(at("box/mine"), -1, 20));
	show("chown box/mine to group 30", chown(at("box/mine"), -1, 30));
	show("chmod box/mine 02640", chmod(at("box/mine"), 02640));
	stat_line("box/mine");
	show("utimensat pub now (no write)", utimensat(AT_FDCWD, at("pub"), NULL, 0));
	show("utimensat pub times", utimensat(AT_FDCWD, at("pub"), times, 0));
	show("utimensat box/mine times (owner)", utimensat(AT_FDCWD, at("box/mine"), times, 0));
	show("truncate pub", truncate(at("pub"), 0));
	show("rename box/mine to box/yours", rename(at("box/mine"), at("box/yours")));
	show("unlink sticky/rootfile", unlink(at("sticky/rootfile")));
	show("renameat2 pub secret NOREPLACE",
	     syscall(SYS_renameat2, AT_FDCWD, at("pub"), AT_FDCWD, at("secret"), 1));
	show("rename box/rootdir box/rootdir2", rename(at("box/rootdir"), at("box/rootdir2")));
	show("rename box/rootdir2 sticky/rootdir",
	     rename(at("box/rootdir2"), at("sticky/rootdir")));
	show("link box/yours box/hard", link(at("box/yours"), at("box/hard")));
	show("link box/yours hard (0755 root dir)", link(at("box/yours"), at("hard")));
	show("setresuid -1 65534 -1 (no change)", setresuid(-1, NOBODY, -1));
	write_one("box/suid");
	write_one("box/sgid");
	write_one("box/sgid-nox");
}

/* What an unprivileged caller may not change. */
static void eperm_calls(void)
{
	show("setuid 1234", setuid(1234));
	show("setreuid 1234 -1", setreuid(1234, -1));
	show("setreuid -1 1234", setreuid(-1, 1234));
	show("setresuid -1 -1 1234", setresuid(-1, -1, 1234));
	show("setgid 1234", setgid(1234));
	show("setgroups 0", setgroups(0, NULL));
	show("setfsuid 1234 (returns the old)", setfsuid(1234));
	ids("  unchanged");
	struct __user_cap_data_struct d[2];
	capget_now(d);
	show("capset eff = perm (perm kept)",
	     capset_now(d[0].permitted, d[0].permitted, d[1].permitted, d[1].permitted));
	show("  open secret with the capabilities", open_close("secret", O_RDONLY));
	show("capset eff 0", capset_now(0, d[0].permitted, 0, d[1].permitted));
	show("  open secret without", open_close("secret", O_RDONLY));
}

static void files_and_drops(void)
{
	make_tree();
	show("setresgid -1 65534 -1", setresgid(-1, NOBODY, -1));
	show("setresuid -1 65534 -1", setresuid(-1, NOBODY, -1));
	ids("dropped");
	caps("dropped");
	as_nobody();
	eperm_calls();
	show("setresuid -1 0 -1 (the saved id)", setresuid(-1, 0, -1));
	caps("back");
	show("setresgid -1 0 -1", setresgid(-1, 0, -1));
	/* The real id not root, the effective one root: access says no. */
	show("setresuid 65534 0 0", setresuid(NOBODY, 0, 0));
	show("access secret R_OK (real 65534)", access(at("secret"), R_OK));
	show("faccessat secret AT_EACCESS", faccessat(AT_FDCWD, at("secret"), R_OK, AT_EACCESS));
	show("open secret", open_close("secret", O_RDONLY));
	show("setresuid 0 0 0", setresuid(0, 0, 0));
	ids("root again");
}

static void keepcaps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	capget_now(d);
	d[0].inheritable = 1u << CAP_KILL;
	d[1].inheritable = 0;
	show("capset inheritable kill", syscall(SYS_capset, &h, d));
	show("ambient raise kill", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	show("ambient is_set kill", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	show("ambient is_set 64", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 64, 0, 0));
	show("capbset drop mknod", prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0));
	show("capbset read mknod", prctl(PR_CAPBSET_READ, CAP_MKNOD, 0, 0, 0));
	show("prctl SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	show("prctl GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	show("setresuid 65534 65534 65534", setresuid(NOBODY, NOBODY, NOBODY));
	caps("keepcaps");
	show("ambient is_set kill (cleared)",
	     prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	capget_now(d);
	show("capset eff setuid", capset_now(1u << CAP_SETUID, d[0].permitted, 0, d[1].permitted));
	show("setresuid 0 0 0 (CAP_SETUID kept)", setresuid(0, 0, 0));
	caps("root again");
	show("prctl SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
	/* securebits: NO_CAP_AMBIENT_RAISE and its lock (0xc0) */
	show("prctl SET_SECUREBITS no_ambient locked", prctl(PR_SET_SECUREBITS, 0xc0, 0, 0, 0));
	show("prctl GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	show("prctl SET_SECUREBITS 0 (locked)", prctl(PR_SET_SECUREBITS, 0, 0, 0, 0));
	show("ambient raise kill (no_ambient)",
	     prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	show("prctl SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	show("prctl GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	show("prctl SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
}

static void cleanup(void)
{
	const char *files[] = {"box/hard", "box/yours", "box/mine",	   "box/link",
			       "box/suid", "box/sgid",	"box/sgid-nox",	   "chownme",
			       "secret",   "pub",	"sticky/rootfile", "closed/f"};
	const char *dirs[] = {"box/sub", "box/rootdir2", "box/rootdir", "box", "sticky", "closed"};
	for (unsigned i = 0; i < sizeof files / sizeof *files; i++)
		unlink(at(files[i]));
	for (unsigned i = 0; i < sizeof dirs / sizeof *dirs; i++)
		rmdir(at(dirs[i]));
	show("remove the directory", rmdir(dir));
}

static void nofile(void)
{
	struct rlimit rl, small;
	getrlimit(RLIMIT_NOFILE, &rl);
	small = (struct rlimit){32, rl.rlim_max};
	show("setrlimit NOFILE 32", setrlimit(RLIMIT_NOFILE, &small));
	int fd, last = -1;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		last = fd;
	printf("%-44s %d, then %s\n", "opened up to fd", last, ename(errno));
	show("dup2 0 to 40", dup2(0, 40));
	show("fcntl F_DUPFD 40", fcntl(0, F_DUPFD, 40));
	close(last);
	show("open after a close", open("/dev/null", O_RDONLY));
	small = (struct rlimit){64, rl.rlim_max};
	show("setrlimit NOFILE 64 (up to the hard)", setrlimit(RLIMIT_NOFILE, &small));
	small = (struct rlimit){rl.rlim_max + 1, rl.rlim_max + 1};
	show("setrlimit NOFILE above the hard", setrlimit(RLIMIT_NOFILE, &small));
	small = (struct rlimit){64, 64};
	show("setrlimit NOFILE hard 64", setrlimit(RLIMIT_NOFILE, &small));
	small = (struct rlimit){64, 65};
	show("setrlimit NOFILE hard 65 again", setrlimit(RLIMIT_NOFILE, &small));
	small = (struct rlimit){65, 64};
	show("setrlimit NOFILE soft above hard", setrlimit(RLIMIT_NOFILE, &small));
	show("setrlimit resource 99", setrlimit(99, &small));
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("%-44s %lu %lu\n", "NOFILE now", (unsigned long)rl.rlim_cur,
	       (unsigned long)rl.rlim_max);
}

static long map(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

static void memory(void)
{
	struct rlimit limit = {16 * MIB, RLIM_INFINITY};
	show("mmap 32 MiB rw", map(32 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	show("setrlimit DATA 16 MiB", setrlimit(RLIMIT_DATA, &limit));
	show("mmap 32 MiB rw private", map(32 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	show("mmap 32 MiB read-only", map(32 * MIB, PROT_READ, MAP_PRIVATE));
	show("mmap 1 MiB rw private", map(MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	show("setrlimit AS 16 MiB", setrlimit(RLIMIT_AS, &limit));
	show("mmap 32 MiB read-only", map(32 * MIB, PROT_READ, MAP_PRIVATE));
	show("mmap 1 MiB read-only", map(MIB, PROT_READ, MAP_PRIVATE));
	limit.rlim_cur = RLIM_INFINITY;
	show("setrlimit AS unlimited", setrlimit(RLIMIT_AS, &limit));
	show("setrlimit DATA unlimited", setrlimit(RLIMIT_DATA, &limit));
	show("mmap 32 MiB rw", map(32 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
}

/* Niceness after the drop: raising it is free, lowering it needs
 * CAP_SYS_NICE or RLIMIT_NICE (set to 0 first: the host's may differ). */
static void niceness(void)
{
	int now = getpriority(PRIO_PROCESS, 0);
	show("setpriority one nicer", setpriority(PRIO_PROCESS, 0, now + 1));
	show("setpriority back (RLIMIT_NICE 0)", setpriority(PRIO_PROCESS, 0, now));
	printf("%-44s %d\n", "niceness now, from the start", getpriority(PRIO_PROCESS, 0) - now);
}

/* For good: every id 65534, every capability gone, no way back. */
static void final_drop(void)
{
	struct rlimit zero = {0, 0};
	show("setrlimit NICE 0 0", setrlimit(RLIMIT_NICE, &zero));
	show("setgroups 0", setgroups(0, NULL));
	show("setgid 65534", setgid(NOBODY));
	show("setuid 65534", setuid(NOBODY));
	ids("nobody");
	caps("nobody");
	groups("nobody");
	show("setuid 0", setuid(0));
	show("setresuid -1 0 -1", setresuid(-1, 0, -1));
	show("setresuid 65534 65534 65534 (no change)", setresuid(NOBODY, NOBODY, NOBODY));
	show("setregid -1 0", setregid(-1, 0));
	show("setfsgid 0 (returns the old)", setfsgid(0));
	show("setgid 0", setgid(0));
	show("prctl CAPBSET_READ setuid", prctl(PR_CAPBSET_READ, CAP_SETUID, 0, 0, 0));
	show("capset perm setuid", capset_now(0, 1u << CAP_SETUID, 0, 0));
	niceness();
}

/* A root file of mode 0600 the caller names (the image's packed one, or
 * the same file on the host): readable by root, not after a drop. */
static int packed(const char *path)
{
	struct stat st;
	show("stat", stat(path, &st));
	printf("%-44s mode %04o uid %u gid %u\n", "the file", st.st_mode & 07777, st.st_uid,
	       st.st_gid);
	show("open as root", open(path, O_RDONLY) >= 0 ? 0 : -1);
	show("setresuid -1 65534 -1", setresuid(-1, NOBODY, -1));
	show("open as 65534", open(path, O_RDONLY) >= 0 ? 0 : -1);
	show("access R_OK (real id 0)", access(path, R_OK));
	show("faccessat R_OK AT_EACCESS", faccessat(AT_FDCWD, path, R_OK, AT_EACCESS));
	show("setresuid -1 0 -1", setresuid(-1, 0, -1));
	show("open as root again", open(path, O_RDONLY) >= 0 ? 0 : -1);
	return 0;
}

/* identity [BASE]: the whole run in a new directory under BASE (/tmp);
 * identity --packed PATH: the 0600 file PATH alone. */
int main(int argc, char **argv)
{
	umask(022);
	if (getuid() != 0) {
		printf("run as root\n");
		return 2;
	}
	if (argc == 3 && !strcmp(argv[1], "--packed"))
		return packed(argv[2]);
	snprintf(dir, sizeof dir, "%s/hut-identity-XXXXXX", argc > 1 ? argv[1] : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	show("setgroups 0", setgroups(0, NULL));
	ids("start");
	caps("start");
	groups("start");
	capability_calls();
	group_calls();
	gid_calls();
	uid_calls();
	files_and_drops();
	keepcaps();
	cleanup();
	memory();
	final_drop();
	nofile();
	return 0;
}
