/*
 * Messages and allocation. Every error is one line,
 * "<prog>: <subject>: <what> (<why>)", so a user reading a build log finds
 * the file, the problem and its cause together.
 */
#include "builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *builder_prog = "hut";

void builder_error(const char *subject, const char *what, const char *why)
{
	if (why)
		fprintf(stderr, "%s: %s: %s (%s)\n", builder_prog, subject, what, why);
	else
		fprintf(stderr, "%s: %s: %s\n", builder_prog, subject, what);
}

void builder_die(int status, const char *subject, const char *what, const char *why)
{
	builder_error(subject, what, why);
	exit(status);
}

void builder_usage_error(const char *subject, const char *what, const char *help)
{
	fprintf(stderr, "%s: %s: %s (see %s)\n", builder_prog, subject, what, help);
	exit(BUILDER_EXIT_USAGE);
}

/* Out of memory in a short-lived command line tool: say so and stop. */
static void *checked(void *p)
{
	if (!p)
		builder_die(1, "memory", "cannot allocate", "out of memory");
	return p;
}

void *builder_xmalloc(size_t size)
{
	return checked(malloc(size ? size : 1));
}

char *builder_xstrdup(const char *s)
{
	return checked(strdup(s));
}

char *builder_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return checked(n < 0 ? NULL : s);
}

int builder_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -1;
}
