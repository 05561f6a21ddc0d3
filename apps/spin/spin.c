/* spin: never ends on its own; used to test the monitor's --timeout (status 124). */
#include <stdio.h>

int main(void)
{
	volatile unsigned long n = 0;
	puts("spin: spinning");
	fflush(stdout);
	for (;;)
		n++;
}
