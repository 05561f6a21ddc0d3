/*
 * Sorting gcc options between the compile and the link. hut compiles each
 * source on its own (into the temporary directory) and then links, so an
 * option given for a whole "gcc ... -o prog" must go to the right step:
 * preprocessor and language options to the compile (-x c at the link would
 * make gcc read objects as C), -l/-L/-Wl, to the link (gcc warns about
 * linker input at -c), and the rest (-O, -g, -f, -m) to both, as gcc does.
 */
#include "builder.h"

#include <string.h>

struct flag_rule {
	const char *prefix;
	enum builder_flag_use use;
	int separate; /* the exact prefix takes the next word as its value */
};

/* First match wins, so longer prefixes precede shorter ones. */
static const struct flag_rule rules[] = {
	{"-Wl,", BUILDER_FLAG_LINK, 0},
	{"-Wa,", BUILDER_FLAG_COMPILE, 0},
	{"-Wp,", BUILDER_FLAG_COMPILE, 0},
	{"-W", BUILDER_FLAG_COMPILE, 0},
	{"-Xlinker", BUILDER_FLAG_LINK, 1},
	{"-Xassembler", BUILDER_FLAG_COMPILE, 1},
	{"-Xpreprocessor", BUILDER_FLAG_COMPILE, 1},
	{"-include", BUILDER_FLAG_COMPILE, 1},
	{"-imacros", BUILDER_FLAG_COMPILE, 1},
	{"-isystem", BUILDER_FLAG_COMPILE, 1},
	{"-iquote", BUILDER_FLAG_COMPILE, 1},
	{"-idirafter", BUILDER_FLAG_COMPILE, 1},
	{"-iprefix", BUILDER_FLAG_COMPILE, 1},
	{"-iwithprefixbefore", BUILDER_FLAG_COMPILE, 1},
	{"-iwithprefix", BUILDER_FLAG_COMPILE, 1},
	{"-isysroot", BUILDER_FLAG_COMPILE, 1},
	{"-aux-info", BUILDER_FLAG_COMPILE, 1},
	{"-I", BUILDER_FLAG_COMPILE, 1},
	{"-D", BUILDER_FLAG_COMPILE, 1},
	{"-U", BUILDER_FLAG_COMPILE, 1},
	{"-MF", BUILDER_FLAG_COMPILE, 1},
	{"-MT", BUILDER_FLAG_COMPILE, 1},
	{"-MQ", BUILDER_FLAG_COMPILE, 1},
	{"-M", BUILDER_FLAG_COMPILE, 0},
	{"-x", BUILDER_FLAG_COMPILE, 1},
	{"-std=", BUILDER_FLAG_COMPILE, 0},
	{"-ansi", BUILDER_FLAG_COMPILE, 0},
	{"-pedantic", BUILDER_FLAG_COMPILE, 0},
	{"-L", BUILDER_FLAG_LINK, 1},
	{"-l", BUILDER_FLAG_LINK, 1},
	{"-T", BUILDER_FLAG_LINK, 1},
	{"-undef", BUILDER_FLAG_COMPILE, 0},
	{"-u", BUILDER_FLAG_LINK, 1},
	{"-z", BUILDER_FLAG_LINK, 1},
	{"--param", BUILDER_FLAG_BOTH, 1},
};

enum builder_flag_use builder_flag_classify(char **argv, int argc, int i, int *count)
{
	const char *a = argv[i];
	*count = 1;
	if (a[0] != '-' || a[1] == '\0')
		return BUILDER_FLAG_INPUT;
	/* -s alone strips the image (strip.c); as a prefix it would take
	 * -save-temps and -specs= from the compile. */
	if (!strcmp(a, "-s"))
		return BUILDER_FLAG_LINK;
	for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
		size_t len = strlen(rules[r].prefix);
		if (strncmp(a, rules[r].prefix, len) != 0)
			continue;
		if (rules[r].separate && a[len] == '\0' && i + 1 < argc)
			*count = 2;
		return rules[r].use;
	}
	return BUILDER_FLAG_BOTH;
}

/* Options that would make something other than a static, non-PIE image.
 * (-s is not one: the image is stripped after its manifest is written.) */
static const struct {
	const char *opt, *why;
} refused[] = {
	{"-shared", "hut images are static executables"},
	{"-pie", "hut images are linked at a fixed address (non-PIE)"},
	{"-static-pie", "hut images are linked at a fixed address (non-PIE)"},
};

const char *builder_flag_refused(const char *opt)
{
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		if (strcmp(opt, refused[i].opt) == 0)
			return refused[i].why;
	return NULL;
}

/* ld's words whose place among the inputs is their meaning: a group of
 * archives searched until nothing new is found, archives taken whole, and
 * the modes that apply to the archives after them. */
static const char *const positional[] = {
	"--start-group",   "--end-group",	 "-(",		"-)",
	"--whole-archive", "--no-whole-archive", "--as-needed", "--no-as-needed",
	"-Bstatic",	   "-Bdynamic",		 "-static",	"-dn",
	"-non_shared",
};

static int positional_ld_word(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof positional / sizeof *positional; i++)
		if (strlen(positional[i]) == len && !strncmp(w, positional[i], len))
			return 1;
	return 0;
}

int builder_flag_ordered(const char *opt)
{
	if (!strncmp(opt, "-l", 2))
		return 1;
	if (strncmp(opt, "-Wl,", 4) != 0)
		return 0;
	for (const char *w = opt + 4; *w;) { /* the comma-separated words of -Wl, */
		size_t len = strcspn(w, ",");
		if (positional_ld_word(w, len))
			return 1;
		w += len + (w[len] == ',');
	}
	return 0;
}
