/*
 * --svg FILE: one horizontal bar per launcher, readable at a glance. The
 * axis is logarithmic because the launchers span three orders of magnitude
 * (a process in under a millisecond, a VM in tens to hundreds); the bar
 * ends at the median, a whisker spans min to max, and the median is
 * written beside it. Launchers not measured get a grey "n/a: why" line.
 */
#include "bench.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVG_W 900
#define SVG_ROW 34
#define SVG_TOP 56
#define SVG_LEFT 110  /* launcher names */
#define SVG_RIGHT 760 /* end of the plot; labels after it */
#define SVG_LN10 2.302585092994046
#define SVG_LN2 0.6931471805599453

/* log10 without libm (hut links none): x = m * 2^k with m in [1, 2), and
 * ln m = 2 atanh((m-1)/(m+1)) as a series that converges quickly there. */
static double svg_log10(double x)
{
	if (x <= 0)
		return 0;
	int k = 0;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	while (x < 1) {
		x *= 2;
		k--;
	}
	double y = (x - 1) / (x + 1), y2 = y * y, term = y, sum = 0;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return (2 * sum + k * SVG_LN2) / SVG_LN10;
}

struct axis {
	int lo, hi; /* decades of µs: 10^lo .. 10^hi */
};

static double xpos(const struct axis *a, double us)
{
	double t = (svg_log10(us < 1 ? 1 : us) - a->lo) / (a->hi - a->lo);
	return SVG_LEFT + t * (SVG_RIGHT - SVG_LEFT);
}

/* The decades that hold every measured min and max. */
static struct axis axis_for(const struct bench *b)
{
	double lo = 0, hi = 0;
	for (size_t i = 0; i < b->nl; i++) {
		struct bench_stats st;
		bench_wall_stats(&b->l[i], &st);
		if (b->l[i].na || !st.n)
			continue;
		if (lo == 0 || st.min < lo)
			lo = st.min;
		if (st.max > hi)
			hi = st.max;
	}
	struct axis a = {2, 5}; /* 0.1 ms .. 100 ms when nothing was measured */
	if (hi > 0) {
		a.lo = (int)svg_log10(lo < 1 ? 1 : lo);
		a.hi = (int)svg_log10(hi) + 1;
	}
	return a;
}

static void grid(FILE *f, const struct axis *a, int height)
{
	for (int d = a->lo; d <= a->hi; d++) {
		double us = 1;
		for (int i = 0; i < d; i++)
			us *= 10;
		double x = xpos(a, us);
		fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>\n", x,
			SVG_TOP - 8, x, height - 24);
		fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' fill='#666'>%g ms</text>\n",
			x, height - 8, us / 1000);
	}
}

static void bar(FILE *f, const struct axis *a, const struct bench_launcher *l, int y)
{
	fprintf(f, "<text x='%d' y='%d' text-anchor='end'>%s</text>\n", SVG_LEFT - 8, y + 17,
		l->name);
	struct bench_stats st;
	bench_wall_stats(l, &st);
	if (l->na || !st.n) {
		fputs("<text x='118' y='", f);
		fprintf(f, "%d' fill='#999'>n/a: ", y + 17);
		for (const char *p = l->na ? l->na : "every run failed"; *p; p++) {
			if (*p == '<')
				fputs("&lt;", f);
			else if (*p == '&')
				fputs("&amp;", f);
			else
				fputc(*p, f);
		}
		fputs("</text>\n", f);
		return;
	}
	const char *color = !strcmp(l->name, "hut") ? "#d9822b" : "#4a7fb0";
	double xm = xpos(a, st.median), x0 = xpos(a, st.min), x1 = xpos(a, st.max);
	fprintf(f, "<rect x='%d' y='%d' width='%.1f' height='20' fill='%s'/>\n", SVG_LEFT, y + 3,
		xm - SVG_LEFT, color);
	fprintf(f, "<path d='M%.1f %d V%d M%.1f %d H%.1f M%.1f %d V%d' stroke='#222'/>\n", x0,
		y + 7, y + 19, x0, y + 13, x1, x1, y + 7, y + 19);
	fprintf(f, "<text x='%.1f' y='%d'>%.2f ms</text>\n", (x1 > xm ? x1 : xm) + 6, y + 17,
		st.median / 1000);
}

int bench_write_svg(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		builder_error(path, "cannot write the chart", strerror(errno));
		return -1;
	}
	int height = SVG_TOP + (int)b->nl * SVG_ROW + 32;
	struct axis a = axis_for(b);
	char *copy = builder_xstrdup(b->image);
	fprintf(f,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
		"font-family='sans-serif' font-size='13'>\n"
		"<rect width='100%%' height='100%%' fill='white'/>\n"
		"<text x='10' y='22' font-size='16' font-weight='bold'>hut bench: %s</text>\n"
		"<text x='10' y='42' fill='#555'>exec-to-exit wall time, log scale; bar = median "
		"of %d runs, whisker = min-max</text>\n",
		SVG_W, height, basename(copy), b->runs);
	free(copy);
	grid(f, &a, height);
	for (size_t i = 0; i < b->nl; i++)
		bar(f, &a, &b->l[i], SVG_TOP + (int)i * SVG_ROW);
	fputs("</svg>\n", f);
	if (fclose(f) != 0) {
		builder_error(path, "cannot write the chart", strerror(errno));
		return -1;
	}
	return 0;
}
