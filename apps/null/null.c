/* null: reading address 0 faults (page 0 is never mapped): SIGSEGV, status 139. */
#include <stdio.h>

int main(void)
{
	int *volatile p = NULL;
	puts("null: reading *NULL");
	fflush(stdout);
	printf("read %d\n", *p);
	return 0;
}
