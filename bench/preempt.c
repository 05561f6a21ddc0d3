/*
 * bench/preempt.c: what a tick costs a program that spins. A loop reads
 * the TSC and nothing else (no syscall) for SECONDS; every jump between
 * two reads longer than GAP_NS is time the program lost: a timer's handler
 * and the way there and back, or the host running something else. It
 * runs once with no timer (the host's own noise), then with ITIMER_PROF
 * every PERIOD_US (a profiler's rate: 1 ms by default), whose handler only
 * counts; it prints the gaps' median and the share of the time lost. As a
 * process the kernel's timer interrupt does the work; in an appliance, the
 * monitor's host timer and the libos's tick entry (docs/ARCHITECTURE.md,
 * "Ticks"). bench/preempt.sh runs both.
 *
 *   preempt.hut [PERIOD_US [SECONDS]]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <x86intrin.h>

#define GAP_NS 2000.0
#define GAPS_MAX 200000

static volatile sig_atomic_t handled;
static uint64_t gaps[GAPS_MAX];

static void on_prof(int sig)
{
	(void)sig;
	handled++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct result {
	int n;			/* gaps */
	double lost, median_us; /* share of the time in gaps; their median */
	double p10_us, p90_us;
};

/* Spins for seconds, TSC reads only, and sorts out the gaps. */
static struct result spin(double seconds)
{
	double t0 = now_s();
	uint64_t start = __rdtsc();
	double t1;
	while ((t1 = now_s()) - t0 < 0.01) /* the TSC's rate, roughly, to start */
		;
	double ns_per_tick = (t1 - t0) * 1e9 / (double)(__rdtsc() - start);
	uint64_t gap_ticks = (uint64_t)(GAP_NS / ns_per_tick);
	uint64_t end = __rdtsc() + (uint64_t)(seconds * 1e9 / ns_per_tick);
	uint64_t prev = __rdtsc(), lost = 0, begin = prev;
	int n = 0;
	for (uint64_t now; (now = __rdtsc()) < end; prev = now) {
		if (now - prev > gap_ticks) {
			lost += now - prev;
			if (n < GAPS_MAX)
				gaps[n++] = now - prev;
		}
	}
	qsort(gaps, (size_t)n, sizeof *gaps, by_value);
	struct result r = {n, (double)lost / (double)(prev - begin), 0, 0, 0};
	if (n) {
		r.median_us = (double)gaps[n / 2] * ns_per_tick / 1e3;
		r.p10_us = (double)gaps[n / 10] * ns_per_tick / 1e3;
		r.p90_us = (double)gaps[n * 9 / 10] * ns_per_tick / 1e3;
	}
	return r;
}

static void print(const char *what, struct result r)
{
	printf("%-28s %6d gaps, median %7.1f us (p10 %6.1f, p90 %7.1f), %5.2f%% of the time lost\n",
	       what, r.n, r.median_us, r.p10_us, r.p90_us, r.lost * 100);
}

int main(int argc, char **argv)
{
	long period_us = argc > 1 ? atol(argv[1]) : 1000;
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	if (period_us <= 0 || seconds <= 0) {
		fprintf(stderr, "usage: preempt [PERIOD_US [SECONDS]]\n");
		return 2;
	}
	struct result plain = spin(seconds);
	print("no timer:", plain);

	struct sigaction sa = {.sa_handler = on_prof};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	struct itimerval it = {{0, period_us}, {0, period_us}};
	setitimer(ITIMER_PROF, &it, NULL);
	handled = 0;
	struct result r = spin(seconds);
	int n = handled;
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &off, NULL);
	char what[64];
	snprintf(what, sizeof what, "ITIMER_PROF every %ld us:", period_us);
	print(what, r);
	printf("%-28s %6d handlers ran", "", n);
	if (n)
		printf(", %.1f us lost for each beyond the run without a timer",
		       (r.lost - plain.lost) * seconds * 1e6 / n);
	printf("\n");
	return 0;
}
