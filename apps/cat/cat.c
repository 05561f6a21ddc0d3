/*
 * cat: copies stdin to stdout through stdio, then prints how many bytes and
 * lines it saw on stderr. Exercises the console's read path: the same bytes
 * must come out of the process and of the appliance.
 */
#include <stdio.h>

int main(void)
{
	char buf[4096];
	size_t n, total = 0, lines = 0;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		for (size_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (fwrite(buf, 1, n, stdout) != n)
			return 1;
		total += n;
	}
	if (ferror(stdin))
		return 2;
	fprintf(stderr, "cat: %zu bytes, %zu lines\n", total, lines);
	return 0;
}
