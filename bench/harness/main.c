/*
 * hut-bench: `hut bench` as a program of its own, which `hut bench` execs.
 * It is a static musl program for one reason: the peak RSS it reports for a
 * launcher can never be below the RSS of the process that started it (exec
 * keeps the high-water mark of the memory it replaces, and it starts them
 * vfork-style). hut itself, dynamic glibc with libelf, sits at ~1.7 MiB;
 * this one at ~0.2 MiB, so the figures for small launchers are their own.
 */
#include "bench.h"

int main(int argc, char **argv)
{
	builder_prog = "hut bench";
	return bench_command(argc, argv);
}
