/*
 * threads: nanoseconds per thread operation, for `make bench-threads`
 * (bench/threads.sh runs it as a process and as an appliance):
 *   create+join     pthread_create of a thread that returns at once, then
 *                   pthread_join
 *   mutex           lock+unlock of a mutex nobody else wants
 *   mutex contended two threads lock+unlock one mutex in turn, each
 *                   yielding the CPU while holding it now and then, so the
 *                   other really waits (a futex wait and wake)
 *   condvar pingpong one round trip: A signals B through a condition
 *                   variable and waits for B's answer on another
 *   sched_yield     alone (nobody to switch to), then
 *   yield switch    two threads yielding to each other: per yield, so the
 *                   difference is what a thread switch adds
 *
 *   threads [N]     N operations per case (default 20000; create+join N/10)
 * The figures go to stdout, one "name ns" line per case.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void report(const char *name, uint64_t t0, long n)
{
	printf("%-18s %10.1f ns\n", name, (double)(now_ns() - t0) / (double)n);
}

static void *nothing(void *arg)
{
	return arg;
}

static void create_join(long n)
{
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, nothing, NULL) != 0)
			exit(1);
		pthread_join(t, NULL);
	}
	report("create+join", t0, n);
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void uncontended(long n)
{
	uint64_t t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	report("mutex", t0, n);
}

static long shared_counter;

static void *contend(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&m);
		shared_counter++;
		if (i % 16 == 0)
			sched_yield(); /* holding it: the other thread must wait */
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void contended(long n)
{
	pthread_t a, b;
	uint64_t t0 = now_ns();
	pthread_create(&a, NULL, contend, (void *)(n / 2));
	pthread_create(&b, NULL, contend, (void *)(n / 2));
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	report("mutex contended", t0, n);
}

static struct {
	pthread_mutex_t m;
	pthread_cond_t ping, pong;
	long turn; /* odd: B's turn */
} pp = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

static void *ponger(void *arg)
{
	long n = (long)arg;
	pthread_mutex_lock(&pp.m);
	for (long i = 0; i < n; i++) {
		while (!(pp.turn & 1))
			pthread_cond_wait(&pp.ping, &pp.m);
		pp.turn++;
		pthread_cond_signal(&pp.pong);
	}
	pthread_mutex_unlock(&pp.m);
	return NULL;
}

static void pingpong(long n)
{
	pthread_t b;
	pthread_create(&b, NULL, ponger, (void *)n);
	uint64_t t0 = now_ns();
	pthread_mutex_lock(&pp.m);
	for (long i = 0; i < n; i++) {
		pp.turn++;
		pthread_cond_signal(&pp.ping);
		while (pp.turn & 1)
			pthread_cond_wait(&pp.pong, &pp.m);
	}
	pthread_mutex_unlock(&pp.m);
	report("condvar pingpong", t0, n);
	pthread_join(b, NULL);
}

static void *yielder(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++)
		sched_yield();
	return NULL;
}

static void yields(long n)
{
	uint64_t t0 = now_ns();
	yielder((void *)n);
	report("sched_yield", t0, n);
	pthread_t a, b;
	t0 = now_ns();
	pthread_create(&a, NULL, yielder, (void *)n);
	pthread_create(&b, NULL, yielder, (void *)n);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	report("yield switch", t0, 2 * n);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	if (n < 20)
		n = 20;
	create_join(n / 10);
	uncontended(n * 10);
	contended(n);
	pingpong(n);
	yields(n);
	return 0;
}
