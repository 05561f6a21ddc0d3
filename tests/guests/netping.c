/*
 * netping: the libos's TCP/IP stack (lwIP on the rings) before any socket
 * exists: boots it and keeps it running for S seconds (`netping.hut S`), so
 * the host side can ARP and ping the guest's --ip address. For
 * tests/integration/netping.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* libos/net/net.h */
void hut_net_boot(void);
int hut_net_poll(void);
void hut_net_idle(uint64_t max_ns);

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t end = now_ns() + (uint64_t)(argc > 1 ? atol(argv[1]) : 10) * 1000000000u;
	long frames = 0;
	hut_net_boot();
	printf("up\n");
	fflush(stdout);
	for (uint64_t t = now_ns(); t < end; t = now_ns()) {
		frames += hut_net_poll();
		hut_net_idle(end - t);
	}
	printf("frames in: %ld\n", frames);
	return 0;
}
