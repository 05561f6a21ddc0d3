/*
 * clock: the monotonic clock moves forward, a 100 ms nanosleep takes at least
 * 100 ms (and not absurdly longer: under 5 s, because the nested test guest
 * emulates every instruction and a loaded host may overshoot by far more
 * than 100 ms), and the wall clock is plausible. The output is the same on
 * every correct run.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int64_t ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void)
{
	int bad = 0;

	int64_t a = ns(CLOCK_MONOTONIC), b = a;
	for (int i = 0; i < 1000000 && b == a; i++)
		b = ns(CLOCK_MONOTONIC);
	if (a >= 0 && b > a) {
		puts("monotonic advances");
	} else {
		printf("monotonic stuck: %lld then %lld\n", (long long)a, (long long)b);
		bad = 1;
	}

	/* 2020-01-01T00:00:00Z */
	int64_t now = ns(CLOCK_REALTIME);
	if (now / 1000000000 > 1577836800) {
		puts("realtime after 2020");
	} else {
		printf("realtime is %lld ns\n", (long long)now);
		bad = 1;
	}

	struct timespec req = {0, 100 * 1000000};
	int64_t before = ns(CLOCK_MONOTONIC);
	int rc = nanosleep(&req, NULL);
	int64_t elapsed = ns(CLOCK_MONOTONIC) - before;
	if (rc == 0 && elapsed >= 100000000 && elapsed < 5000000000) {
		puts("slept ok");
	} else {
		printf("nanosleep(100 ms) returned %d after %lld ns\n", rc, (long long)elapsed);
		bad = 1;
	}
	return bad;
}
