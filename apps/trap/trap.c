/* trap: ud2 (an invalid opcode) kills a process with SIGILL: status 132. */
#include <stdio.h>

int main(void)
{
	puts("trap: executing ud2");
	fflush(stdout);
	__builtin_trap();
}
