/* divzero: integer division by zero raises #DE: SIGFPE, status 136. */
#include <stdio.h>

int main(void)
{
	volatile int numerator = 1, divisor = 0;
	puts("divzero: 1 / 0");
	fflush(stdout);
	printf("%d\n", numerator / divisor);
	return 0;
}
