/*
 * Unit tests for the vCPU thread's sleep (monitor/vcpu_wake.c): a signal
 * handler's nudge that comes after the sleeper read the wake word but
 * before its sleep began ends that sleep at once (the window in which a
 * plain nanosleep lost a signal from outside for good), as does another
 * thread's wake during the sleep; with neither, the sleep lasts its time.
 */
#include "monitor.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t timed_sleep(uint32_t seq, uint64_t ns)
{
	uint64_t t0 = now_ns();
	hut_vcpu_sleep(seq, ns);
	return now_ns() - t0;
}

static void on_usr1(int sig)
{
	(void)sig;
	hut_vcpu_nudge();
}

Test(vcpu_wake, a_sleep_without_news_lasts_its_time)
{
	cr_assert_geq(timed_sleep(hut_vcpu_wake_seq(), 50 * MS), 45 * MS);
}

Test(vcpu_wake, a_signal_between_the_look_and_the_sleep_ends_it_at_once)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	uint32_t seq = hut_vcpu_wake_seq(); /* the sleeper's look */
	raise(SIGUSR1);			    /* the handler runs before raise returns */
	cr_assert_lt(timed_sleep(seq, 10000 * MS), 1000 * MS);
}

static void *wake_later(void *arg)
{
	(void)arg;
	usleep(20000);
	hut_vcpu_wake();
	return NULL;
}

Test(vcpu_wake, another_threads_wake_ends_the_sleep)
{
	pthread_t t;
	uint32_t seq = hut_vcpu_wake_seq();
	pthread_create(&t, NULL, wake_later, NULL);
	cr_assert_lt(timed_sleep(seq, 10000 * MS), 1000 * MS);
	pthread_join(t, NULL);
}

Test(vcpu_wake, no_timeout_is_a_sleep_until_woken)
{
	pthread_t t;
	uint32_t seq = hut_vcpu_wake_seq();
	pthread_create(&t, NULL, wake_later, NULL);
	uint64_t slept = timed_sleep(seq, UINT64_MAX);
	cr_assert_geq(slept, 15 * MS);
	cr_assert_lt(slept, 1000 * MS);
	pthread_join(t, NULL);
}
