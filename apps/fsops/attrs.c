/* Attributes: modes, times, sizes, access checks, statx. */
#include "fsops.h"

#include <sys/syscall.h>
#include <time.h>

struct statx_min { /* the kernel's struct statx, as far as we read it */
	unsigned stx_mask, stx_blksize;
	unsigned long long stx_attributes;
	unsigned stx_nlink, stx_uid, stx_gid;
	unsigned short stx_mode, pad;
	unsigned long long stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct {
		long long sec;
		unsigned nsec;
		int pad;
	} t[4];
	unsigned rest[32];
};

static void show_times(const char *path)
{
	struct stat st;
	if (check("stat", stat(path, &st)) == 0)
		printf("  atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec,
		       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int scenario_attrs(const char *dir)
{
	struct stat st;
	put_file(at(dir, "f"), "attributes");
	check("chmod 0640", chmod(at(dir, "f"), 0640));
	check("stat", stat(at(dir, "f"), &st));
	printf("  mode %o\n", (unsigned)st.st_mode);
	int fd = check("open", open(at(dir, "f"), O_RDWR));
	check("fchmod 04711", fchmod(fd, 04711));
	check("fstat", fstat(fd, &st));
	printf("  mode %o\n", (unsigned)st.st_mode);
	check("fchmodat 0600", fchmodat(AT_FDCWD, at(dir, "f"), 0600, 0));
	check("chmod missing", chmod(at(dir, "missing"), 0600));
	check("symlink", symlink("f", at(dir, "l")));
	check("chmod through the symlink", chmod(at(dir, "l"), 0604));
	check("lstat l", lstat(at(dir, "l"), &st));
	printf("  link mode %o\n", (unsigned)st.st_mode);
	check("stat l", stat(at(dir, "l"), &st));
	printf("  file mode %o\n", (unsigned)st.st_mode);
	struct timespec ts[2] = {{1000000000, 123456789}, {1200000000, 5}};
	check("utimensat", utimensat(AT_FDCWD, at(dir, "f"), ts, 0));
	show_times(at(dir, "f"));
	struct timespec omit[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
	check("utimensat omit atime", utimensat(AT_FDCWD, at(dir, "f"), omit, 0));
	show_times(at(dir, "f"));
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	check("utimensat bad nsec", utimensat(AT_FDCWD, at(dir, "f"), bad, 0));
	check("futimens", futimens(fd, ts));
	show_times(at(dir, "f"));
	check("utimensat NOFOLLOW on the link",
	      utimensat(AT_FDCWD, at(dir, "l"), ts, AT_SYMLINK_NOFOLLOW));
	check("truncate 3", truncate(at(dir, "f"), 3));
	printf("  now: %s\n", get_file(at(dir, "f")));
	check("truncate a directory", truncate(dir, 0));
	check("truncate negative", truncate(at(dir, "f"), -1));
	check("access F_OK", access(at(dir, "f"), F_OK));
	check("access R_OK|W_OK", access(at(dir, "f"), R_OK | W_OK));
	check("chmod 0644", chmod(at(dir, "f"), 0644));
	check("access X_OK (no x bit)", access(at(dir, "f"), X_OK));
	check("access X_OK on a dir", access(dir, X_OK));
	check("access bad mode", access(at(dir, "f"), 0x10));
	check("access missing", access(at(dir, "missing"), F_OK));
	check("faccessat2 AT_SYMLINK_NOFOLLOW",
	      syscall(SYS_faccessat2, AT_FDCWD, at(dir, "l"), F_OK, AT_SYMLINK_NOFOLLOW));
	check("chown to root", chown(at(dir, "f"), 0, 0));
	check("fchown -1 -1", fchown(fd, (uid_t)-1, (gid_t)-1));
	struct statx_min x;
	memset(&x, 0, sizeof x);
	check("statx", syscall(SYS_statx, AT_FDCWD, at(dir, "f"), 0, 0x7ff, &x));
	stat(at(dir, "f"), &st);
	printf("  statx mode %o size %llu, mtime as stat's %d, basic stats %d\n", x.stx_mode,
	       x.stx_size, x.t[3].sec == st.st_mtim.tv_sec && x.t[3].nsec == st.st_mtim.tv_nsec,
	       (x.stx_mask & 0x7ff) == 0x7ff);
	check("statx NOFOLLOW l",
	      syscall(SYS_statx, AT_FDCWD, at(dir, "l"), AT_SYMLINK_NOFOLLOW, 0x7ff, &x));
	printf("  a symlink %d\n", S_ISLNK(x.stx_mode));
	check("statx into NULL", syscall(SYS_statx, AT_FDCWD, at(dir, "f"), 0, 0x7ff, NULL));
	close(fd);
	check("unlink l", unlink(at(dir, "l")));
	check("unlink f", unlink(at(dir, "f")));
	return 0;
}
