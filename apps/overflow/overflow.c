/*
 * overflow: unbounded recursion runs off the end of the stack into the guard
 * page: SIGSEGV, status 139. The volatile array and the use of the result
 * after the call keep the compiler from turning this into a loop.
 */
#include <limits.h>
#include <stdio.h>

static volatile unsigned long limit = ULONG_MAX; /* never reached */

static unsigned long deeper(unsigned long depth)
{
	volatile unsigned char frame[256];
	frame[depth % sizeof frame] = (unsigned char)depth;
	if (depth == limit)
		return 0;
	return deeper(depth + 1) + frame[(depth * 7) % sizeof frame];
}

int main(void)
{
	puts("overflow: recursing without end");
	fflush(stdout);
	printf("%lu\n", deeper(0));
	return 0;
}
