/*
 * How the monitor ends, for every reason: hut_end is the one way out once
 * the guest exists (each module's end hook runs: the net device resets the
 * guest's connections; --trace-exits and --trace-boot print), and hut_fail
 * gives up with one line on stderr first.
 */
#include "monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

_Noreturn void hut_end(const struct hut_vm *vm, int status, bool libos_closed)
{
	if (vm) {
		hut_call_modules(vm, end, vm, libos_closed);
		hut_trace_print(vm);
	}
	exit(status);
}

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
	hut_end(vm, status, false);
}
