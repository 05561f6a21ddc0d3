/*
 * splice, tee, vmsplice, copy_file_range and sendfile (fdkinds.sh), with
 * files in a fresh directory of /tmp, pipes and a memfd: bytes and offsets
 * moved as Linux moves them, tee leaving its source unread, and the errnos
 * of every refused case (ESPIPE for an offset on a pipe, EINVAL without a
 * pipe, EAGAIN with SPLICE_F_NONBLOCK, EBADF for the wrong access mode,
 * EISDIR, overlapping ranges...). Only what glibc on Linux and the
 * appliance share is printed.
 */
#define _GNU_SOURCE
#include "res.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static char dir[64];

static int file_with(const char *name, const char *data, int flags)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_CREAT | O_TRUNC | O_RDWR | flags, 0644);
	if (data)
		pwrite(fd, data, strlen(data), 0);
	return fd;
}

static void read_show(const char *what, int fd)
{
	char buf[64] = {0};
	long n = read(fd, buf, sizeof buf - 1);
	printf("%s: %s%s%s\n", what, res(n), n > 0 ? " " : "", n > 0 ? buf : "");
}

static void pread_show(const char *what, int fd)
{
	char buf[64] = {0};
	long n = pread(fd, buf, sizeof buf - 1, 0);
	printf("%s: %s %s\n", what, res(n), buf);
}

static void splice_cases(void)
{
	int p[2], q[2];
	loff_t off;
	pipe(p);
	pipe(q);
	int f = file_with("a", "0123456789", 0);
	off = 2;
	SHOW("file to pipe at 2", splice(f, &off, p[1], NULL, 5, 0));
	printf("offset now %lld, file position %lld\n", (long long)off,
	       (long long)lseek(f, 0, SEEK_CUR));
	read_show("pipe holds", p[0]);
	SHOW("file to pipe, own offset", splice(f, NULL, p[1], NULL, 3, 0));
	printf("file position %lld\n", (long long)lseek(f, 0, SEEK_CUR));
	read_show("pipe holds", p[0]);
	SHOW("file to pipe past the end", (off = 50, splice(f, &off, p[1], NULL, 3, 0)));

	int g = file_with("b", "..........", 0);
	write(p[1], "hello", 5);
	off = 3;
	SHOW("pipe to file at 3", splice(p[0], NULL, g, &off, 100, 0));
	printf("offset now %lld\n", (long long)off);
	pread_show("file holds", g);
	write(p[1], "abcdef", 6);
	SHOW("pipe to file, 2 of 6", splice(p[0], NULL, g, NULL, 2, 0));
	read_show("pipe keeps", p[0]);
	pread_show("file holds", g);

	write(p[1], "pipe to pipe", 12);
	SHOW("pipe to pipe", splice(p[0], NULL, q[1], NULL, 64, 0));
	read_show("second pipe holds", q[0]);

	SHOW("offset on the pipe side", splice(p[0], &off, g, NULL, 1, 0));
	SHOW("offset on the output pipe", splice(f, NULL, p[1], &off, 1, 0));
	SHOW("file to file", splice(f, NULL, g, NULL, 1, 0));
	SHOW("same pipe", splice(p[0], NULL, p[1], NULL, 1, 0));
	SHOW("length 0", splice(f, NULL, g, NULL, 0, 0));
	SHOW("bad flags", splice(p[0], NULL, q[1], NULL, 1, 0x100));
	SHOW("closed fd", splice(999, NULL, p[1], NULL, 1, 0));
	SHOW("wrong end", splice(p[1], NULL, g, NULL, 1, 0));
	SHOW("empty pipe, SPLICE_F_NONBLOCK", splice(p[0], NULL, g, NULL, 1, SPLICE_F_NONBLOCK));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	SHOW("empty pipe, O_NONBLOCK", splice(p[0], NULL, g, NULL, 1, 0));
	off = -1;
	SHOW("negative offset", splice(f, &off, p[1], NULL, 1, 0));
	close(q[0]);
	signal(SIGPIPE, SIG_IGN);
	write(p[1], "z", 1);
	SHOW("to a pipe with no reader", splice(p[0], NULL, q[1], NULL, 1, 0));
	close(p[1]);
	fcntl(p[0], F_SETFL, 0);
	read_show("drain", p[0]);
	SHOW("empty pipe, no writer", splice(p[0], NULL, g, NULL, 1, 0));
	close(p[0]);
	close(q[1]);
	close(f);
	close(g);
}

static void tee_cases(void)
{
	int p[2], q[2], f = file_with("c", "x", 0);
	pipe(p);
	pipe(q);
	write(p[1], "duplicated", 10);
	SHOW("tee", tee(p[0], q[1], 64, 0));
	read_show("copy", q[0]);
	SHOW("tee 3", tee(p[0], q[1], 3, 0));
	read_show("copy", q[0]);
	read_show("source still holds", p[0]);
	SHOW("tee empty, SPLICE_F_NONBLOCK", tee(p[0], q[1], 1, SPLICE_F_NONBLOCK));
	SHOW("tee same pipe", tee(p[0], p[1], 1, 0));
	SHOW("tee from a file", tee(f, q[1], 1, 0));
	SHOW("tee to a file", tee(p[0], f, 1, 0));
	SHOW("tee wrong ends", tee(p[1], q[0], 1, 0));
	close(p[1]);
	SHOW("tee empty, no writer", tee(p[0], q[1], 1, 0));
	close(p[0]);
	close(q[0]);
	close(q[1]);
	close(f);
}

static void vmsplice_cases(void)
{
	int p[2], f = file_with("d", "x", 0);
	char a[] = "vm", b[] = "splice";
	struct iovec iov[2] = {{a, 2}, {b, 6}};
	pipe(p);
	SHOW("vmsplice in", vmsplice(p[1], iov, 2, 0));
	char x[4] = {0}, y[8] = {0};
	struct iovec in[2] = {{x, 3}, {y, 7}};
	SHOW("vmsplice out", vmsplice(p[0], in, 2, 0));
	printf("got: %s|%s\n", x, y);
	SHOW("vmsplice out, empty, nonblocking", vmsplice(p[0], in, 2, SPLICE_F_NONBLOCK));
	SHOW("vmsplice to a file", vmsplice(f, iov, 2, 0));
	SHOW("vmsplice bad flags", vmsplice(p[1], iov, 2, 0x100));
	close(p[0]);
	close(p[1]);
	close(f);
}

static void copy_cases(void)
{
	int f = file_with("e", "copy_file_range source", 0), g = file_with("f", NULL, 0);
	loff_t in = 5, out = 2;
	SHOW("copy at offsets", copy_file_range(f, &in, g, &out, 10, 0));
	printf("offsets now %lld %lld\n", (long long)in, (long long)out);
	pread_show("destination", g);
	lseek(f, 0, SEEK_SET);
	SHOW("copy with own offsets", copy_file_range(f, NULL, g, NULL, 4, 0));
	printf("positions %lld %lld\n", (long long)lseek(f, 0, SEEK_CUR),
	       (long long)lseek(g, 0, SEEK_CUR));
	pread_show("destination", g);
	in = 100;
	SHOW("copy past the end", copy_file_range(f, &in, g, NULL, 4, 0));
	SHOW("length 0", copy_file_range(f, NULL, g, NULL, 0, 0));
	SHOW("flags", copy_file_range(f, NULL, g, NULL, 1, 1));
	in = 0, out = 4;
	SHOW("overlapping, same file", copy_file_range(f, &in, f, &out, 8, 0));
	out = 40;
	SHOW("same file, apart", copy_file_range(f, &in, f, &out, 4, 0));
	int p[2];
	pipe(p);
	SHOW("from a pipe", copy_file_range(p[0], NULL, g, NULL, 1, 0));
	SHOW("to a pipe", copy_file_range(f, NULL, p[1], NULL, 1, 0));
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	SHOW("from a directory", copy_file_range(d, NULL, g, NULL, 1, 0));
	int ro = file_with("g", "r", 0), wo;
	char path[128];
	snprintf(path, sizeof path, "%s/g", dir);
	wo = open(path, O_WRONLY);
	SHOW("from a write-only file", copy_file_range(wo, NULL, g, NULL, 1, 0));
	int app = file_with("h", NULL, O_APPEND);
	SHOW("to an O_APPEND file", copy_file_range(f, NULL, app, NULL, 1, 0));
	in = -1;
	SHOW("negative offset", copy_file_range(f, &in, g, NULL, 1, 0));
	SHOW("closed fd", copy_file_range(999, NULL, g, NULL, 1, 0));
	close(d), close(ro), close(wo), close(app), close(p[0]), close(p[1]);
	close(f);
	close(g);
}

static void sendfile_cases(void)
{
	int p[2], m = memfd_create("src", 0), g = file_with("i", NULL, 0);
	off_t off = 1;
	pipe(p);
	write(m, "from a memfd", 12);
	SHOW("sendfile memfd to pipe", sendfile(p[1], m, &off, 6));
	read_show("pipe holds", p[0]);
	off = 0;
	SHOW("sendfile memfd to file", sendfile(g, m, &off, 12));
	pread_show("file holds", g);
	write(p[1], "x", 1);
	SHOW("sendfile from a pipe", sendfile(g, p[0], NULL, 1));
	close(p[0]), close(p[1]), close(m), close(g);
}

/* Sockets at either end: an AF_UNIX pair through a pipe, and sendfile
 * from a memfd to a socket. */
static void socket_cases(void)
{
	int s[2], p[2], m = memfd_create("to-socket", 0);
	off_t off = 0;
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	pipe(p);
	write(s[0], "over a socket", 13);
	SHOW("socket to pipe", splice(s[1], NULL, p[1], NULL, 64, 0));
	SHOW("pipe to socket", splice(p[0], NULL, s[0], NULL, 64, 0));
	read_show("the other socket reads", s[1]);
	write(m, "memfd to socket", 15);
	SHOW("sendfile memfd to socket", sendfile(s[0], m, &off, 64));
	read_show("the other socket reads", s[1]);
	SHOW("socket to socket", splice(s[1], NULL, s[0], NULL, 1, 0));
	close(s[0]), close(s[1]), close(p[0]), close(p[1]), close(m);
}

/* `splice xdev DIR`: copy_file_range within DIR (a volume) and from /tmp
 * to DIR, another file system (EXDEV). */
static int across(const char *where)
{
	char a[128], b[128], t[] = "/tmp/xdev-XXXXXX";
	snprintf(a, sizeof a, "%s/xdev-a", where);
	snprintf(b, sizeof b, "%s/xdev-b", where);
	int f = open(a, O_CREAT | O_TRUNC | O_RDWR, 0644),
	    g = open(b, O_CREAT | O_TRUNC | O_RDWR, 0644);
	int x = mkstemp(t);
	write(f, "on the volume", 13);
	write(x, "in /tmp", 7);
	loff_t in = 0;
	SHOW("copy within the volume", copy_file_range(f, &in, g, NULL, 64, 0));
	pread_show("copy", g);
	in = 0;
	SHOW("copy from /tmp to the volume", copy_file_range(x, &in, g, NULL, 64, 0));
	unlink(a), unlink(b), unlink(t);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "xdev"))
		return across(argv[2]);
	strcpy(dir, "/tmp/splice-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	socket_cases();
	splice_cases();
	tee_cases();
	vmsplice_cases();
	copy_cases();
	sendfile_cases();
	const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
	for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	SHOW("rmdir", rmdir(dir));
	return 0;
}
