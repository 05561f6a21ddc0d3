/* wtext: code is never writable; a store into main's own code faults: status 139. */
#include <stdio.h>

int main(void)
{
	unsigned char *volatile code = (unsigned char *)main;
	puts("wtext: writing to main's code");
	fflush(stdout);
	code[0] = 0xc3;
	puts("wtext: the write succeeded");
	return 0;
}
