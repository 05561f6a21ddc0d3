/*
 * Service names as the manifest holds them: the default one for an output
 * file, and the check a name given with --name or HUT_NAME must pass.
 */
#include "builder.h"

#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *builder_default_name(const char *out)
{
	char *copy = builder_xstrdup(out);
	char *base = builder_xstrdup(basename(copy));
	free(copy);
	size_t n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".hut") == 0)
		base[n -= 4] = '\0';
	if (n >= HUT_NAME_MAX)
		base[HUT_NAME_MAX - 1] = '\0';
	return base;
}

int builder_name_check(const char *name, const char **why)
{
	if (!*name)
		return *why = "empty", -1;
	static char longer[48];
	if (strlen(name) >= HUT_NAME_MAX) {
		snprintf(longer, sizeof longer, "longer than %d bytes", HUT_NAME_MAX - 1);
		return *why = longer, -1;
	}
	for (const char *p = name; *p; p++)
		if (iscntrl((unsigned char)*p))
			return *why = "contains control characters", -1;
	return 0;
}
