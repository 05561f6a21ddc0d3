/* raise: a process that sends itself SIGTERM dies of it: status 143. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
	puts("raise: raise(SIGTERM)");
	fflush(stdout);
	raise(SIGTERM);
	puts("raise: still alive");
	return 0;
}
