/* abort: abort() raises SIGABRT: status 134. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	puts("abort: calling abort()");
	fflush(stdout);
	abort();
}
