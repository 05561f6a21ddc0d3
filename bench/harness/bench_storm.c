/*
 * --concurrent K: a boot storm. K launches of one launcher start back to
 * back, without waiting for each other, and each is timed from its own
 * start to its own exit; the storm's total runs from the first start to the
 * last exit. This is what a host sees when many services start at once.
 */
#include "bench.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct launch {
	pid_t pid;
	long long t0;
	struct bench_sample s;
};

/* Reaps each launch as its pidfd says it ended, so every end time is its
 * own; whatever is left at the deadline is killed. */
static void reap_all(struct launch *v, struct pollfd *p, int k, long long deadline_ns)
{
	int left = 0;
	for (int i = 0; i < k; i++)
		left += p[i].fd >= 0;
	while (left > 0) {
		long long ms = (deadline_ns - bench_now_ns()) / 1000000;
		int n = poll(p, (nfds_t)k, ms > 0 ? (int)ms : 0);
		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < k; i++) {
			if (p[i].fd < 0 || (n > 0 && !p[i].revents))
				continue;
			if (n <= 0)
				kill(-v[i].pid, SIGKILL);
			bench_reap(v[i].pid, n <= 0, v[i].t0, &v[i].s);
			close(p[i].fd);
			p[i].fd = -1;
			left--;
		}
	}
}

void bench_storm(struct bench *b, struct bench_launcher *l, struct bench_storm *out)
{
	if (!l || l->na)
		return;
	int k = b->concurrent;
	struct launch *v = builder_xmalloc((size_t)k * sizeof *v);
	struct pollfd *p = builder_xmalloc((size_t)k * sizeof *p);
	bench_progress("hut bench: %d %s launches at once", k, l->name);
	long long start = bench_now_ns();
	for (int i = 0; i < k; i++) {
		bench_launcher_new_id(l);
		v[i].t0 = bench_now_ns();
		v[i].s = (struct bench_sample){.status = BENCH_STATUS_NOSTART};
		p[i] = (struct pollfd){.fd = -1, .events = POLLIN};
		if (bench_start(l, -1, -1, &v[i].pid, &p[i].fd) == 0 && p[i].fd < 0)
			bench_reap(v[i].pid, 0, v[i].t0, &v[i].s); /* no pidfd: wait now */
	}
	reap_all(v, p, k, start + BENCH_TIMEOUT_MS * 1000000ll);
	out->total_us = (bench_now_ns() - start + 500) / 1000;

	double *wall = builder_xmalloc((size_t)k * sizeof *wall);
	out->failed = 0;
	for (int i = 0; i < k; i++) {
		wall[i] = (double)v[i].s.wall_us;
		out->failed += v[i].s.status != l->want_status;
	}
	struct bench_stats st;
	bench_stats(wall, (size_t)k, &st);
	out->p50_us = st.p50;
	out->p99_us = st.p99;
	out->done = 1;
	free(wall);
	free(p);
	free(v);
}
