/* args: shows how argv arrived, then exits with the status named by argv[1]. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	/* Brackets make empty strings and embedded spaces visible. */
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=[%s]\n", i, argv[i]);
	if (argv[argc] != NULL) {
		puts("argv is not NULL-terminated");
		return 2;
	}
	return argc > 1 ? atoi(argv[1]) : 0;
}
