#include "option.h"

#include <string.h>

const char cli_no_value[] = "";

const char *cli_option(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];
	if (strncmp(arg, name, n) != 0 || (arg[n] != 0 && arg[n] != '='))
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (*i + 1 >= argc)
		return cli_no_value;
	return argv[++*i];
}
