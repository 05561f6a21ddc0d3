/* Limits: a full file system, 100,000 files in one directory, a full fd
 * table. */
#include "fsops.h"

#include <sys/resource.h>
#include <sys/syscall.h>

int scenario_fill(const char *dir)
{
	static char chunk[1 << 16];
	memset(chunk, 'x', sizeof chunk);
	int fd = check("create big", open(at(dir, "big"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	long w, total = 0;
	while ((w = write(fd, chunk, sizeof chunk)) > 0)
		total += w;
	check("write until it is full", w);
	printf("  wrote something first: %d\n", total > 0);
	check("create small (metadata may still fit)", ({
		      int s = open(at(dir, "small"), O_WRONLY | O_CREAT, 0644);
		      long r = s < 0 ? (errno == ENOSPC ? 0 : -1) : 0;
		      if (s >= 0)
			      close(s), unlink(at(dir, "small"));
		      r;
	      }));
	check("ftruncate to 0 frees it", ftruncate(fd, 0));
	check("write again", write(fd, chunk, sizeof chunk));
	close(fd);
	check("unlink big", unlink(at(dir, "big")));
	return 0;
}

/* Names in the tens of thousands: created, looked up, listed, removed. */
int scenario_many(const char *dir)
{
	const int n = scenario_arg ? atoi(scenario_arg) : 100000;
	char name[32];
	int made = 0, found = 0, gone = 0;
	check("mkdir many", mkdir(at(dir, "many"), 0755));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "many/f%06d", i);
		int fd = open(at(dir, name), O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			checkf(-1, "create %s", name);
			break;
		}
		close(fd);
		made++;
	}
	printf("  made %d\n", made);
	for (int i = 0; i < made; i += 997) {
		snprintf(name, sizeof name, "many/f%06d", i);
		found += access(at(dir, name), F_OK) == 0;
	}
	printf("  found %d of %d\n", found, (made + 996) / 997);
	int d = open(at(dir, "many"), O_RDONLY | O_DIRECTORY);
	char buf[8192];
	long got, entries = 0;
	while ((got = syscall(SYS_getdents64, d, buf, sizeof buf)) > 0)
		for (long off = 0; off < got; entries++)
			off += *(unsigned short *)(buf + off + 16);
	close(d);
	printf("  listed %ld (with . and ..)\n", entries);
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof name, "many/f%06d", i);
		gone += unlink(at(dir, name)) == 0;
	}
	printf("  removed %d\n", gone);
	check("rmdir many", rmdir(at(dir, "many")));
	return 0;
}

/* The fds open already differ between a process (what the shell left)
 * and an appliance (0-2): count them, and print only how they add up. */
int scenario_emfile(const char *dir)
{
	struct rlimit rl;
	int n = 0, open_before = 0, fd, last = -1;
	check("getrlimit", getrlimit(RLIMIT_NOFILE, &rl));
	for (int i = 0; i < (int)rl.rlim_cur; i++)
		open_before += fcntl(i, F_GETFD) >= 0;
	while ((fd = open(dir, O_RDONLY)) >= 0)
		n++, last = fd;
	check("open until it fails", fd);
	printf("  opened up to the limit: %d\n", n + open_before == (int)rl.rlim_cur);
	check("dup", dup(0));
	check("pipe", pipe((int[2]){0, 0}));
	check("close the last", close(last));
	printf("  open again gets it back: %d\n", open(dir, O_RDONLY) == last);
	return 0;
}
