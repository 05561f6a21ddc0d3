/*
 * The stats module: --stats FILE, a regular file the monitor maps at start
 * (the sandbox allows no open later) and keeps up to date with the guest's
 * process counts (include/hut/stats.h): before each sleep of the guest
 * (the poll hypercall: a busy guest's counts move in its memory without
 * exits, an idle one's are current) and at its end. hut-oci passes it so
 * that `hut-oci state` can show them. No syscall after start: stores into
 * a shared mapping.
 */
#include "../monitor.h"

#include <hut/stats.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *path;	 /* --stats's FILE, or NULL */
static struct hut_stats *shared; /* its mapping */

static const char *stats_option(const char *value)
{
	path = value;
	return NULL;
}

static void stats_open(struct hut_vm *vm)
{
	struct stat st;
	if (!path)
		return;
	int fd = open(path, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot open stats file %s (%s)", path,
			 hut_limit_text(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || ftruncate(fd, sizeof *shared) != 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "stats file %s is not a regular file we may size",
			 path);
	void *m = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot map stats file %s (%s)", path,
			 hut_limit_text(errno));
	shared = m;
	*shared = (struct hut_stats){HUT_STATS_MAGIC, 0, 1};
}

static void copy_counts(const struct hut_vm *vm)
{
	const struct hut_signal_box *box =
		shared ? hut_gpa(&vm->mem, vm->signals_gpa, sizeof *box) : NULL;
	if (!box)
		return;
	shared->processes_made = box->forks;
	shared->processes_max = box->procs_max ? box->procs_max : 1;
}

static bool stats_before_sleep(struct hut_vm *vm, const struct hut_hc_poll *hc)
{
	(void)hc;
	copy_counts(vm);
	return false;
}

static void stats_end(const struct hut_vm *vm, bool libos_closed)
{
	(void)libos_closed;
	copy_counts(vm);
}

static const struct hut_option options[] = {
	{"--stats", NULL, true, stats_option},
};

static const char usage[] =
	"  --stats FILE    keep the guest's process counts in FILE (include/hut/stats.h;\n"
	"                  hut-oci state shows them)\n";

const struct hut_module hut_module_stats = {
	.name = "stats",
	.usage = usage,
	HUT_MODULE_OPTIONS(options),
	.prepare = stats_open,
	.wake_now = stats_before_sleep,
	.end = stats_end,
};
