/* Mapping files: what a private or read-only shared mapping shows. */
#include "fsops.h"

#include <sys/mman.h>

int scenario_mmap(const char *dir)
{
	char big[10000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	int fd = check("create", open(at(dir, "m"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	check("write 10000", write(fd, big, sizeof big));
	char *p = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("mmap private", p == MAP_FAILED ? -1 : 0);
	printf("  bytes 0, 25, 9999: %c %c %c; past the end: %d\n", p[0], p[25], p[9999], p[10000]);
	p[0] = 'X';
	char c;
	check("pread 0", pread(fd, &c, 1, 0));
	printf("  the file still has %c\n", c);
	check("munmap", munmap(p, 16384));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
	check("mmap shared read-only at 4096", p == MAP_FAILED ? -1 : 0);
	printf("  byte 0 there: %c (file byte 4096 %c)\n", p[0], big[4096]);
	munmap(p, 4096);
	check("mmap unaligned offset",
	      mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? -1 : 0);
	check("mmap bad fd",
	      mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED ? -1 : 0);
	int wo = open(at(dir, "m"), O_WRONLY);
	check("mmap a write-only fd",
	      mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED ? -1 : 0);
	int d = open(dir, O_RDONLY);
	check("mmap a directory",
	      mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d, 0) == MAP_FAILED ? -1 : 0);
	close(wo);
	close(d);
	close(fd);
	check("unlink", unlink(at(dir, "m")));
	return 0;
}
