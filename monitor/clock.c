/*
 * The host's monotonic clock in microseconds. Its own file, depending on
 * nothing, because trace.c stamps phases with it and fail.c prints the trace:
 * with the clock in time.c (which fails through fail.c) they formed a cycle.
 */
#include "monitor.h"

#include <time.h>

uint64_t hut_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
