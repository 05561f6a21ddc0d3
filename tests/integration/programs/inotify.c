/*
 * inotify (fdkinds.sh), on a fresh directory of /tmp or of the directory
 * argv[1] names (a volume): the events of
 * creating, opening, reading, writing, closing, changing, renaming and
 * removing files and directories, each reported to the directory's watch
 * (with a name) and the object's own; MOVED_FROM/MOVED_TO sharing a
 * cookie; coalescing of repeated events; IN_ONESHOT, IN_MASK_ADD,
 * IN_MASK_CREATE, IN_ONLYDIR; IN_IGNORED after rm_watch and deletion;
 * FIONREAD, poll, epoll, non-blocking and blocking reads (a thread makes
 * the event), and the errnos of bad arguments. Watch numbers and cookies
 * are printed as what they mean, not as values.
 */
#define _GNU_SOURCE
#include "res.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static int wds[8];
static const char *wd_names[8];
static int nwds;

static void name_wd(int wd, const char *name)
{
	wds[nwds] = wd;
	wd_names[nwds++] = name;
	printf("watch %s: %s\n", name, wd > 0 ? "wd" : res(wd));
}

static const char *wd_name(int wd)
{
	for (int i = nwds - 1; i >= 0; i--)
		if (wds[i] == wd)
			return wd_names[i];
	return wd == -1 ? "-1" : "?";
}

/* Appends printf-style text to line (of LINE_MAX bytes), cut if too long. */
#define LINE_MAX_ 256
static void add(char *line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(char *line, const char *fmt, ...)
{
	size_t used = strlen(line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + used, LINE_MAX_ - used, fmt, ap);
	va_end(ap);
}

static void add_mask(char *line, uint32_t m)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {{IN_ACCESS, "ACCESS"},
		    {IN_MODIFY, "MODIFY"},
		    {IN_ATTRIB, "ATTRIB"},
		    {IN_CLOSE_WRITE, "CLOSE_WRITE"},
		    {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
		    {IN_OPEN, "OPEN"},
		    {IN_MOVED_FROM, "MOVED_FROM"},
		    {IN_MOVED_TO, "MOVED_TO"},
		    {IN_CREATE, "CREATE"},
		    {IN_DELETE, "DELETE"},
		    {IN_DELETE_SELF, "DELETE_SELF"},
		    {IN_MOVE_SELF, "MOVE_SELF"},
		    {IN_IGNORED, "IGNORED"},
		    {IN_Q_OVERFLOW, "Q_OVERFLOW"},
		    {IN_ISDIR, "ISDIR"}};
	const char *sep = "";
	for (unsigned i = 0; i < sizeof bits / sizeof *bits; i++)
		if (m & bits[i].bit) {
			add(line, "%s%s", sep, bits[i].name);
			sep = "|";
			m &= ~bits[i].bit;
		}
	if (m)
		add(line, "%s%#x", sep, m);
}

/* One event as a line: its watch, its mask, its name, its cookie. */
static void event_line(const struct inotify_event *e, char *line)
{
	static uint32_t last_cookie;
	line[0] = 0;
	add(line, "  %s ", wd_name(e->wd));
	add_mask(line, e->mask);
	if (e->len)
		add(line, " %s (len %u)", e->name, e->len);
	if (e->mask & IN_MOVED_FROM)
		last_cookie = e->cookie;
	if (e->mask & IN_MOVED_TO)
		add(line, " cookie %s",
		    e->cookie && e->cookie == last_cookie ? "as MOVED_FROM's" : "differs");
	else if (e->cookie && !(e->mask & IN_MOVED_FROM))
		add(line, " cookie set");
}

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Reads what is queued (the fd is non-blocking) and prints each event; in
 * any_order, sorted: for a step whose events Linux's versions order
 * differently (open with O_TRUNC: 6.1 reports the truncation's MODIFY before
 * OPEN, later kernels after it), so that the reference's kernel does not
 * decide the comparison. */
static void drain_events(int fd, const char *what, int any_order)
{
	static char lines[64][LINE_MAX_];
	int n_lines = 0;
	char buf[4096] __attribute__((aligned(8)));
	printf("%s:\n", what);
	for (;;) {
		long n = read(fd, buf, sizeof buf);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				printf("  read: %s\n", res(n));
			break;
		}
		for (long off = 0; off < n;) {
			const struct inotify_event *e = (const struct inotify_event *)(buf + off);
			char one[LINE_MAX_];
			/* Kept for sorting; past 64, printed as they come. */
			char *line = any_order && n_lines < 64 ? lines[n_lines++] : one;
			event_line(e, line);
			if (line == one)
				printf("%s\n", one);
			off += (long)sizeof *e + e->len;
		}
	}
	qsort(lines, (size_t)n_lines, sizeof lines[0], by_text);
	for (int i = 0; i < n_lines; i++)
		printf("%s\n", lines[i]);
}

static void drain(int fd, const char *what)
{
	drain_events(fd, what, 0);
}

static char *at(const char *name)
{
	static char p[4][128];
	static int next;
	char *b = p[next++ % 4];
	snprintf(b, 128, "%s/%s", dir, name);
	return b;
}

static void files(int fd)
{
	char buf[16];
	int f = open(at("f"), O_CREAT | O_WRONLY, 0644);
	write(f, "a", 1);
	write(f, "b", 1);
	close(f);
	drain(fd, "create, write twice, close");
	name_wd(inotify_add_watch(fd, at("f"), IN_ALL_EVENTS), "f");
	f = open(at("f"), O_RDONLY);
	read(f, buf, sizeof buf);
	close(f);
	drain(fd, "open, read, close");
	chmod(at("f"), 0600);
	truncate(at("f"), 1);
	drain(fd, "chmod, truncate");
	f = open(at("f"), O_WRONLY | O_TRUNC);
	close(f);
	drain_events(fd, "open O_TRUNC", 1);
	rename(at("f"), at("g"));
	drain(fd, "rename f to g");
	f = open(at("g"), O_WRONLY);
	write(f, "c", 1);
	close(f);
	drain(fd, "write by the new name");
	link(at("g"), at("h"));
	drain(fd, "link g to h");
	unlink(at("h"));
	drain(fd, "unlink h (g remains)");
	unlink(at("g"));
	drain(fd, "unlink g");
	symlink("g", at("s"));
	mknod(at("p"), S_IFREG | 0600, 0);
	unlink(at("s"));
	unlink(at("p"));
	drain(fd, "symlink, mknod, unlink both");
}

/* A FIFO's opens, reads, writes and closes are events as a file's are
 * (in /tmp only: a volume makes no FIFO). */
static void fifo(int fd)
{
	char buf[8];
	mkfifo(at("fifo"), 0600);
	int f = open(at("fifo"), O_RDWR);
	write(f, "x", 1);
	read(f, buf, sizeof buf);
	close(f);
	unlink(at("fifo"));
	drain(fd, "mkfifo, open O_RDWR, write, read, close, unlink");
}

static void directories(int fd)
{
	mkdir(at("sub"), 0755);
	drain(fd, "mkdir");
	name_wd(inotify_add_watch(fd, at("sub"), IN_ALL_EVENTS | IN_ONLYDIR), "sub");
	DIR *d = opendir(at("sub"));
	while (readdir(d))
		;
	closedir(d);
	drain(fd, "open, list and close sub");
	int f = open(at("sub/x"), O_CREAT | O_WRONLY, 0644);
	close(f);
	drain(fd, "a file in sub");
	rename(at("sub"), at("sub2"));
	drain(fd, "rename sub to sub2");
	unlink(at("sub2/x"));
	drain(fd, "unlink in the moved directory");
	rmdir(at("sub2"));
	drain(fd, "rmdir");
}

static void flags(int fd)
{
	int f = open(at("one"), O_CREAT | O_WRONLY, 0644), g;
	drain(fd, "create one");
	name_wd(inotify_add_watch(fd, at("one"), IN_MODIFY | IN_ONESHOT), "one");
	write(f, "1", 1);
	write(f, "2", 1);
	drain(fd, "IN_ONESHOT, two writes");
	name_wd(inotify_add_watch(fd, at("one"), IN_OPEN), "one-again");
	name_wd(inotify_add_watch(fd, at("one"), IN_CLOSE_WRITE | IN_MASK_ADD), "one-add");
	SHOW("same wd with IN_MASK_ADD", wds[nwds - 1] == wds[nwds - 2]);
	SHOW("IN_MASK_CREATE on a watched file",
	     inotify_add_watch(fd, at("one"), IN_OPEN | IN_MASK_CREATE));
	close(f);
	drain(fd, "close (the directory's watch and one's)");
	g = open(at("one"), O_RDONLY);
	close(g);
	drain(fd, "open for reading, close");
	SHOW("rm_watch", inotify_rm_watch(fd, wds[nwds - 1]));
	drain(fd, "after rm_watch");
	SHOW("rm_watch again", inotify_rm_watch(fd, wds[nwds - 1]));
	SHOW("IN_ONLYDIR on a file", inotify_add_watch(fd, at("one"), IN_OPEN | IN_ONLYDIR));
	unlink(at("one"));
	drain(fd, "unlink one");
}

static void readiness(int fd)
{
	struct epoll_event ev = {.events = EPOLLIN}, out;
	int n = -1, ep = epoll_create1(0);
	struct pollfd p = {fd, POLLIN, 0};
	SHOW("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	SHOW("poll, nothing queued", poll(&p, 1, 0));
	SHOW("epoll_wait, nothing queued", epoll_wait(ep, &out, 1, 0));
	int f = open(at("r"), O_CREAT | O_WRONLY, 0644);
	SHOW("poll, events queued", poll(&p, 1, 0));
	printf("revents: %#x\n", p.revents);
	SHOW("epoll_wait, events queued", epoll_wait(ep, &out, 1, 0));
	SHOW("FIONREAD", (ioctl(fd, FIONREAD, &n), n));
	char small[20];
	SHOW("read into too small a buffer", read(fd, small, sizeof small));
	close(f);
	unlink(at("r"));
	drain(fd, "create r, close, unlink");
	close(ep);
}

static void *maker(void *arg)
{
	(void)arg;
	usleep(20000);
	close(open(at("late"), O_CREAT | O_WRONLY, 0644));
	return NULL;
}

static void blocking(void)
{
	int fd = inotify_init();
	char buf[256] __attribute__((aligned(8)));
	pthread_t t;
	printf("inotify_init: %s\n", fd >= 0 ? "fd" : res(fd));
	SHOW("watch for IN_CREATE", inotify_add_watch(fd, dir, IN_CREATE) > 0);
	pthread_create(&t, NULL, maker, NULL);
	long n = read(fd, buf, sizeof buf);
	struct inotify_event *e = (struct inotify_event *)buf;
	char mask[LINE_MAX_] = "";
	add_mask(mask, e->mask);
	printf("blocking read: %s %s %s\n", res(n), mask, e->name);
	pthread_join(t, NULL);
	unlink(at("late"));
	close(fd);
}

static void errors(int fd)
{
	int p[2];
	pipe(p);
	SHOW("inotify_init1 bad flags", inotify_init1(0x1));
	SHOW("add_watch on a pipe", inotify_add_watch(p[0], dir, IN_OPEN));
	SHOW("add_watch on a closed fd", inotify_add_watch(999, dir, IN_OPEN));
	SHOW("add_watch of a missing path", inotify_add_watch(fd, at("missing"), IN_OPEN));
	SHOW("add_watch with no events", inotify_add_watch(fd, dir, 0));
	SHOW("IN_MASK_ADD with IN_MASK_CREATE",
	     inotify_add_watch(fd, dir, IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE));
	SHOW("rm_watch on a pipe", inotify_rm_watch(p[0], 1));
	SHOW("write", write(fd, "x", 1));
	close(p[0]);
	close(p[1]);
}

/* argv[1]: where to make the directory (/tmp when absent; a volume). */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(dir, sizeof dir, "%s/inotify-XXXXXX", argc > 1 ? argv[1] : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	printf("inotify_init1: %s\n", fd >= 0 ? "fd" : res(fd));
	printf("cloexec: %d nonblock: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC,
	       (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	char buf[64];
	SHOW("read, nothing queued", read(fd, buf, sizeof buf));
	name_wd(inotify_add_watch(fd, dir, IN_ALL_EVENTS), "dir");
	files(fd);
	if (argc < 2)
		fifo(fd);
	directories(fd);
	flags(fd);
	readiness(fd);
	blocking();
	errors(fd);
	close(fd);
	SHOW("rmdir", rmdir(dir));
	return 0;
}
