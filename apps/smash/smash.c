/*
 * smash: a stack buffer overflow under -fstack-protector-strong (see
 * hutflags). The canary (from AT_RANDOM) is overwritten, the function's
 * epilogue calls __stack_chk_fail and musl crashes the program on purpose.
 */
#include <stdio.h>
#include <string.h>

static volatile size_t length = 64; /* volatile: the compiler cannot see the overflow */

__attribute__((noinline)) static void copy(const char *src)
{
	char buf[16];
	memcpy(buf, src, length);
	printf("smash: copied, buf[0]=%c\n", buf[0]);
}

int main(void)
{
	char src[64];
	memset(src, 'A', sizeof src);
	puts("smash: overflowing a 16-byte buffer with 64 bytes");
	fflush(stdout);
	copy(src);
	puts("smash: returned from the overflowed function");
	return 0;
}
