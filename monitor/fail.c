/* The monitor's one way to give up: one line on stderr, one exit status. */
#include "monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

_Noreturn void hut_fail(const struct hut_vm *vm, int status, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (vm && vm->opt && vm->opt->image)
		fprintf(stderr, "hut-monitor: %s: ", vm->opt->image);
	else
		fputs("hut-monitor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (vm)
		hut_trace_print(vm);
	exit(status);
}
