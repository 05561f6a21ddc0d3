/*
 * mmapall: maps and touches 1 MiB pieces until mmap says ENOMEM, then exits
 * 0. The monitor must hand the guest its RAM and no more (its RSS stays
 * near --mem), and running out must be an ordinary ENOMEM, not a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PIECE (1 << 20)

int main(void)
{
	unsigned long mapped = 0;
	for (;;) {
		char *p = mmap(NULL, PIECE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			printf("mmapall: %lu MiB, then %s\n", mapped, strerror(e));
			return e == ENOMEM ? 0 : 1;
		}
		memset(p, 0xa5, PIECE); /* really use it: the host must back it */
		mapped++;
	}
}
