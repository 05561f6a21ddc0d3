/*
 * hut-bench, the program behind `hut bench`: one image, every launcher, one
 * run. Shared by the files of bench/harness/ only.
 *
 *   main.c           the program; bench.c: the command line and the order of events
 *   bench_launch.c   the launchers: command lines, bundles, initramfs, sizes
 *   bench_pool.c     the hut-pool launcher's pool, started and stopped
 *   bench_run.c      starting one launch and timing it (exec to exit)
 *   bench_storm.c    --concurrent: K launches at once
 *   bench_trace.c    hut-monitor --trace-boot, median per phase
 *   bench_report.c   the table; bench_json.c, bench_svg.c: the files
 *   bench_progress.c progress on stderr; stats.c: medians and percentiles
 */
#ifndef HUT_BENCH_H
#define HUT_BENCH_H

#include "builder.h"

#include <stdio.h>
#include <sys/types.h>

/* A launch that takes longer is killed and counts as failed; QEMU booting a
 * kernel that dies on kvm-pvm hangs rather than exits. */
#define BENCH_TIMEOUT_MS 10000

/* The shell's status for a launch killed by our timeout, as timeout(1). */
#define BENCH_STATUS_TIMEOUT 124
/* The status for a launch that could not be started at all. */
#define BENCH_STATUS_NOSTART 255

struct bench_sample {
	long long wall_us; /* from just before fork to just after wait4 */
	long maxrss_kib;   /* wait4's ru_maxrss of the direct child */
	int status;	   /* n for exit(n), 128+sig for a signal */
};

struct bench_launcher {
	const char *name;
	struct builder_args argv; /* what runs; argv.v[id_slot] is rewritten */
	int id_slot;		  /* container id position, or -1 */
	int private_cgroup;	  /* run without the cgroup2 `unified` mount */
	const char *runtime;	  /* crun/runc: for `delete -f` after a failure */
	int want_status;	  /* what success looks like */
	int check_output;	  /* stdout must contain the process's stdout */
	uint64_t disk_bytes;	  /* binary + image (+ kernel, initramfs) */
	const char *disk_what;	  /* what disk_bytes counts */
	const char *na;		  /* why it is not measured, or NULL */

	struct bench_sample *samples;
	size_t n, cap;
};

struct bench_storm {
	int done;	    /* measured */
	long long total_us; /* first start to last exit */
	double p50_us, p99_us;
	int failed; /* launches with the wrong status */
};

struct bench_phase {
	char name[32];
	double median_us;
};

struct bench {
	const char *image;
	int argc; /* the image's arguments */
	char *const *args;
	int runs, warmup, concurrent;
	const char *json, *svg;

	struct bench_launcher *l;
	size_t nl;
	struct bench_storm storm_hut, storm_crun;
	struct bench_phase *phases;
	size_t nphases;
	const char *trace_na; /* why there are no phases, or NULL */
	long self_rss_kib;    /* hut-bench's own RSS when it forks (see bench_run.c) */
	char *bundle;	      /* the OCI bundle crun and runc share */
	char *reference;      /* the process launcher's stdout */
};

/* bench.c: the whole command; argv[1] on are its options, IMAGE and ARGs. */
int bench_command(int argc, char **argv);

/* stats.c: summaries of samples */
struct bench_stats {
	size_t n;
	double min, max, median, p50, p99;
};

/* Summarises the n values at v (v itself is left alone). median is the
 * mean of the two middle values for an even n; pNN is the nearest rank
 * (the smallest sample with at least NN% of the samples at or below it).
 * All zero when n is 0. */
void bench_stats(const double *v, size_t n, struct bench_stats *out);
/* The nearest-rank percentile pct (1..100) of n sorted values. */
double bench_percentile(const double *sorted, size_t n, unsigned pct);

/* bench_launch.c */
void bench_launchers_setup(struct bench *b);
/* Gives the launch a fresh container id when it has one. */
void bench_launcher_new_id(struct bench_launcher *l);
/* After a failed container launch: remove what the runtime left behind. */
void bench_launcher_cleanup(struct bench_launcher *l);
struct bench_launcher *bench_find(struct bench *b, const char *name);

/* bench_pool.c: fills in l, the hut-pool launcher, its pool started now
 * from snap (NULL: none, n/a) and stopped by bench_pool_stop (also at exit). */
void bench_pool_setup(struct bench *b, struct bench_launcher *l, const char *mon, const char *snap);
void bench_pool_stop(void);
/* Full path of a program in PATH, or NULL. */
char *bench_which(const char *prog);

/* bench_run.c */
/* Starts l with stdin /dev/null and stdout/stderr on out_fd/err_fd. */
int bench_start(const struct bench_launcher *l, int out_fd, int err_fd, pid_t *pid, int *pidfd);
/* Waits for a started launch (killing it after timeout_ms); fills s. */
void bench_finish(pid_t pid, int pidfd, unsigned timeout_ms, long long t0_ns,
		  struct bench_sample *s);
/* Collects a launch that has ended (or was killed: timed_out). */
void bench_reap(pid_t pid, int timed_out, long long t0_ns, struct bench_sample *s);
/* One launch, timed. */
void bench_run_once(const struct bench_launcher *l, int out_fd, int err_fd, unsigned timeout_ms,
		    struct bench_sample *s);
long long bench_now_ns(void);
/* True when this host mounts cgroup2 at /sys/fs/cgroup/unified beside v1. */
int bench_hybrid_cgroups(void);
/* The kernel's own account of our current RSS, in KiB. */
long bench_self_rss_kib(void);

/* bench_storm.c */
void bench_storm(struct bench *b, struct bench_launcher *l, struct bench_storm *out);

/* bench_trace.c */
void bench_trace_boot(struct bench *b);

/* bench_report.c, bench_json.c, bench_svg.c */
void bench_report(const struct bench *b, FILE *f);
int bench_write_json(const struct bench *b, const char *path);
int bench_write_svg(const struct bench *b, const char *path);
/* The median of l's successful samples' wall time, in µs (0 if none). */
double bench_median_us(const struct bench_launcher *l);
void bench_wall_stats(const struct bench_launcher *l, struct bench_stats *st);
/* "1.2 MiB", "640 KiB" */
void bench_format_kib(double kib, char *buf, size_t len);

/* bench_progress.c: progress on stderr, rewritten in place; bench_progress_done clears it. */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_progress_done(void);

#endif
