/*
 * Progress on stderr while the benchmark runs, one line rewritten in place.
 * Its own file because the command (bench.c) and the phases it calls
 * (bench_storm.c, bench_trace.c) all report through it.
 */
#include "bench.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int progress_on;

/* Only on a terminal: in a log file, \r-rewritten lines are one long mess. */
void bench_progress(const char *fmt, ...)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* Padded, so a shorter line covers the longer one before it. */
	fprintf(stderr, "\r%-78.78s", line);
	fflush(stderr);
	progress_on = 1;
}

void bench_progress_done(void)
{
	if (progress_on)
		fprintf(stderr, "\r%78s\r", "");
	progress_on = 0;
}
