/*
 * --json FILE: every sample of every launcher, so that figures can be
 * re-analysed without re-running. Times in µs, RSS in KiB, sizes in bytes.
 *
 * { "image": ..., "args": [...], "runs": N, "warmup": N, "self_rss_kib": N,
 *   "launchers": [ { "name", "status": "ok"|"n/a", "reason", "disk_bytes",
 *                    "disk_what", "want_status", "median_us", "min_us",
 *                    "max_us", "samples": [ { "wall_us", "maxrss_kib",
 *                    "status" } ] } ],
 *   "trace_boot": { "<phase>": median_us, ... } | null,
 *   "concurrent": { "k": K, "hut": {...}, "crun": {...} } | null }
 */
#include "bench.h"
#include "json_string.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void launcher(const struct bench_launcher *l, FILE *f)
{
	struct bench_stats st;
	bench_wall_stats(l, &st);
	fputs("    { \"name\": ", f);
	hut_json_string(f, l->name);
	fprintf(f, ", \"status\": \"%s\", \"reason\": ", l->na || !st.n ? "n/a" : "ok");
	if (l->na || !st.n)
		hut_json_string(f, l->na ? l->na : "every measured run failed");
	else
		fputs("null", f);
	fprintf(f, ", \"disk_bytes\": %llu, \"disk_what\": ", (unsigned long long)l->disk_bytes);
	hut_json_string(f, l->disk_what ? l->disk_what : "");
	fprintf(f, ", \"want_status\": %d", l->want_status);
	if (st.n)
		fprintf(f, ", \"median_us\": %.1f, \"min_us\": %.0f, \"max_us\": %.0f", st.median,
			st.min, st.max);
	fputs(",\n      \"samples\": [", f);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s{ \"wall_us\": %lld, \"maxrss_kib\": %ld, \"status\": %d }",
			i ? ", " : "", l->samples[i].wall_us, l->samples[i].maxrss_kib,
			l->samples[i].status);
	fputs("] }", f);
}

static void storm(const char *name, const struct bench_storm *s, FILE *f)
{
	fprintf(f, ", \"%s\": ", name);
	if (!s->done) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{ \"total_us\": %lld, \"p50_us\": %.0f, \"p99_us\": %.0f, \"failed\": %d }",
		s->total_us, s->p50_us, s->p99_us, s->failed);
}

static void trace(const struct bench *b, FILE *f)
{
	fputs("  \"trace_boot\": ", f);
	if (b->trace_na || !b->nphases) {
		fputs("null,\n", f);
		return;
	}
	fputs("{", f);
	for (size_t i = 0; i < b->nphases; i++) {
		fputs(i ? ", " : " ", f);
		hut_json_string(f, b->phases[i].name);
		fprintf(f, ": %.1f", b->phases[i].median_us);
	}
	fputs(" },\n", f);
}

int bench_write_json(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		builder_error(path, "cannot write the samples", strerror(errno));
		return -1;
	}
	fputs("{\n  \"image\": ", f);
	hut_json_string(f, b->image);
	fputs(",\n  \"args\": [", f);
	for (int i = 0; i < b->argc; i++) {
		fputs(i ? ", " : "", f);
		hut_json_string(f, b->args[i]);
	}
	fprintf(f, "],\n  \"runs\": %d, \"warmup\": %d, \"self_rss_kib\": %ld,\n", b->runs,
		b->warmup, b->self_rss_kib);
	fputs("  \"launchers\": [\n", f);
	for (size_t i = 0; i < b->nl; i++) {
		launcher(&b->l[i], f);
		fputs(i + 1 < b->nl ? ",\n" : "\n", f);
	}
	fputs("  ],\n", f);
	trace(b, f);
	fputs("  \"concurrent\": ", f);
	if (b->concurrent > 1) {
		fprintf(f, "{ \"k\": %d", b->concurrent);
		storm("hut", &b->storm_hut, f);
		storm("crun", &b->storm_crun, f);
		fputs(" }\n", f);
	} else {
		fputs("null\n", f);
	}
	fputs("}\n", f);
	if (fclose(f) != 0) {
		builder_error(path, "cannot write the samples", strerror(errno));
		return -1;
	}
	return 0;
}
