/* File descriptors: duplication, flags, shared offsets, pipes. */
#include "fsops.h"

#include <signal.h>
#include <sys/ioctl.h>

static void duplication(const char *dir)
{
	char buf[8];
	put_file(at(dir, "f"), "abcdefgh");
	int fd = check("open f", open(at(dir, "f"), O_RDONLY));
	int d = check("dup", dup(fd));
	check("read 3 on fd", read(fd, buf, 3));
	check("offset shared with dup", lseek(d, 0, SEEK_CUR));
	check("dup2 to 20", dup2(fd, 20));
	check("dup2 to itself", dup2(fd, fd));
	check("dup2 bad old fd", dup2(99, 21));
	check("dup2 bad new fd", dup2(fd, -1));
	check("dup3 to itself", dup3(fd, fd, 0));
	check("dup3 bad flags", dup3(fd, 22, 0x1));
	check("dup3 O_CLOEXEC", dup3(fd, 22, O_CLOEXEC));
	check("F_GETFD 22", fcntl(22, F_GETFD));
	check("F_GETFD 20", fcntl(20, F_GETFD));
	check("F_SETFD", fcntl(20, F_SETFD, FD_CLOEXEC));
	check("F_GETFD 20", fcntl(20, F_GETFD));
	check("F_DUPFD 30", fcntl(fd, F_DUPFD, 30));
	check("F_DUPFD_CLOEXEC 30", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	check("F_GETFD 31", fcntl(31, F_GETFD));
	check("F_DUPFD negative", fcntl(fd, F_DUPFD, -1));
	check("F_GETFL", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	check("F_SETFL O_NONBLOCK|O_APPEND", fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND));
	check("F_GETFL on dup", fcntl(d, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	check("fcntl bad cmd", fcntl(fd, 9999));
	check("fcntl bad fd", fcntl(99, F_GETFD));
	int fds[] = {fd, d, 20, 22, 30, 31};
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		checkf(close(fds[i]), "close %d", fds[i]);
	check("close again", close(20));
	check("unlink f", unlink(at(dir, "f")));
}

static void pipes(void)
{
	int p[2], n = -1;
	char buf[16];
	check("pipe", pipe(p));
	check("write", write(p[1], "through", 7));
	check("FIONREAD", ioctl(p[0], FIONREAD, &n));
	printf("  %d bytes waiting\n", n);
	check("read 4", read(p[0], buf, 4));
	check("read rest", read(p[0], buf, 16));
	check("lseek a pipe", lseek(p[0], 0, SEEK_SET));
	check("pread a pipe", pread(p[0], buf, 1, 0));
	check("write to the read end", write(p[0], "x", 1));
	check("read from the write end", read(p[1], buf, 1));
	check("fstat is a FIFO", ({
		      struct stat st;
		      fstat(p[0], &st) == 0 ? (long)S_ISFIFO(st.st_mode) : -1;
	      }));
	check("close the write end", close(p[1]));
	check("read at EOF", read(p[0], buf, 16));
	check("close the read end", close(p[0]));
	check("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(p, O_NONBLOCK | O_CLOEXEC));
	check("F_GETFD", fcntl(p[0], F_GETFD));
	check("read empty, nonblocking", read(p[0], buf, 16));
	long total = 0, w;
	while ((w = write(p[1], "0123456789abcdef", 16)) > 0)
		total += w;
	check("write to a full pipe", w);
	printf("  pipe took %ld bytes\n", total);
	check("pipe2 bad flags", pipe2(p, 0x4));
	check("close read end", close(p[0]));
	signal(SIGPIPE, SIG_IGN);
	check("write with no reader", write(p[1], "x", 1));
	close(p[1]);
	check("pipe into NULL", pipe(NULL));
}

int scenario_fds(const char *dir)
{
	duplication(dir);
	pipes();
	return 0;
}
