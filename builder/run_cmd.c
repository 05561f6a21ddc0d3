/*
 * `hut run`: hut-monitor, found next to hut. The monitor owns the options
 * and the exit statuses; hut only saves typing the second program's name.
 * `hut bench` is the same for hut-bench.
 */
#include "builder.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* hut-monitor's own failure status (no KVM, cannot start). */
#define RUN_MONITOR_FAILED 125

static const char *monitor_path(void)
{
	return builder_xasprintf("%s/hut-monitor", builder_bindir());
}

static int run_help(void)
{
	printf("usage: hut run [MONITOR OPTIONS] IMAGE [ARG...]\n"
	       "\n"
	       "Boots IMAGE as a KVM appliance: runs %s with these arguments.\n"
	       "The options and exit statuses are hut-monitor's (hut-monitor --help).\n",
	       monitor_path());
	fflush(stdout);
	if (access(monitor_path(), X_OK) != 0)
		return 0;
	printf("\n");
	struct builder_args cmd = {0};
	builder_args_add(&cmd, monitor_path());
	builder_args_add(&cmd, "--help");
	return builder_run(&cmd) == 0 ? 0 : 1;
}

/* `hut bench`: hut-bench, found next to hut (see bench/harness/main.c for why it is
 * a program of its own). */
int builder_cmd_bench_exec(int argc, char **argv)
{
	struct builder_args cmd = {0};
	builder_args_add(&cmd, builder_xasprintf("%s/hut-bench", builder_bindir()));
	for (int i = 1; i < argc; i++)
		builder_args_add(&cmd, argv[i]);
	builder_exec(&cmd, 1);
}

int builder_cmd_run(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return run_help();
	struct builder_args cmd = {0};
	builder_args_add(&cmd, monitor_path());
	for (int i = 1; i < argc; i++)
		builder_args_add(&cmd, argv[i]);
	builder_exec(&cmd, RUN_MONITOR_FAILED);
}
