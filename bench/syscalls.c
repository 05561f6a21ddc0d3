/*
 * syscalls: nanoseconds per syscall, made two ways: through musl (in a hut
 * image: a call to the libos dispatcher, musl/syscall_arch.h) and with the
 * `syscall` instruction itself (what Debian's musl does; in an appliance,
 * the trapped path through MSR_LSTAR). A plain function call gives the
 * scale. bench/syscalls.sh runs it as a process and as an appliance.
 *
 *   syscalls [CALLS [ROUNDS]]     (defaults 20000 and 11)
 *
 * stdout is what the writes write to (point it at /dev/null); stdin is what
 * the reads read (a file of at least 4 MiB: it is rewound before each batch
 * of 1024 reads; where it cannot be, as on an appliance's console, reads
 * past its end are still counted and the line says so). The figures go to
 * stderr: per case, the median and the minimum over ROUNDS rounds of ns per
 * call, the cases interleaved round by round so drift hits them alike.
 */
#define _GNU_SOURCE
#include <hut/raw_syscall.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE 4096
#define READS_PER_BATCH 1024
#define MAX_ROUNDS 101

/* In a hut image: the libos's (NULL as a process); absent elsewhere (weak:
 * 0). It sits in the libos's window at 64 GiB (include/hut/abi.h), beyond
 * the small code model's 32-bit addresses: taken as a 64-bit immediate. */
__asm__(".weak hut_boot_info");

static const void *const *boot_info_slot(void)
{
	const void *const *p;
	__asm__("movabs $hut_boot_info, %0" : "=r"(p));
	return p;
}

static char read_buf[READ_SIZE];
static long short_reads;

static void __attribute__((noinline)) empty_function(void)
{
	__asm__ volatile("" ::: "memory");
}

/* What hut's musl adds to a syscall as a process (musl/syscall_arch.h): a
 * load of a pointer the libos sets in an appliance, and a jrcxz. */
static const void *volatile model_boot_info;

static void mode_test(void)
{
	__asm__ volatile("mov %0, %%rcx\n\t"
			 "jrcxz 1f\n\t"
			 "ud2\n"
			 "1:"
			 :
			 : "m"(model_boot_info)
			 : "rcx");
}

static void musl_getpid(void)
{
	getpid();
}

static void raw_getpid(void)
{
	hut_raw_syscall3(SYS_getpid, 0, 0, 0);
}

static void musl_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
}

static void musl_clock_syscall(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
}

static void raw_clock(void)
{
	struct timespec ts;
	hut_raw_syscall3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0);
}

static void musl_write(void)
{
	if (write(1, "x", 1) != 1)
		abort();
}

static void raw_write(void)
{
	if (hut_raw_syscall3(SYS_write, 1, (long)"x", 1) != 1)
		abort();
}

static void musl_read(void)
{
	if (read(0, read_buf, READ_SIZE) != READ_SIZE)
		short_reads++;
}

static void raw_read(void)
{
	if (hut_raw_syscall3(SYS_read, 0, (long)read_buf, READ_SIZE) != READ_SIZE)
		short_reads++;
}

struct bench_case {
	const char *op, *way;
	void (*fn)(void);
	int is_read;
	double ns[MAX_ROUNDS];
};

static struct bench_case cases[] = {
	{"function call", "call", empty_function, 0, {0}},
	{"mode test", "alone", mode_test, 0, {0}},
	{"getpid", "musl", musl_getpid, 0, {0}},
	{"getpid", "syscall", raw_getpid, 0, {0}},
	{"clock_gettime", "musl", musl_clock, 0, {0}},
	{"clock_gettime", "musl syscall()", musl_clock_syscall, 0, {0}},
	{"clock_gettime", "syscall", raw_clock, 0, {0}},
	{"write 1 byte", "musl", musl_write, 0, {0}},
	{"write 1 byte", "syscall", raw_write, 0, {0}},
	{"read 4 KiB", "musl", musl_read, 1, {0}},
	{"read 4 KiB", "syscall", raw_read, 1, {0}},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Cases that make the same syscall through musl and with the instruction. */
static const size_t pairs[][2] = {{2, 3}, {5, 6}, {7, 8}, {9, 10}};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

static double median(double *v, int n);

/* Before the medians sort the samples: round r of one case goes with
 * round r of the other. */
static void paired_differences(int rounds, double *diffs)
{
	for (size_t p = 0; p < NPAIRS; p++) {
		double d[MAX_ROUNDS];
		for (int r = 0; r < rounds; r++)
			d[r] = cases[pairs[p][0]].ns[r] - cases[pairs[p][1]].ns[r];
		diffs[p] = median(d, rounds);
	}
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per call of fn over calls calls; reads go in rewound batches. */
static double time_calls(const struct bench_case *c, long calls)
{
	double total = 0;
	for (long done = 0; done < calls;) {
		long batch = c->is_read ? READS_PER_BATCH : calls;
		if (batch > calls - done)
			batch = calls - done;
		if (c->is_read)
			lseek(0, 0, SEEK_SET);
		double t0 = now_ns();
		for (long i = 0; i < batch; i++)
			c->fn();
		total += now_ns() - t0;
		done += batch;
	}
	return total / calls;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 11;
	if (calls < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: syscalls [CALLS [ROUNDS (1-%d)]]\n", MAX_ROUNDS);
		return 2;
	}
	for (size_t i = 0; i < NCASES; i++) /* warm-up */
		time_calls(&cases[i], calls / 10 + 1);
	short_reads = 0;
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < NCASES; i++)
			cases[i].ns[r] = time_calls(
				&cases[i], cases[i].is_read && calls > 4096 ? 4096 : calls);
	double diffs[NPAIRS];
	paired_differences(rounds, diffs);
	const char *mode = !boot_info_slot()   ? "plain musl process"
			   : *boot_info_slot() ? "hut appliance"
					       : "hut image as a process";
	fprintf(stderr, "%s: %ld calls (reads: up to 4096) x %d rounds, ns per call\n", mode, calls,
		rounds);
	fprintf(stderr, "%-15s %-15s %10s %10s\n", "op", "way", "median", "min");
	for (size_t i = 0; i < NCASES; i++) {
		double min = cases[i].ns[0];
		for (int r = 1; r < rounds; r++)
			min = cases[i].ns[r] < min ? cases[i].ns[r] : min;
		fprintf(stderr, "%-15s %-15s %10.1f %10.1f\n", cases[i].op, cases[i].way,
			median(cases[i].ns, rounds), min);
	}
	fprintf(stderr, "through musl minus with the syscall instruction, median of the rounds' "
			"differences:\n");
	for (size_t p = 0; p < NPAIRS; p++)
		fprintf(stderr, "  %-15s %+8.1f ns\n", cases[pairs[p][0]].op, diffs[p]);
	if (short_reads)
		fprintf(stderr,
			"(%ld reads returned less than 4 KiB: stdin could not be rewound)\n",
			short_reads);
	return 0;
}
