/*
 * Summaries of benchmark samples: min, max, median and nearest-rank
 * percentiles. Benchmarks report medians because one stalled run (another
 * process, a page-cache miss) moves a mean but not a median.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_percentile(const double *sorted, size_t n, unsigned pct)
{
	if (n == 0)
		return 0;
	/* Nearest rank: ceil(pct/100 * n), counted from 1, in integers so that
	 * 50% of 10 samples is exactly rank 5. */
	size_t rank = (pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank <= n ? rank - 1 : n - 1];
}

void bench_stats(const double *v, size_t n, struct bench_stats *out)
{
	memset(out, 0, sizeof *out);
	if (n == 0)
		return;
	double *s = builder_xmalloc(n * sizeof *s);
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	out->p50 = bench_percentile(s, n, 50);
	out->p99 = bench_percentile(s, n, 99);
	free(s);
}
