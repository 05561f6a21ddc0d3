/*
 * How the monitor ends, for every reason: hut_end is the one way out once
 * the guest exists (what the guest wrote is written out first, by each
 * module's flush hook: the console ring; each module's end hook runs: the
 * net device resets the guest's connections; --trace-exits and
 * --trace-boot print), and hut_fail gives up with one line on stderr
 * first, after the guest's output.
 */
#include "monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* stopped: the guest did not end itself (the console does not wait for a
 * reader that stopped reading). */
static void flush_guest_output(const struct hut_vm *vm, bool stopped)
{
	if (vm)
		hut_call_modules(vm, flush, vm, stopped);
	fflush(stdout);
}

/* Who else must hear the status (a pool's client), set once. */
static void (*end_report)(int status);

void hut_end_report_set(void (*report)(int status))
{
	end_report = report;
}

_Noreturn void hut_end(const struct hut_vm *vm, int status, bool libos_closed)
{
	if (vm) {
		flush_guest_output(vm, !libos_closed);
		hut_call_modules(vm, end, vm, libos_closed);
		hut_trace_print(vm);
	}
	if (end_report)
		end_report(status);
	exit(status);
}

_Noreturn void hut_fail(const struct hut_vm *vm, int status, const char *fmt, ...)
{
	va_list ap;
	flush_guest_output(vm, status == HUT_EXIT_TIMEOUT || status == HUT_EXIT_MONITOR);
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
