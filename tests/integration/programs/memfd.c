/*
 * memfd_create (fdkinds.sh): an anonymous file (regular, 0777, one link),
 * read, written, truncated and mapped; MFD_CLOEXEC; seals (F_ADD_SEALS,
 * F_GET_SEALS) enforced on write, truncate and fallocate; the errnos of
 * bad flags, names and seals. It prints only what a glibc program, a musl
 * process and an appliance share.
 */
#define _GNU_SOURCE
#include "res.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show_stat(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		printf("fstat: %s\n", res(-1));
		return;
	}
	printf("fstat: %s mode %o nlink %lu size %lld\n", S_ISREG(st.st_mode) ? "regular" : "other",
	       (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink, (long long)st.st_size);
}

static void basics(void)
{
	char buf[32] = {0};
	int fd = memfd_create("basics", MFD_CLOEXEC);
	printf("memfd_create: %s\n", fd >= 0 ? "fd" : res(fd));
	printf("cloexec: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
	printf("flags: %s\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR ? "O_RDWR" : "other");
	show_stat(fd);
	SHOW("write", write(fd, "hello, memfd", 12));
	SHOW("pread", pread(fd, buf, sizeof buf - 1, 7));
	printf("read back: %s\n", buf);
	SHOW("ftruncate 8192", ftruncate(fd, 8192));
	show_stat(fd);
	char *map = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("mmap: %s\n", map == MAP_FAILED ? res(-1) : map);
	if (map != MAP_FAILED)
		printf("mapped tail: %d\n", map[8191]);
	SHOW("lseek end", lseek(fd, 0, SEEK_END));
	printf("seals (no MFD_ALLOW_SEALING): %s\n", res(fcntl(fd, F_GET_SEALS)));
	SHOW("add seal", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	close(fd);
}

static void seals(void)
{
	char buf[8];
	int fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	printf("cloexec: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
	SHOW("get seals", fcntl(fd, F_GET_SEALS));
	SHOW("write", write(fd, "0123456789", 10));
	SHOW("seal shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	SHOW("ftruncate 5", ftruncate(fd, 5));
	SHOW("ftruncate 20", ftruncate(fd, 20));
	SHOW("seal grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	SHOW("ftruncate 30", ftruncate(fd, 30));
	SHOW("pwrite past the end", pwrite(fd, "xx", 2, 19));
	SHOW("pwrite inside", pwrite(fd, "ab", 2, 0));
	SHOW("fallocate past the end", fallocate(fd, 0, 0, 40));
	SHOW("fallocate inside", fallocate(fd, 0, 0, 10));
	SHOW("seal write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	SHOW("pwrite sealed", pwrite(fd, "cd", 2, 0));
	SHOW("pread sealed", pread(fd, buf, 4, 0));
	printf("data: %.4s\n", buf);
	SHOW("unknown seal", fcntl(fd, F_ADD_SEALS, 0x1000));
	SHOW("seal seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	SHOW("get seals", fcntl(fd, F_GET_SEALS));
	SHOW("add after seal", fcntl(fd, F_ADD_SEALS, 0));
	show_stat(fd);
	close(fd);
}

static void errors(void)
{
	char name[300];
	int p[2];
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = 0;
	SHOW("unknown flag", syscall(SYS_memfd_create, "x", 0x100));
	SHOW("long name", memfd_create(name, 0));
	name[249] = 0;
	long fd = memfd_create(name, 0);
	printf("249-byte name: %s\n", fd >= 0 ? "fd" : res(fd));
	close((int)fd);
	SHOW("bad name", syscall(SYS_memfd_create, (char *)8, 0));
	SHOW("pipe get seals", (pipe(p), fcntl(p[0], F_GET_SEALS)));
	SHOW("pipe add seals", fcntl(p[1], F_ADD_SEALS, F_SEAL_SEAL));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	basics();
	seals();
	errors();
	return 0;
}
