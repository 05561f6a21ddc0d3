/* hello: the smallest service. Prints "hello, <args>" (or "hello, world"). */
#include <stdio.h>

int main(int argc, char **argv)
{
	fputs("hello, ", stdout);
	if (argc < 2)
		fputs("world", stdout);
	for (int i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? " " : "", argv[i]);
	putchar('\n');
	return 0;
}
