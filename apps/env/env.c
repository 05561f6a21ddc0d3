/*
 * env: prints its environment and arguments, one per line. The appliance's
 * environment is exactly what `hut-monitor --env` gives it.
 */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
	for (char **e = environ; *e; e++)
		printf("env %s\n", *e);
	for (int i = 1; i < argc; i++)
		printf("arg %s\n", argv[i]);
	const char *home = getenv("HOME");
	printf("getenv HOME: %s\n", home ? home : "(unset)");
	return 0;
}
