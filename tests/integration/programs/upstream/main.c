/*
 * upstream: statistics of its arguments' lengths, and a password hash of
 * the first one. Exits with the number of arguments.
 */
#include "stats.h"

#include <crypt.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct stats s = {0};
	for (int i = 1; i < argc; i++)
		stats_add(&s, strlen(argv[i]));
	printf("words %zu, longest %zu\n", s.count, s.longest);
	printf("mean %.6f, stddev %.6f\n", stats_mean(&s), stats_stddev(&s));
	const char *hash = crypt(argc > 1 ? argv[1] : "", "$6$upstream$");
	printf("sha512-crypt %s\n", hash ? hash : "(failed)");
	return argc - 1;
}
