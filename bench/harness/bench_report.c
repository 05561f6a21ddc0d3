/*
 * The table `hut bench` prints: one row per launcher, times in ms, the
 * ratio of each median to hut's, peak RSS and size on disk; a launcher not
 * measured says n/a and why. Then hut's boot phases and the boot storm.
 * Statistics use the successful runs only; failed ones are counted.
 */
#include "bench.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects one field of the successful samples. */
static size_t ok_values(const struct bench_launcher *l, int rss, double *v)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->samples[i].status == l->want_status)
			v[n++] = rss ? (double)l->samples[i].maxrss_kib
				     : (double)l->samples[i].wall_us;
	return n;
}

static void field_stats(const struct bench_launcher *l, int rss, struct bench_stats *st)
{
	double *v = builder_xmalloc((l->n ? l->n : 1) * sizeof *v);
	bench_stats(v, ok_values(l, rss, v), st);
	free(v);
}

void bench_wall_stats(const struct bench_launcher *l, struct bench_stats *st)
{
	field_stats(l, 0, st);
}

double bench_median_us(const struct bench_launcher *l)
{
	struct bench_stats st;
	field_stats(l, 0, &st);
	return st.median;
}

void bench_format_kib(double kib, char *buf, size_t len)
{
	if (kib >= 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", kib / (1024 * 1024));
	else if (kib >= 1024)
		snprintf(buf, len, "%.1f MiB", kib / 1024);
	else
		snprintf(buf, len, "%.0f KiB", kib);
}

static size_t failures(const struct bench_launcher *l)
{
	size_t bad = 0;
	for (size_t i = 0; i < l->n; i++)
		bad += l->samples[i].status != l->want_status;
	return bad;
}

static void row(const struct bench_launcher *l, double hut_median, FILE *f)
{
	struct bench_stats t, m;
	field_stats(l, 0, &t);
	field_stats(l, 1, &m);
	if (l->na || t.n == 0) {
		fprintf(f, "%-11s n/a  %s\n", l->name, l->na ? l->na : "every measured run failed");
		return;
	}
	char ratio[16] = "-", rss[32], disk[32];
	if (hut_median > 0)
		snprintf(ratio, sizeof ratio, "%.2fx", t.median / hut_median);
	bench_format_kib(m.median, rss, sizeof rss);
	bench_format_kib((double)l->disk_bytes / 1024, disk, sizeof disk);
	fprintf(f, "%-11s %9.2f %8.2f %8.2f %8s %10s %10s  %s\n", l->name, t.median / 1000,
		t.min / 1000, t.max / 1000, ratio, rss, disk, l->disk_what);
	size_t bad = failures(l);
	if (bad)
		fprintf(f, "%-11s (%zu of %zu measured runs failed and are left out)\n", "", bad,
			l->n);
}

static void phases(const struct bench *b, FILE *f)
{
	if (b->trace_na) {
		fprintf(f, "\nhut boot phases: n/a  %s\n", b->trace_na);
		return;
	}
	fprintf(f, "\nhut boot phases (hut-monitor --trace-boot, median of %d runs, ms):\n",
		b->runs);
	for (size_t i = 0; i < b->nphases; i++)
		fprintf(f, "  %-16s %8.3f\n", b->phases[i].name, b->phases[i].median_us / 1000);
}

static void storm(const struct bench *b, const char *name, const struct bench_storm *s, FILE *f)
{
	if (!s->done) {
		fprintf(f, "  %-6s n/a  %s not measured\n", name, name);
		return;
	}
	fprintf(f, "  %-6s total %9.2f   p50 %8.2f   p99 %8.2f", name, (double)s->total_us / 1000,
		s->p50_us / 1000, s->p99_us / 1000);
	if (s->failed)
		fprintf(f, "   (%d failed)", s->failed);
	fputc('\n', f);
	(void)b;
}

void bench_report(const struct bench *b, FILE *f)
{
	char *copy = builder_xstrdup(b->image);
	fprintf(f, "hut bench: %s", basename(copy));
	free(copy);
	for (int i = 0; i < b->argc; i++)
		fprintf(f, " %s", b->args[i]);
	char floor[32];
	bench_format_kib((double)b->self_rss_kib, floor, sizeof floor);
	fprintf(f,
		"\n%d runs each, interleaved, after %d warm-up rounds; exec-to-exit wall time "
		"in ms.\npeak RSS: median of wait4's ru_maxrss for the launcher (the largest "
		"single process of\nits tree, not a sum; floor %s, hut-bench's own RSS; a "
		"process that lives\nless than a tick may read 0: the kernel counts RSS per "
		"CPU). on disk: binaries + image.\n\n",
		b->runs, b->warmup, floor);
	fprintf(f, "%-11s %9s %8s %8s %8s %10s %10s\n", "launcher", "median", "min", "max",
		"vs hut", "peak RSS", "on disk");
	struct bench_launcher *hut = bench_find((struct bench *)b, "hut");
	double hut_median = hut && !hut->na ? bench_median_us(hut) : 0;
	for (size_t i = 0; i < b->nl; i++)
		row(&b->l[i], hut_median, f);
	phases(b, f);
	if (b->concurrent > 1) {
		fprintf(f, "\nboot storm: %d launches at once (ms; p50/p99 per launch):\n",
			b->concurrent);
		storm(b, "hut", &b->storm_hut, f);
		storm(b, "crun", &b->storm_crun, f);
	}
	fflush(f);
}
