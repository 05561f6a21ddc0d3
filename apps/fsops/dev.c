/* The devices every program may expect. */
#include "fsops.h"

#include <sys/sysmacros.h>

static void dev(const char *name)
{
	struct stat st;
	char path[64];
	snprintf(path, sizeof path, "/dev/%s", name);
	if (check(path, stat(path, &st)) == 0)
		printf("  char %d rdev %u:%u mode %o\n", S_ISCHR(st.st_mode), major(st.st_rdev),
		       minor(st.st_rdev), (unsigned)(st.st_mode & 0777));
}

int scenario_dev(const char *dir)
{
	char buf[64];
	(void)dir;
	const char *names[] = {"null", "zero", "full", "random", "urandom"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		dev(names[i]);
	int fd = check("open /dev/null", open("/dev/null", O_RDWR));
	check("read /dev/null", read(fd, buf, sizeof buf));
	check("write /dev/null", write(fd, buf, sizeof buf));
	close(fd);
	fd = check("open /dev/zero", open("/dev/zero", O_RDONLY));
	memset(buf, 7, sizeof buf);
	check("read /dev/zero", read(fd, buf, sizeof buf));
	int zeros = 1;
	for (size_t i = 0; i < sizeof buf; i++)
		zeros &= buf[i] == 0;
	printf("  all zero: %d\n", zeros);
	close(fd);
	fd = check("open /dev/full", open("/dev/full", O_RDWR));
	check("write /dev/full", write(fd, buf, 1));
	check("read /dev/full", read(fd, buf, 4));
	close(fd);
	fd = check("open /dev/urandom", open("/dev/urandom", O_RDONLY));
	memset(buf, 0, sizeof buf);
	check("read /dev/urandom", read(fd, buf, sizeof buf));
	int nonzero = 0;
	for (size_t i = 0; i < sizeof buf; i++)
		nonzero += buf[i] != 0;
	printf("  mostly nonzero: %d\n", nonzero > 48);
	close(fd);
	check("open /dev/missing", open("/dev/missing", O_RDONLY));
	return 0;
}
