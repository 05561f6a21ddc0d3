/*
 * Timers interrupt a program that spins without any syscall (preempt.sh):
 * alarm's SIGALRM, ITIMER_PROF and ITIMER_VIRTUAL (CPU time), POSIX timers
 * on the monotonic and the process's CPU clock, each caught by a handler
 * while the main loop only reads a flag; a loop whose SSE registers, flags
 * and red zone are in use gives the same result when handlers interrupt it
 * many times; a thread that spins on a flag sees it set by another that
 * slept first, whichever of the two is the main thread. `preempt die`: an alarm with no handler
 * ends a spinning program (142). It prints only what is the same on Linux and in hut: that each
 * handler ran at least so many times, never a count or a time.
 *
 * Every spin also watches the TSC, so that a broken build gives up (and
 * says so) instead of spinning until the test's time limit.
 */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define GIVE_UP_TICKS 40000000000ull /* TSC ticks: 10 s and more on any host */

static volatile sig_atomic_t ticks;

static void count_tick(int sig)
{
	(void)sig;
	ticks++;
}

/* A handler that leaves every SSE register and the flags changed. */
static void count_tick_dirty(int sig)
{
	(void)sig;
	__m128d junk = _mm_set1_pd(-1.5);
	__asm__ volatile("movapd %0, %%xmm0\n\tmovapd %0, %%xmm1\n\tmovapd %0, %%xmm7\n\t"
			 "movapd %0, %%xmm8\n\tmovapd %0, %%xmm15\n\tcmp %%rsp, %%rsp"
			 :
			 : "x"(junk)
			 : "xmm0", "xmm1", "xmm7", "xmm8", "xmm15", "cc");
	ticks++;
}

static void catch (int sig, void (*handler)(int))
{
	struct sigaction sa = {.sa_handler = handler};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Spins, without a syscall, until the handlers have counted want ticks;
 * 0 if it gave up. */
static int spin_until(int want)
{
	uint64_t start = __rdtsc();
	while (ticks < want)
		if (__rdtsc() - start > GIVE_UP_TICKS)
			return 0;
	return 1;
}

static void report(const char *what, int want, int ok)
{
	if (ok)
		printf("%s: the handler ran at least %d times while the program spun\n", what,
		       want);
	else
		printf("%s: gave up waiting for the handler\n", what);
}

static void alarm_while_spinning(void)
{
	ticks = 0;
	catch (SIGALRM, count_tick);
	alarm(1);
	report("alarm(1)", 1, spin_until(1));
}

static void itimer_while_spinning(int which, int sig, const char *what)
{
	ticks = 0;
	catch (sig, count_tick);
	struct itimerval it = {{0, 5000}, {0, 5000}}; /* every 5 ms */
	setitimer(which, &it, NULL);
	int ok = spin_until(3);
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(which, &off, NULL);
	report(what, 3, ok);
}

static void posix_timer_while_spinning(clockid_t clock, const char *what)
{
	ticks = 0;
	catch (SIGUSR1, count_tick);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	timer_t id;
	if (timer_create(clock, &ev, &id) != 0) {
		printf("%s: timer_create failed\n", what);
		return;
	}
	struct itimerspec its = {{0, 10000000}, {0, 10000000}}; /* every 10 ms */
	timer_settime(id, 0, &its, NULL);
	int ok = spin_until(3);
	timer_delete(id);
	report(what, 3, ok);
}

/* Sums the vector with SSE, many lanes in flight, and keeps a small array
 * in the leaf function's red zone (no call here: the compiler need not
 * move %rsp); both are checked against the same sum done once at rest. */
static __attribute__((noinline)) double vector_sum(const double *v, int n, uint64_t *check)
{
	volatile uint64_t zone[6] = {1, 2, 3, 4, 5, 6};
	__m128d a = _mm_setzero_pd(), b = _mm_setzero_pd(), c = _mm_setzero_pd(),
		d = _mm_setzero_pd();
	for (int i = 0; i + 8 <= n; i += 8) {
		a = _mm_add_pd(a, _mm_mul_pd(_mm_loadu_pd(v + i), _mm_set1_pd(1.0000001)));
		b = _mm_add_pd(b, _mm_loadu_pd(v + i + 2));
		c = _mm_add_pd(c, _mm_sqrt_pd(_mm_loadu_pd(v + i + 4)));
		d = _mm_sub_pd(d, _mm_loadu_pd(v + i + 6));
		zone[i % 6] += (uint64_t)i;
	}
	uint64_t z = 0;
	for (int i = 0; i < 6; i++)
		z = z * 31 + zone[i];
	*check = z;
	double out[2];
	_mm_storeu_pd(out, _mm_add_pd(_mm_add_pd(a, b), _mm_add_pd(c, d)));
	return out[0] * 3 + out[1];
}

static void sse_in_flight(void)
{
	static double v[4096];
	for (int i = 0; i < 4096; i++)
		v[i] = (double)(i % 97) * 0.25 + 1.0;
	uint64_t want_check, check;
	double want = vector_sum(v, 4096, &want_check);
	ticks = 0;
	catch (SIGPROF, count_tick_dirty);
	struct itimerval it = {{0, 1000}, {0, 1000}}; /* every 1 ms */
	setitimer(ITIMER_PROF, &it, NULL);
	uint64_t start = __rdtsc();
	long rounds = 0, wrong = 0;
	while (ticks < 20 && __rdtsc() - start < GIVE_UP_TICKS) {
		double got = vector_sum(v, 4096, &check);
		wrong += memcmp(&got, &want, sizeof got) != 0 || check != want_check;
		rounds++;
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &off, NULL);
	if (ticks < 20)
		printf("sse: gave up waiting for the handler\n");
	printf("sse: %.6f, %ld of the sums interrupted by handlers differ\n", want, wrong);
	(void)rounds;
}

static volatile int flag;

/* Spins until flag is set (0 if it gave up). */
static int spin_on_flag(void)
{
	uint64_t start = __rdtsc();
	while (!flag)
		if (__rdtsc() - start > GIVE_UP_TICKS)
			return 0;
	return 1;
}

static void *sleep_then_set(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 20000000}; /* 20 ms */
	nanosleep(&ts, NULL);
	flag = 1;
	return NULL;
}

static void *spinner(void *arg)
{
	*(int *)arg = spin_on_flag();
	return NULL;
}

static void threads_share_the_cpu(void)
{
	pthread_t t;
	flag = 0;
	pthread_create(&t, NULL, sleep_then_set, NULL);
	int ok = spin_on_flag();
	pthread_join(t, NULL);
	printf("threads: the main thread %s the flag a sleeping thread set\n",
	       ok ? "spun until it saw" : "gave up waiting for");
	flag = 0;
	int saw = 0;
	pthread_create(&t, NULL, spinner, &saw);
	sleep_then_set(NULL);
	pthread_join(t, NULL);
	printf("threads: a thread %s the flag the sleeping main thread set\n",
	       saw ? "spun until it saw" : "gave up waiting for");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "die")) { /* SIGALRM's default action */
		alarm(1);
		spin_until(1);
		printf("still alive\n");
		return 3;
	}
	alarm_while_spinning();
	itimer_while_spinning(ITIMER_PROF, SIGPROF, "ITIMER_PROF every 5 ms");
	itimer_while_spinning(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL every 5 ms");
	itimer_while_spinning(ITIMER_REAL, SIGALRM, "ITIMER_REAL every 5 ms");
	posix_timer_while_spinning(CLOCK_MONOTONIC, "timer_create(CLOCK_MONOTONIC)");
	posix_timer_while_spinning(CLOCK_PROCESS_CPUTIME_ID,
				   "timer_create(CLOCK_PROCESS_CPUTIME_ID)");
	sse_in_flight();
	threads_share_the_cpu();
	return 0;
}
