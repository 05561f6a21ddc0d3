/* Locks as one process sees them: its own POSIX locks never conflict; OFD
 * and flock locks of two opens of one file do. Every request here is
 * non-blocking (a blocking one would hang a process forever). */
#include "fsops.h"

#include <sys/file.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#endif

static long lk(int fd, int cmd, short type, long start, long len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

static void getlk(const char *what, int fd, int cmd, short type, long start, long len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	if (check(what, fcntl(fd, cmd, &fl)) == 0)
		printf("  type %s start %ld len %ld pid %s\n",
		       fl.l_type == F_UNLCK   ? "F_UNLCK"
		       : fl.l_type == F_RDLCK ? "F_RDLCK"
					      : "F_WRLCK",
		       (long)fl.l_start, (long)fl.l_len,
		       fl.l_type == F_UNLCK ? "-"
		       : fl.l_pid == -1	    ? "-1"
					    : "positive");
}

int scenario_locks(const char *dir)
{
	put_file(at(dir, "f"), "0123456789");
	int a = check("open a", open(at(dir, "f"), O_RDWR));
	int b = check("open b", open(at(dir, "f"), O_RDWR));
	int r = check("open r (read-only)", open(at(dir, "f"), O_RDONLY));
	check("F_SETLK write a 0-10", lk(a, F_SETLK, F_WRLCK, 0, 10));
	check("F_SETLK write b 0-10 (same process)", lk(b, F_SETLK, F_WRLCK, 0, 10));
	getlk("F_GETLK b", b, F_GETLK, F_WRLCK, 0, 10);
	check("F_SETLK write lock on a read-only fd", lk(r, F_SETLK, F_WRLCK, 0, 1));
	check("F_SETLK bad type", lk(a, F_SETLK, 7, 0, 1));
	check("F_SETLK negative start", lk(a, F_SETLK, F_RDLCK, -5, 1));
	check("F_OFD_SETLK write a 20-30", lk(a, F_OFD_SETLK, F_WRLCK, 20, 10));
	check("F_OFD_SETLK write b 25-26 (another open)", lk(b, F_OFD_SETLK, F_WRLCK, 25, 1));
	check("F_OFD_SETLK read b 30-31 (next to it)", lk(b, F_OFD_SETLK, F_RDLCK, 30, 1));
	getlk("F_OFD_GETLK b 21", b, F_OFD_GETLK, F_RDLCK, 21, 1);
	getlk("F_GETLK (POSIX) over a's OFD lock", b, F_GETLK, F_RDLCK, 22, 1);
	check("F_SETLK (POSIX) over a's OFD lock", lk(b, F_SETLK, F_RDLCK, 22, 1));
	getlk("F_OFD_GETLK a over the POSIX lock", a, F_OFD_GETLK, F_WRLCK, 5, 1);
	check("F_OFD_SETLK with l_pid set", ({
		      struct flock fl = {.l_type = F_RDLCK, .l_start = 50, .l_len = 1, .l_pid = 1};
		      fcntl(a, F_OFD_SETLK, &fl);
	      }));
	check("F_OFD_SETLK unlock a 20-30", lk(a, F_OFD_SETLK, F_UNLCK, 20, 10));
	check("F_OFD_SETLK write b 25-26 now", lk(b, F_OFD_SETLK, F_WRLCK, 25, 1));
	check("flock a LOCK_EX", flock(a, LOCK_EX | LOCK_NB));
	check("flock b LOCK_EX (another open)", flock(b, LOCK_EX | LOCK_NB));
	check("flock b LOCK_SH (another open)", flock(b, LOCK_SH | LOCK_NB));
	int a2 = check("dup a", dup(a));
	check("flock the dup (same description)", flock(a2, LOCK_EX | LOCK_NB));
	check("flock a LOCK_SH (convert)", flock(a, LOCK_SH | LOCK_NB));
	check("flock b LOCK_SH now", flock(b, LOCK_SH | LOCK_NB));
	check("flock bad op", flock(a, 0));
	check("close a", close(a));
	check("close a2 (a's flock goes)", close(a2));
	check("flock b LOCK_EX now", flock(b, LOCK_EX | LOCK_NB));
	check("flock bad fd", flock(99, LOCK_EX));
	close(b);
	close(r);
	check("unlink f", unlink(at(dir, "f")));
	return 0;
}
