/*
 * FIFOs and mknod (fdkinds.sh), in a fresh directory of /tmp: mkfifo and
 * mknod make S_IFIFO nodes; open follows fifo(7) (a non-blocking writer
 * with no reader is ENXIO, a non-blocking reader opens at once and reads
 * EOF until a writer comes, O_RDWR never waits, a blocking reader and a
 * blocking writer wait for each other: a thread opens the other end);
 * data flows as in a pipe, EOF after the last writer, EPIPE without a
 * reader; epoll sees the data; mknod of regular files, sockets and the
 * errnos of bad types. Only what glibc on Linux and the appliance share is
 * printed.
 */
#define _GNU_SOURCE
#include "res.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char dir[64], path[96];

static const char *type_of(mode_t m)
{
	return S_ISFIFO(m) ? "fifo" : S_ISREG(m) ? "regular" : S_ISSOCK(m) ? "socket" : "other";
}

static void show_stat(const char *what, const char *p)
{
	struct stat st;
	if (stat(p, &st) != 0)
		printf("%s: %s\n", what, res(-1));
	else
		printf("%s: %s %o size %lld\n", what, type_of(st.st_mode),
		       (unsigned)(st.st_mode & 07777), (long long)st.st_size);
}

static void read_show(const char *what, int fd)
{
	char buf[64] = {0};
	long n = read(fd, buf, sizeof buf - 1);
	printf("%s: %s%s%s\n", what, res(n), n > 0 ? " " : "", n > 0 ? buf : "");
}

static void nonblocking_opens(void)
{
	struct stat a, b;
	int nread;
	SHOW("mkfifo", mkfifo(path, 0666));
	show_stat("stat", path);
	SHOW("mkfifo again", mkfifo(path, 0600));
	SHOW("open writer, no reader, O_NONBLOCK", open(path, O_WRONLY | O_NONBLOCK));
	int r = open(path, O_RDONLY | O_NONBLOCK);
	printf("open reader O_NONBLOCK: %s\n", r >= 0 ? "fd" : res(r));
	read_show("read, no writer yet", r);
	struct pollfd pr = {r, POLLIN, 0};
	SHOW("poll, no writer yet", poll(&pr, 1, 0));
	int w = open(path, O_WRONLY | O_NONBLOCK);
	printf("open writer O_NONBLOCK: %s\n", w >= 0 ? "fd" : res(w));
	printf("F_GETFL: reader %#x writer %#x\n", fcntl(r, F_GETFL), fcntl(w, F_GETFL));
	read_show("read, empty", r);
	SHOW("write", write(w, "through the fifo", 16));
	SHOW("FIONREAD", (ioctl(r, FIONREAD, &nread), nread));
	fstat(w, &a);
	stat(path, &b);
	printf("fstat: %s, same inode as the name: %d\n", type_of(a.st_mode),
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	SHOW("lseek", lseek(r, 0, SEEK_SET));
	read_show("read", r);
	int r2 = open(path, O_RDONLY | O_NONBLOCK); /* a writer is there */
	SHOW("close writer", close(w));
	read_show("read after the last writer", r);
	struct pollfd hup[2] = {{r, POLLIN, 0}, {r2, POLLIN, 0}};
	SHOW("poll both readers", poll(hup, 2, 0));
	printf("revents: %#x %#x\n", hup[0].revents, hup[1].revents);
	close(r2);
	SHOW("close reader", close(r));
}

static void rdwr_and_epipe(void)
{
	int rw = open(path, O_RDWR);
	printf("open O_RDWR: %s\n", rw >= 0 ? "fd" : res(rw));
	SHOW("write", write(rw, "to myself", 9));
	read_show("read", rw);
	close(rw);

	signal(SIGPIPE, SIG_IGN);
	int r = open(path, O_RDONLY | O_NONBLOCK), w = open(path, O_WRONLY);
	SHOW("close the only reader", close(r));
	SHOW("write with no reader", write(w, "x", 1));
	close(w);
}

static void epoll_sees_data(void)
{
	struct epoll_event ev = {.events = EPOLLIN}, out;
	int r = open(path, O_RDONLY | O_NONBLOCK), w = open(path, O_WRONLY);
	int ep = epoll_create1(0);
	SHOW("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev));
	SHOW("epoll_wait, empty", epoll_wait(ep, &out, 1, 0));
	write(w, "e", 1);
	SHOW("epoll_wait, data", epoll_wait(ep, &out, 1, 100));
	printf("events: %s\n", out.events & EPOLLIN ? "EPOLLIN" : "other");
	read_show("read", r);
	close(w);
	struct pollfd p = {r, POLLIN, 0};
	SHOW("poll after the writer closed", poll(&p, 1, 0));
	printf("revents: %s\n", p.revents & POLLHUP ? "POLLHUP" : "other");
	close(ep);
	close(r);
}

static void *writer(void *arg)
{
	(void)arg;
	int w = open(path, O_WRONLY); /* waits for the main thread's reader */
	if (w < 0)
		return (void *)1;
	write(w, "from a thread", 13);
	close(w);
	return NULL;
}

static void blocking_opens(void)
{
	pthread_t t;
	void *ret;
	pthread_create(&t, NULL, writer, NULL);
	int r = open(path, O_RDONLY); /* waits for the thread's writer */
	printf("blocking open reader: %s\n", r >= 0 ? "fd" : res(r));
	char buf[64] = {0};
	size_t got = 0;
	long n;
	while ((n = read(r, buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)n;
	printf("read until EOF: %s\n", buf);
	pthread_join(t, &ret);
	printf("writer thread: %s\n", ret ? "failed" : "ok");
	close(r);
}

static void unlinked_fifo(void)
{
	int r = open(path, O_RDONLY | O_NONBLOCK), w = open(path, O_WRONLY);
	SHOW("unlink while open", unlink(path));
	SHOW("write", write(w, "still", 5));
	read_show("read", r);
	close(r);
	close(w);
	show_stat("stat after unlink", path);
}

static void mknod_types(void)
{
	char p[128];
	snprintf(p, sizeof p, "%s/n-fifo", dir);
	SHOW("mknod S_IFIFO", mknod(p, S_IFIFO | 0640, 0));
	show_stat("stat", p);
	snprintf(p, sizeof p, "%s/n-reg", dir);
	SHOW("mknod S_IFREG", mknod(p, S_IFREG | 0644, 0));
	show_stat("stat", p);
	SHOW("mknod S_IFREG again", mknod(p, S_IFREG | 0644, 0));
	snprintf(p, sizeof p, "%s/n-zero", dir);
	SHOW("mknod type 0", mknod(p, 0600, 0));
	show_stat("stat", p);
	snprintf(p, sizeof p, "%s/n-sock", dir);
	SHOW("mknod S_IFSOCK", mknod(p, S_IFSOCK | 0600, 0));
	show_stat("stat", p);
	SHOW("open a socket node", open(p, O_RDONLY));
	snprintf(p, sizeof p, "%s/n-dir", dir);
	SHOW("mknod S_IFDIR", mknod(p, S_IFDIR | 0755, 0));
	SHOW("mknod bad type", mknod(p, 0170000 | 0644, 0));
	SHOW("mknodat", mknodat(AT_FDCWD, p, S_IFIFO | 0600, 0));
	show_stat("stat", p);
	snprintf(p, sizeof p, "%s/missing/f", dir);
	SHOW("mknod in a missing directory", mknod(p, S_IFIFO | 0600, 0));
}

/* `fifo refused DIR`: what mknod answers in DIR (a volume, where the
 * appliance makes regular files only). */
static int refused(const char *where)
{
	char p[128];
	snprintf(p, sizeof p, "%s/fifo", where);
	SHOW("mkfifo", mkfifo(p, 0600));
	SHOW("mknod S_IFSOCK", mknod(p, S_IFSOCK | 0600, 0));
	SHOW("mknod S_IFCHR", mknod(p, S_IFCHR | 0600, makedev(1, 3)));
	SHOW("mknod S_IFREG", mknod(p, S_IFREG | 0600, 0));
	show_stat("stat", p);
	SHOW("mkfifo on the file", mkfifo(p, 0600));
	SHOW("unlink", unlink(p));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	if (argc > 2 && !strcmp(argv[1], "refused"))
		return refused(argv[2]);
	strcpy(dir, "/tmp/fifo-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/f", dir);
	nonblocking_opens();
	rdwr_and_epipe();
	epoll_sees_data();
	blocking_opens();
	unlinked_fifo();
	mknod_types();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "%s/n-fifo", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/n-reg", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/n-zero", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/n-sock", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/n-dir", dir);
	unlink(cmd);
	SHOW("rmdir", rmdir(dir));
	return 0;
}
