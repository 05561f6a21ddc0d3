/* Reading and writing: offsets, holes, appends, truncation, vectors. */
#include "fsops.h"

#include <sys/ioctl.h>
#include <sys/uio.h>

static void show(const char *what, const char *buf, long n)
{
	printf("  %s: \"", what);
	for (long i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : '0'); /* holes read as zeros: show them */
	printf("\"\n");
}

static void offsets(int fd)
{
	char buf[64];
	long n;
	check("lseek end", lseek(fd, 0, SEEK_END));
	check("lseek set 3", lseek(fd, 3, SEEK_SET));
	n = check("read 4", read(fd, buf, 4));
	show("got", buf, n);
	check("lseek cur -2", lseek(fd, -2, SEEK_CUR));
	check("lseek negative", lseek(fd, -100, SEEK_CUR));
	check("lseek bad whence", lseek(fd, 0, 7));
	check("lseek data 2", lseek(fd, 2, SEEK_DATA));
	check("lseek hole 0", lseek(fd, 0, SEEK_HOLE));
	check("lseek data past end", lseek(fd, 100, SEEK_DATA));
	n = check("pread 5 at 6", pread(fd, buf, 5, 6));
	show("got", buf, n);
	check("pread past end", pread(fd, buf, 5, 1000));
	check("pread negative", pread(fd, buf, 5, -1));
	check("offset kept by pread", lseek(fd, 0, SEEK_CUR));
}

static void holes_and_vectors(int fd)
{
	char buf[64], a[4], b[6];
	struct iovec out[2] = {{"vec", 3}, {"tor!", 4}}, in[2] = {{a, 4}, {b, 6}};
	check("pwrite past end (a hole)", pwrite(fd, "Z", 1, 20));
	long n = check("pread over the hole", pread(fd, buf, 21, 0));
	show("got", buf, n);
	check("lseek 0", lseek(fd, 0, SEEK_SET));
	check("writev", writev(fd, out, 2));
	check("lseek 0", lseek(fd, 0, SEEK_SET));
	n = check("readv", readv(fd, in, 2));
	show("first", a, 4);
	show("second", b, n - 4);
	check("pwritev at 2", pwritev(fd, out, 2, 2));
	n = check("preadv at 0", preadv(fd, in, 2, 0));
	show("first", a, 4);
	show("second", b, n > 4 ? n - 4 : 0);
	int ahead = -1;
	check("lseek 5", lseek(fd, 5, SEEK_SET));
	check("FIONREAD", ioctl(fd, FIONREAD, &ahead));
	printf("  bytes ahead: %d\n", ahead);
	check("readv with 1025 pieces", readv(fd, in, 1025));
}

static void appends(const char *dir)
{
	int fd = check("open O_APPEND", open(at(dir, "log"), O_WRONLY | O_CREAT | O_APPEND, 0644));
	check("write", write(fd, "one\n", 4));
	check("lseek 0", lseek(fd, 0, SEEK_SET));
	check("write appends anyway", write(fd, "two\n", 4));
	check("pwrite at 0 appends too", pwrite(fd, "six\n", 4, 0));
	check("offset after appends", lseek(fd, 0, SEEK_CUR));
	check("F_SETFL without O_APPEND", fcntl(fd, F_SETFL, 0));
	check("lseek 0", lseek(fd, 0, SEEK_SET));
	check("write over", write(fd, "ONE\n", 4));
	close(fd);
	printf("  log: %s", get_file(at(dir, "log")));
	printf("\n");
}

static void truncation(const char *dir, int fd)
{
	char buf[64];
	struct stat st;
	check("ftruncate to 4", ftruncate(fd, 4));
	check("ftruncate to 8 (zeros)", ftruncate(fd, 8));
	long n = check("pread all", pread(fd, buf, 64, 0));
	show("got", buf, n);
	check("ftruncate negative", ftruncate(fd, -1));
	check("fallocate 0 100 (grows)", fallocate(fd, 0, 0, 100));
	check("fstat", fstat(fd, &st));
	printf("  size %lld\n", (long long)st.st_size);
	check("fallocate 0 10 (no shrink)", fallocate(fd, 0, 0, 10));
	check("fstat", fstat(fd, &st));
	printf("  size %lld\n", (long long)st.st_size);
	check("fallocate bad mode", fallocate(fd, 0x40, 0, 10));
	check("fallocate zero length", fallocate(fd, 0, 0, 0));
	check("fsync", fsync(fd));
	check("fdatasync", fdatasync(fd));
	int ro = check("open O_RDONLY", open(at(dir, "data"), O_RDONLY));
	check("write on O_RDONLY", write(ro, "x", 1));
	check("ftruncate on O_RDONLY", ftruncate(ro, 0));
	check("fallocate on O_RDONLY", fallocate(ro, 0, 0, 1));
	close(ro);
	int t = check("open O_TRUNC", open(at(dir, "data"), O_RDWR | O_TRUNC));
	check("fstat", fstat(t, &st));
	printf("  size %lld\n", (long long)st.st_size);
	close(t);
}

int scenario_io(const char *dir)
{
	char buf[16];
	int fd = check("open O_CREAT", open(at(dir, "data"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	check("write", write(fd, "0123456789abcdef", 16));
	offsets(fd);
	holes_and_vectors(fd);
	truncation(dir, fd);
	close(fd);
	appends(dir);
	int d = check("open dir", open(dir, O_RDONLY));
	check("read a directory", read(d, buf, 16));
	check("write a directory", write(d, buf, 1));
	check("open dir for writing", open(dir, O_WRONLY));
	close(d);
	check("read bad fd", read(99, buf, 1));
	check("write to NULL", write(1, NULL, 1));
	check("read into NULL", read(open(at(dir, "log"), O_RDONLY), NULL, 4));
	check("unlink data", unlink(at(dir, "data")));
	check("unlink log", unlink(at(dir, "log")));
	return 0;
}
