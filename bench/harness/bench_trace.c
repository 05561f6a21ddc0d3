/*
 * Where hut's time goes: hut-monitor --trace-boot prints one line per boot
 * phase on stderr,
 *     hut-monitor: trace-boot: <phase> <N> us
 * and this runs it as many times as the measured rounds and keeps the
 * median of each phase, in the order the monitor prints them. These runs
 * are separate from the timed ones: tracing has its own (small) cost.
 */
#include "bench.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACE_PREFIX "hut-monitor: trace-boot: "
#define TRACE_MAX_PHASES 32

struct phase_samples {
	char name[32];
	double *v;
	size_t n;
};

/* Adds "<phase> <N> us" from one line to its phase's samples. */
static void take_line(const char *line, struct phase_samples *ph, size_t *nph, size_t cap)
{
	char name[32];
	double us;
	if (strncmp(line, TRACE_PREFIX, strlen(TRACE_PREFIX)) != 0 ||
	    sscanf(line + strlen(TRACE_PREFIX), "%31s %lf us", name, &us) != 2)
		return;
	size_t i = 0;
	while (i < *nph && strcmp(ph[i].name, name))
		i++;
	if (i == *nph) {
		if (*nph == TRACE_MAX_PHASES)
			return;
		snprintf(ph[i].name, sizeof ph[i].name, "%s", name);
		ph[i].v = builder_xmalloc(cap * sizeof *ph[i].v);
		ph[i].n = 0;
		(*nph)++;
	}
	if (ph[i].n < cap)
		ph[i].v[ph[i].n++] = us;
}

/* One traced run; its trace lines go into ph. Returns the exit status. */
static int traced_run(struct bench_launcher *t, const char *path, struct phase_samples *ph,
		      size_t *nph, size_t cap)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return BENCH_STATUS_NOSTART;
	struct bench_sample s;
	bench_run_once(t, -1, fd, BENCH_TIMEOUT_MS, &s);
	close(fd);
	FILE *f = fopen(path, "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		take_line(line, ph, nph, cap);
	if (f)
		fclose(f);
	return s.status;
}

void bench_trace_boot(struct bench *b)
{
	struct bench_launcher *hut = bench_find(b, "hut");
	if (!hut || hut->na) {
		b->trace_na = "hut not measured";
		return;
	}
	/* The same command line with --trace-boot before the image. */
	struct bench_launcher t = {.name = "hut --trace-boot", .id_slot = -1};
	builder_args_add(&t.argv, hut->argv.v[0]);
	builder_args_add(&t.argv, "--trace-boot");
	for (size_t i = 1; i < hut->argv.n; i++)
		builder_args_add(&t.argv, hut->argv.v[i]);

	size_t cap = (size_t)b->runs, nph = 0;
	struct phase_samples ph[TRACE_MAX_PHASES];
	char *path = builder_temp_file("trace", ".err");
	for (int r = 0; r < b->runs; r++) {
		bench_progress("hut bench: trace-boot %d/%d", r + 1, b->runs);
		int st = traced_run(&t, path, ph, &nph, cap);
		if (st != hut->want_status) {
			b->trace_na = builder_xasprintf("hut-monitor --trace-boot exited %d", st);
			break;
		}
	}
	unlink(path);
	if (!b->trace_na && nph == 0)
		b->trace_na = "hut-monitor printed no trace-boot lines";
	b->phases = builder_xmalloc((nph ? nph : 1) * sizeof *b->phases);
	for (size_t i = 0; i < nph; i++) {
		struct bench_stats st;
		bench_stats(ph[i].v, ph[i].n, &st);
		memcpy(b->phases[i].name, ph[i].name, sizeof b->phases[i].name);
		b->phases[i].median_us = st.median;
		free(ph[i].v);
	}
	b->nphases = b->trace_na ? 0 : nph;
	builder_args_free(&t.argv);
}
