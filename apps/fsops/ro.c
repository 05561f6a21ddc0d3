/* A read-only directory (the image's files, a :ro volume, a read-only
 * bind mount): reads work, every change fails, with the errno Linux
 * checks first (ENOENT, EEXIST) or EROFS. DIR must hold a file "hello"
 * and a directory "sub". */
#include "fsops.h"

#include <sys/syscall.h>

int scenario_ro(const char *dir)
{
	struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	printf("  hello: %s", get_file(at(dir, "hello")));
	check("open O_RDONLY", open(at(dir, "hello"), O_RDONLY) >= 0 ? 0 : -1);
	check("open O_WRONLY", open(at(dir, "hello"), O_WRONLY));
	check("open O_RDWR", open(at(dir, "hello"), O_RDWR));
	check("open O_RDONLY|O_TRUNC", open(at(dir, "hello"), O_RDONLY | O_TRUNC));
	check("open O_CREAT existing, reading",
	      open(at(dir, "hello"), O_RDONLY | O_CREAT, 0644) >= 0 ? 0 : -1);
	check("open O_CREAT|O_EXCL existing",
	      open(at(dir, "hello"), O_RDONLY | O_CREAT | O_EXCL, 0644));
	check("open O_CREAT new", open(at(dir, "new"), O_WRONLY | O_CREAT, 0644));
	check("creat new", creat(at(dir, "new"), 0644));
	check("mkdir new", mkdir(at(dir, "newdir"), 0755));
	check("mkdir existing", mkdir(at(dir, "sub"), 0755));
	check("rmdir sub", rmdir(at(dir, "sub")));
	check("rmdir missing", rmdir(at(dir, "missing")));
	check("unlink hello", unlink(at(dir, "hello")));
	check("unlink missing", unlink(at(dir, "missing")));
	check("rename hello", rename(at(dir, "hello"), at(dir, "moved")));
	check("rename missing", rename(at(dir, "missing"), at(dir, "moved")));
	check("link hello", link(at(dir, "hello"), at(dir, "hl")));
	check("symlink new", symlink("hello", at(dir, "sl")));
	check("symlink existing", symlink("hello", at(dir, "hello")));
	check("chmod", chmod(at(dir, "hello"), 0600));
	check("chmod missing", chmod(at(dir, "missing"), 0600));
	check("chown", chown(at(dir, "hello"), 0, 0));
	check("utimensat", utimensat(AT_FDCWD, at(dir, "hello"), ts, 0));
	check("truncate", truncate(at(dir, "hello"), 0));
	check("access W_OK", access(at(dir, "hello"), W_OK));
	check("access W_OK dir", access(dir, W_OK));
	check("access R_OK", access(at(dir, "hello"), R_OK));
	int fd = open(at(dir, "hello"), O_RDONLY);
	check("fchmod", fchmod(fd, 0600));
	check("ftruncate (read-only fd)", ftruncate(fd, 0));
	check("fsync", fsync(fd));
	close(fd);
	return 0;
}
