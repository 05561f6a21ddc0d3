/*
 * `hut bench [--runs N] [--json FILE] [--svg FILE] [--concurrent K] IMAGE [ARG...]`
 *
 * Runs the same image with the same arguments through every launcher (see
 * bench_launch.c) and prints one table. The order of events:
 *
 *   1. pre-flight: each launcher runs once with its output kept; it must
 *      exit as it should and print what the image prints as a process,
 *      else its row says n/a and why (never a made-up figure);
 *   2. warm-up rounds (not reported) fill the page cache;
 *   3. measured rounds, interleaved (A B C ... A B C ...), so that drift in
 *      the machine's state (frequency, caches, other load) hits all alike;
 *   4. hut-monitor --trace-boot for the per-phase medians, and --concurrent.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_HELP "hut bench --help"
#define BENCH_DEFAULT_RUNS 20
#define BENCH_DEFAULT_WARMUP 2
#define BENCH_MAX_RUNS 100000
#define BENCH_MAX_CONCURRENT 1000
/* What pre-flight keeps of a launch's output: enough for hello and the
 * first lines of a kernel's complaint. */
#define BENCH_OUTPUT_MAX (256 * 1024)

static int help(void)
{
	printf("usage: hut bench [--runs N] [--warmup N] [--json FILE] [--svg FILE]\n"
	       "                 [--concurrent K] IMAGE [ARG...]\n"
	       "\n"
	       "Runs IMAGE with ARGs through every launcher, interleaved after a warm-up,\n"
	       "and prints median/min/max exec-to-exit time, the ratio to hut, peak RSS\n"
	       "and size on disk for each:\n"
	       "  process     the image as a Linux program\n"
	       "  hut         hut-monitor IMAGE\n"
	       "  hut-restore hut-monitor --restore of a snapshot of IMAGE made once at\n"
	       "              its ready point (n/a for an image that never gets there)\n"
	       "  hut-pool    hut-monitor --pool-run, a pool of monitors ready to restore\n"
	       "              that snapshot started first (peak RSS: the client's only)\n"
	       "  namespaces  unshare --fork --pid --mount --uts --ipc --net IMAGE\n"
	       "  crun, runc  an OCI bundle (hut pack) holding only the image\n"
	       "  qemu-linux  QEMU microvm booting /boot's kernel, the image as /init\n"
	       "  qemu-floor  QEMU microvm with a firmware that only powers off\n"
	       "A launcher that is missing or cannot run the image says n/a and why.\n"
	       "\n"
	       "  --runs N        measured rounds (default %d)\n"
	       "  --warmup N      rounds before measuring (default %d)\n"
	       "  --json FILE     every sample, as JSON\n"
	       "  --svg FILE      a bar chart (log scale, min-max whiskers)\n"
	       "  --concurrent K  also start K launches at once, for hut and crun\n"
	       "  --version       the version (hut's release) and ABI\n"
	       "\n"
	       "HUT_BENCH_KERNEL and HUT_BENCH_FLOOR_FW override the kernel and firmware.\n",
	       BENCH_DEFAULT_RUNS, BENCH_DEFAULT_WARMUP);
	return 0;
}

static int version(void)
{
	printf("hut-bench %s (ABI %d)\n", HUT_VERSION, HUT_ABI_VERSION);
	return 0;
}

static int count_arg(const char *opt, const char *s, int min, int max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		char *why = builder_xasprintf("a number from %d to %d", min, max);
		builder_usage_error(opt, why, BENCH_HELP);
	}
	return (int)v;
}

/* Parses options; returns the index of IMAGE. */
static int parse(struct bench *b, int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		int has = i + 1 < argc;
		if (!strcmp(o, "-h") || !strcmp(o, "--help"))
			exit(help());
		else if (!strcmp(o, "-V") || !strcmp(o, "--version"))
			exit(version());
		else if (!strcmp(o, "--"))
			return i + 1;
		else if (!strcmp(o, "--runs") && has)
			b->runs = count_arg(o, argv[++i], 1, BENCH_MAX_RUNS);
		else if (!strcmp(o, "--warmup") && has)
			b->warmup = count_arg(o, argv[++i], 0, BENCH_MAX_RUNS);
		else if (!strcmp(o, "--concurrent") && has)
			b->concurrent = count_arg(o, argv[++i], 1, BENCH_MAX_CONCURRENT);
		else if (!strcmp(o, "--json") && has)
			b->json = argv[++i];
		else if (!strcmp(o, "--svg") && has)
			b->svg = argv[++i];
		else
			builder_usage_error(o, "unknown option or missing value", BENCH_HELP);
	}
	return i;
}

/* Reads back what a pre-flight launch wrote to fd. */
static char *read_back(int fd)
{
	char *buf = builder_xmalloc(BENCH_OUTPUT_MAX + 1);
	ssize_t n = pread(fd, buf, BENCH_OUTPUT_MAX, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int temp_fd(const char *name)
{
	char *path = builder_temp_file(name, ".out");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		builder_die(1, path, "cannot create", strerror(errno));
	return fd;
}

/* The last non-empty line of s, cut short: a failure's likely reason. */
static char *last_line(const char *s)
{
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	const char *start = end;
	while (start > s && start[-1] != '\n')
		start--;
	int len = (int)(end - start) > 100 ? 100 : (int)(end - start);
	return builder_xasprintf("%.*s", len, start);
}

/* Why a pre-flight run does not count, or NULL when it does. */
static const char *preflight_verdict(const struct bench *b, const struct bench_launcher *l,
				     const struct bench_sample *s, const char *out, const char *err)
{
	int is_qemu_linux = !strcmp(l->name, "qemu-linux");
	if (s->status == BENCH_STATUS_TIMEOUT && is_qemu_linux)
		return builder_xasprintf("guest kernel did not boot: no exit within %d s%s",
					 BENCH_TIMEOUT_MS / 1000,
					 access("/sys/module/kvm_pvm", F_OK) == 0
						 ? " (this /dev/kvm is kvm-pvm, where a stock "
						   "Linux kernel does not boot)"
						 : "");
	if (s->status == BENCH_STATUS_TIMEOUT)
		return builder_xasprintf("hung (killed after %d s)", BENCH_TIMEOUT_MS / 1000);
	if (s->status == BENCH_STATUS_NOSTART)
		return builder_xasprintf("could not start %s", l->argv.v[0]);
	if (s->status != l->want_status) {
		const char *tail = *err ? err : out;
		return builder_xasprintf("exit %d, expected %d: %s", s->status, l->want_status,
					 last_line(tail));
	}
	if (l->check_output && b->reference && !strstr(out, b->reference))
		return is_qemu_linux ? "guest kernel did not run the image (its output is missing)"
				     : "printed something other than the process does";
	return NULL;
}

/* Runs l once with its output kept, and decides whether it can be measured. */
static void preflight(struct bench *b, struct bench_launcher *l)
{
	if (l->na)
		return;
	bench_progress("hut bench: pre-flight %s", l->name);
	int out_fd = temp_fd(l->name), err_fd = temp_fd(l->name);
	struct bench_sample s;
	bench_launcher_new_id(l);
	bench_run_once(l, out_fd, err_fd, BENCH_TIMEOUT_MS, &s);
	char *out = read_back(out_fd), *err = read_back(err_fd);
	close(out_fd);
	close(err_fd);
	if (!strcmp(l->name, "process")) {
		/* The process's own run is the yardstick for the others. */
		if (s.status == BENCH_STATUS_NOSTART || s.status == BENCH_STATUS_TIMEOUT)
			l->na = preflight_verdict(b, l, &s, out, err);
		l->want_status = s.status;
		b->reference = out;
		for (size_t i = 0; i < b->nl; i++)
			if (strcmp(b->l[i].name, "qemu-floor") &&
			    strcmp(b->l[i].name, "qemu-linux"))
				b->l[i].want_status = s.status;
		return;
	}
	l->na = preflight_verdict(b, l, &s, out, err);
	if (l->na)
		bench_launcher_cleanup(l);
	free(out);
	free(err);
}

static void add_sample(struct bench_launcher *l, const struct bench_sample *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->samples = realloc(l->samples, l->cap * sizeof *l->samples);
		if (!l->samples)
			builder_die(1, "memory", "cannot allocate", "out of memory");
	}
	l->samples[l->n++] = *s;
}

static void round_robin(struct bench *b)
{
	for (int r = -b->warmup; r < b->runs; r++) {
		for (size_t i = 0; i < b->nl; i++) {
			struct bench_launcher *l = &b->l[i];
			if (l->na)
				continue;
			if (r < 0)
				bench_progress("hut bench: warm-up %d/%d  %s", r + b->warmup + 1,
					       b->warmup, l->name);
			else
				bench_progress("hut bench: run %d/%d  %s", r + 1, b->runs, l->name);
			struct bench_sample s;
			bench_launcher_new_id(l);
			bench_run_once(l, -1, -1, BENCH_TIMEOUT_MS, &s);
			if (s.status != l->want_status)
				bench_launcher_cleanup(l);
			if (r >= 0)
				add_sample(l, &s);
		}
	}
}

static void remove_bundle(const struct bench *b)
{
	if (!b->bundle)
		return;
	struct builder_args rm = {0};
	builder_args_add(&rm, "rm");
	builder_args_add(&rm, "-rf");
	builder_args_add(&rm, b->bundle);
	builder_run(&rm);
	builder_args_free(&rm);
}

int bench_command(int argc, char **argv)
{
	struct bench b = {.runs = BENCH_DEFAULT_RUNS, .warmup = BENCH_DEFAULT_WARMUP};
	int i = parse(&b, argc, argv);
	if (i >= argc)
		builder_usage_error("bench", "no IMAGE given", BENCH_HELP);
	b.image = argv[i];
	b.args = argv + i + 1;
	b.argc = argc - i - 1;
	if (access(b.image, X_OK) != 0)
		builder_die(127, b.image, "cannot run the image", strerror(errno));
	/* Paths in argv must survive a chdir-free exec from anywhere. */
	char *abs = realpath(b.image, NULL);
	if (abs)
		b.image = abs;

	bench_launchers_setup(&b);
	for (size_t k = 0; k < b.nl; k++)
		preflight(&b, &b.l[k]);
	b.self_rss_kib = bench_self_rss_kib();
	round_robin(&b);
	bench_trace_boot(&b);
	if (b.concurrent > 1) {
		bench_storm(&b, bench_find(&b, "hut"), &b.storm_hut);
		bench_storm(&b, bench_find(&b, "crun"), &b.storm_crun);
	}
	bench_progress_done();
	bench_pool_stop();
	remove_bundle(&b);

	bench_report(&b, stdout);
	int rc = 0;
	if (b.json && bench_write_json(&b, b.json) != 0)
		rc = 1;
	if (b.svg && bench_write_svg(&b, b.svg) != 0)
		rc = 1;
	return rc;
}
