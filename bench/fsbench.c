/*
 * fsbench: file-system figures for one directory, the same image run as a
 * process and as an appliance (bench/files.sh runs it both ways). Each line
 * is "NAME VALUE UNIT".
 *
 *   fsbench seq DIR MIB REQ     write MIB MiB in REQ-byte requests (then one
 *                               fsync), read them back: MiB/s each way
 *   fsbench small DIR N ROUNDS  N files of 1 KiB, then ROUNDS passes of
 *                               open+read+close over them: operations/s
 *   fsbench small-read DIR N ROUNDS  the same over DIR/small-0..N-1 as they are
 *   fsbench fsync DIR N         N times: append 4 KiB and fsync: µs each
 *                               (median, and the mean)
 *   fsbench read FILE REQ TIMES read FILE TIMES times in REQ-byte requests: MiB/s
 *
 * The clock is CLOCK_MONOTONIC; the appliance reads it from the TSC.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int die(const char *what)
{
	perror(what);
	return 1;
}

static int seq(const char *dir, long mib, long req)
{
	char path[4096];
	char *buf = malloc((size_t)req);
	long total = mib << 20;
	if (!buf)
		return die("malloc");
	memset(buf, 'q', (size_t)req);
	snprintf(path, sizeof path, "%s/fsbench-seq", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return die(path);
	double t0 = now();
	for (long done = 0; done < total; done += req)
		if (write(fd, buf, (size_t)req) != req)
			return die("write");
	if (fsync(fd) != 0)
		return die("fsync");
	double t1 = now();
	lseek(fd, 0, SEEK_SET);
	for (long done = 0; done < total; done += req)
		if (read(fd, buf, (size_t)req) != req)
			return die("read");
	double t2 = now();
	printf("seq-write-%ld %.1f MiB/s\n", req, (double)mib / (t1 - t0));
	printf("seq-read-%ld %.1f MiB/s\n", req, (double)mib / (t2 - t1));
	close(fd);
	unlink(path);
	free(buf);
	return 0;
}

/* ROUNDS passes of open+read+close over DIR/small-0..N-1. */
static int small_read(const char *dir, int n, int rounds)
{
	char path[4096], buf[1024];
	double t0 = now();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++) {
			snprintf(path, sizeof path, "%s/small-%d", dir, i);
			int fd = open(path, O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof buf) != sizeof buf)
				return die(path);
			close(fd);
		}
	double t1 = now();
	printf("small-open-read-close %.0f ops/s\n", (double)n * rounds / (t1 - t0));
	return 0;
}

static int small(const char *dir, int n, int rounds)
{
	char path[4096], buf[1024];
	memset(buf, 's', sizeof buf);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/small-%d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf)
			return die(path);
		close(fd);
	}
	int r = small_read(dir, n, rounds);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/small-%d", dir, i);
		unlink(path);
	}
	return r;
}

static int read_file(const char *path, long req, int times)
{
	char *buf = malloc((size_t)req);
	long total = 0;
	ssize_t n;
	if (!buf)
		return die("malloc");
	double t0 = now();
	for (int t = 0; t < times; t++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return die(path);
		while ((n = read(fd, buf, (size_t)req)) > 0)
			total += n;
		close(fd);
	}
	double t1 = now();
	printf("read-%ld %.1f MiB/s\n", req, (double)total / (1 << 20) / (t1 - t0));
	free(buf);
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int fsyncs(const char *dir, int n)
{
	char path[4096], buf[4096];
	double *us = malloc((size_t)n * sizeof *us), sum = 0;
	memset(buf, 'f', sizeof buf);
	snprintf(path, sizeof path, "%s/fsbench-fsync", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd < 0 || !us)
		return die(path);
	for (int i = 0; i < n; i++) {
		if (write(fd, buf, sizeof buf) != sizeof buf)
			return die("write");
		double t0 = now();
		if (fsync(fd) != 0)
			return die("fsync");
		us[i] = (now() - t0) * 1e6;
		sum += us[i];
	}
	qsort(us, (size_t)n, sizeof *us, by_value);
	printf("fsync-median %.1f us\n", us[n / 2]);
	printf("fsync-mean %.1f us\n", sum / n);
	close(fd);
	unlink(path);
	free(us);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "seq"))
		return seq(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "small"))
		return small(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "small-read"))
		return small_read(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "fsync"))
		return fsyncs(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "read"))
		return read_file(argv[2], atol(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: fsbench seq DIR MIB REQ | small DIR N ROUNDS | small-read DIR N "
			"ROUNDS | fsync DIR N | read FILE REQ TIMES\n");
	return 2;
}
