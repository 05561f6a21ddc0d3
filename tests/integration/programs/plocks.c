/*
 * File locks between processes (plocks.sh): POSIX record locks conflict
 * between parent and child (EAGAIN), F_GETLK names the holder's pid, a
 * child does not inherit its parent's; F_SETLKW waits until the holder
 * unlocks; closing any fd of the file or ending releases a process's
 * locks; a two-process circle gives EDEADLK; a handler interrupts F_SETLKW
 * (EINTR) unless SA_RESTART; OFD locks belong to the open
 * file description (a fork's child shares them, a second open conflicts);
 * flock() likewise, and a blocking flock waits for the unlock. It prints
 * only what is the same for any run: the same bytes as a glibc program, a
 * hut process and an appliance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wait_status.h"

static const char *path = "/tmp/plocks.file";

static void nap_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int open_file(void)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0) {
		perror("open");
		exit(1);
	}
	return fd;
}

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl) == 0 ? 0 : errno;
}

static const char *err(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EAGAIN:
		return "EAGAIN";
	case EACCES:
		return "EACCES";
	case EDEADLK:
		return "EDEADLK";
	case EINTR:
		return "EINTR";
	default:
		return strerror(e);
	}
}

static void getlk(int fd, int cmd, off_t start, off_t len, pid_t expect_pid)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("  getlk: %s\n", err(errno));
		return;
	}
	printf("  getlk [%ld, +%ld): %s", (long)start, (long)len,
	       fl.l_type == F_UNLCK   ? "unlocked"
	       : fl.l_type == F_WRLCK ? "F_WRLCK"
				      : "F_RDLCK");
	if (fl.l_type != F_UNLCK)
		printf(" at %ld len %ld, l_pid %s", (long)fl.l_start, (long)fl.l_len,
		       fl.l_pid == expect_pid ? "as expected"
		       : fl.l_pid == -1	      ? "-1"
					      : "another");
	printf("\n");
}

/* Runs fn in a child and waits for it. */
static void in_child(const char *what, void (*fn)(int fd, pid_t parent), int fd)
{
	fflush(stdout);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		fn(fd, parent);
		fflush(stdout);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	report(what, status);
}

static void child_meets_parents(int fd, pid_t parent)
{
	printf("child: F_SETLK write [5, 15): %s\n", err(lock(fd, F_SETLK, F_WRLCK, 5, 10)));
	printf("child: F_SETLK read [0, 1): %s\n", err(lock(fd, F_SETLK, F_RDLCK, 0, 1)));
	printf("child: F_GETLK [5, 15) sees the parent's:\n");
	getlk(fd, F_GETLK, 5, 10, parent);
	printf("child: F_SETLK write [10, 20): %s\n", err(lock(fd, F_SETLK, F_WRLCK, 10, 10)));
	printf("child: F_GETLK [12, 13) sees no lock of its own:\n");
	getlk(fd, F_GETLK, 12, 1, getpid());
}

static void posix_conflicts(void)
{
	int fd = open_file();
	printf("parent: F_SETLK write [0, 10): %s\n", err(lock(fd, F_SETLK, F_WRLCK, 0, 10)));
	printf("parent: its own never conflict: F_SETLK read [5, 6): %s\n",
	       err(lock(fd, F_SETLK, F_RDLCK, 5, 1)));
	lock(fd, F_SETLK, F_WRLCK, 0, 10);
	in_child("child", child_meets_parents, fd);
	printf("parent: the child's lock went with it: F_SETLK write [10, 20): %s\n",
	       err(lock(fd, F_SETLK, F_WRLCK, 10, 10)));
	lock(fd, F_SETLK, F_UNLCK, 0, 0);
	close(fd);
}

/* The child holds, the parent asks: the pipe says when the child has it. */
static pid_t holding_child(int *ready, int *go, int how)
{
	int up[2], down[2];
	if (pipe(up) < 0 || pipe(down) < 0)
		exit(1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		int fd = open_file(), fd2 = open_file();
		if (how == 0)
			lock(fd, F_SETLK, F_WRLCK, 0, 10);
		else
			flock(fd, LOCK_EX);
		if (write(up[1], "h", 1) < 0)
			_exit(2);
		char c;
		if (read(down[0], &c, 1) != 1)
			_exit(2);
		if (c == 'u') { /* unlock after a nap */
			nap_ms(100);
			if (write(up[1], "u", 1) < 0)
				_exit(2);
			if (how == 0)
				lock(fd, F_SETLK, F_UNLCK, 0, 10);
			else
				flock(fd, LOCK_UN);
			if (read(down[0], &c, 1) < 0)
				_exit(2);
		} else if (c == 'c') { /* close another fd of the file */
			close(fd2);
			if (read(down[0], &c, 1) < 0)
				_exit(2);
		}
		_exit(0); /* 'e': the end releases */
	}
	close(up[1]);
	close(down[0]);
	char c;
	if (read(up[0], &c, 1) != 1)
		exit(1);
	*ready = up[0];
	*go = down[1];
	return pid;
}

static void finish_child(pid_t pid, int ready, int go, const char *what)
{
	close(go);
	close(ready);
	int status = 0;
	waitpid(pid, &status, 0);
	report(what, status);
}

static void setlkw_waits(void)
{
	int ready, go, fd = open_file();
	pid_t pid = holding_child(&ready, &go, 0);
	printf("parent: F_SETLK while the child holds it: %s\n",
	       err(lock(fd, F_SETLK, F_WRLCK, 0, 1)));
	if (write(go, "u", 1) < 0)
		exit(1);
	int r = lock(fd, F_SETLKW, F_WRLCK, 0, 1);
	char c = 0;
	fcntl(ready, F_SETFL, O_NONBLOCK);
	ssize_t n = read(ready, &c, 1);
	printf("parent: F_SETLKW: %s, after the child said it unlocks: %s\n", err(r),
	       n == 1 && c == 'u' ? "yes" : "no");
	lock(fd, F_SETLK, F_UNLCK, 0, 0);
	finish_child(pid, ready, go, "holder");
	close(fd);
}

static void release_by_close_and_end(void)
{
	int ready, go, fd = open_file();
	pid_t pid = holding_child(&ready, &go, 0);
	printf("parent: before the child closes another fd: %s\n",
	       err(lock(fd, F_SETLK, F_WRLCK, 0, 1)));
	if (write(go, "c", 1) < 0)
		exit(1);
	int r;
	for (int i = 0; i < 200 && (r = lock(fd, F_SETLK, F_WRLCK, 0, 1)) != 0; i++)
		nap_ms(5);
	printf("parent: after it closed another fd of the file: %s\n", err(r));
	lock(fd, F_SETLK, F_UNLCK, 0, 0);
	finish_child(pid, ready, go, "closer");

	pid = holding_child(&ready, &go, 0);
	printf("parent: before the child ends: %s\n", err(lock(fd, F_SETLK, F_WRLCK, 0, 1)));
	if (write(go, "e", 1) < 0)
		exit(1);
	finish_child(pid, ready, go, "ender");
	printf("parent: after it ended: %s\n", err(lock(fd, F_SETLK, F_WRLCK, 0, 1)));
	lock(fd, F_SETLK, F_UNLCK, 0, 0);
	close(fd);
}

static void deadlock(void)
{
	int fd = open_file(), p[2];
	if (pipe(p) < 0)
		exit(1);
	lock(fd, F_SETLK, F_WRLCK, 0, 1); /* A */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		int cfd = open_file();
		lock(cfd, F_SETLK, F_WRLCK, 1, 1); /* B */
		if (write(p[1], "b", 1) < 0)
			_exit(2);
		int r = lock(cfd, F_SETLKW, F_WRLCK, 0, 1); /* waits for A */
		printf("child: F_SETLKW on A once the parent let go: %s\n", err(r));
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	char c;
	if (read(p[0], &c, 1) != 1)
		exit(1);
	nap_ms(200); /* the child is waiting for A by now */
	printf("parent: F_SETLKW on B, held by the child that waits for A: %s\n",
	       err(lock(fd, F_SETLKW, F_WRLCK, 1, 1)));
	fflush(stdout);
	lock(fd, F_SETLK, F_UNLCK, 0, 1);
	int status = 0;
	waitpid(pid, &status, 0);
	report("child", status);
	close(p[0]);
	close(fd);
}

static volatile sig_atomic_t usr1s;

static void on_usr1(int sig)
{
	(void)sig;
	usr1s++;
}

/* The child waits in F_SETLKW for the parent's lock: SIGUSR1 without
 * SA_RESTART ends the wait with EINTR; with SA_RESTART it waits on and gets
 * the lock once the parent lets go. */
static void setlkw_and_signals(void)
{
	int fd = open_file(), p[2];
	if (pipe(p) < 0)
		exit(1);
	lock(fd, F_SETLK, F_WRLCK, 0, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		int cfd = open_file();
		struct sigaction sa = {.sa_handler = on_usr1};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		if (write(p[1], "w", 1) < 0)
			_exit(2);
		int r = lock(cfd, F_SETLKW, F_WRLCK, 0, 1);
		printf("child: F_SETLKW interrupted by a handler without SA_RESTART: %s, handled "
		       "%d\n",
		       err(r), (int)usr1s);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR1, &sa, NULL);
		if (write(p[1], "r", 1) < 0)
			_exit(2);
		r = lock(cfd, F_SETLKW, F_WRLCK, 0, 1);
		printf("child: with SA_RESTART it waited on and got it: %s, handled %d\n", err(r),
		       (int)usr1s);
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	char c;
	if (read(p[0], &c, 1) != 1)
		exit(1);
	nap_ms(100); /* the child waits by now */
	kill(pid, SIGUSR1);
	if (read(p[0], &c, 1) != 1)
		exit(1);
	nap_ms(100);
	kill(pid, SIGUSR1);
	nap_ms(100);
	lock(fd, F_SETLK, F_UNLCK, 0, 1);
	int status = 0;
	waitpid(pid, &status, 0);
	report("child", status);
	close(p[0]);
	close(fd);
}

static void child_ofd(int fd, pid_t parent)
{
	(void)parent;
	printf("child: F_OFD_SETLK on the shared description: %s\n",
	       err(lock(fd, F_OFD_SETLK, F_WRLCK, 0, 10)));
	int own = open_file();
	printf("child: F_OFD_SETLK on its own open: %s\n",
	       err(lock(own, F_OFD_SETLK, F_WRLCK, 0, 10)));
	printf("child: F_OFD_GETLK on its own open:\n");
	getlk(own, F_OFD_GETLK, 0, 10, -1);
	printf("child: POSIX F_SETLK meets the OFD lock: %s\n",
	       err(lock(own, F_SETLK, F_RDLCK, 0, 1)));
}

static void ofd_locks(void)
{
	int fd = open_file(), fd2 = open_file();
	printf("parent: F_OFD_SETLK write [0, 10): %s\n",
	       err(lock(fd, F_OFD_SETLK, F_WRLCK, 0, 10)));
	printf("parent: a second open conflicts: %s\n", err(lock(fd2, F_OFD_SETLK, F_RDLCK, 0, 1)));
	in_child("child", child_ofd, fd);
	close(fd);
	printf("parent: after the last fd of the description closed: %s\n",
	       err(lock(fd2, F_OFD_SETLK, F_WRLCK, 0, 10)));
	close(fd2);
}

static void child_flock(int fd, pid_t parent)
{
	(void)parent;
	printf("child: flock(LOCK_EX|LOCK_NB) on the shared description: %s\n",
	       flock(fd, LOCK_EX | LOCK_NB) == 0 ? "0" : err(errno));
	int own = open_file();
	printf("child: flock(LOCK_SH|LOCK_NB) on its own open: %s\n",
	       flock(own, LOCK_SH | LOCK_NB) == 0 ? "0" : err(errno));
}

static void flocks(void)
{
	int fd = open_file();
	printf("parent: flock(LOCK_EX): %d\n", flock(fd, LOCK_EX));
	in_child("child", child_flock, fd);
	flock(fd, LOCK_UN);

	int ready, go;
	pid_t pid = holding_child(&ready, &go, 1);
	printf("parent: flock(LOCK_SH|LOCK_NB) while the child holds it: %s\n",
	       flock(fd, LOCK_SH | LOCK_NB) == 0 ? "0" : err(errno));
	if (write(go, "u", 1) < 0)
		exit(1);
	int r = flock(fd, LOCK_SH);
	char c = 0;
	fcntl(ready, F_SETFL, O_NONBLOCK);
	ssize_t n = read(ready, &c, 1);
	printf("parent: flock(LOCK_SH): %d, after the child said it unlocks: %s\n", r,
	       n == 1 && c == 'u' ? "yes" : "no");
	finish_child(pid, ready, go, "flock holder");
	close(fd);
}

int main(void)
{
	unlink(path);
	posix_conflicts();
	setlkw_waits();
	release_by_close_and_end();
	deadlock();
	setlkw_and_signals();
	ofd_locks();
	flocks();
	unlink(path);
	return 0;
}
