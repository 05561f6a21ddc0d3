/*
 * The fd table: numbers to open file descriptions, lowest free number
 * first, as POSIX requires. fd/fdcalls.c has close, dup and the rest.
 * Each process has its own (proc/process.h): the running one's is here,
 * the others' are saved with their process; fork gives the child the same
 * open file descriptions, and a process's end closes its fds.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>

struct fd_slot {
	struct hut_file *file;
	uint8_t cloexec;
};

static struct fd_slot table[HUT_FD_MAX];
static int table_ready; /* fds 0-2 are set at the first use, not at boot */
static long top = 3;	/* no fd at or above it has been used */

static void ensure_table(void)
{
	if (!table_ready) {
		table_ready = 1;
		for (int fd = 0; fd <= 2; fd++)
			table[fd].file = hut_console_open(fd);
	}
}

static struct hut_hooks close_hooks;

void hut_fd_on_close(hut_hook_fn hook)
{
	hut_hooks_add(&close_hooks, hook);
}

struct hut_file *hut_fd_file(long fd)
{
	ensure_table();
	return fd >= 0 && fd < HUT_FD_MAX ? table[fd].file : NULL;
}

long hut_fd_top(void)
{
	return top;
}

/* Below the soft RLIMIT_NOFILE (never above the table): fds already open
 * above a lowered limit stay usable, new ones are not given there. */
static long fd_limit(void)
{
	uint64_t limit = hut_rlimit_nofile();
	return limit < HUT_FD_MAX ? (long)limit : HUT_FD_MAX;
}

long hut_fd_install(struct hut_file *f, long min, int cloexec)
{
	ensure_table();
	long limit = fd_limit();
	for (long fd = min < 0 ? 0 : min; fd < limit; fd++) {
		if (!table[fd].file) {
			table[fd] = (struct fd_slot){f, (uint8_t)(cloexec != 0)};
			if (fd >= top)
				top = fd + 1;
			return fd;
		}
	}
	hut_file_unref(f);
	return -EMFILE;
}

long hut_fd_close(long fd)
{
	struct hut_file *f = hut_fd_file(fd);
	if (!f)
		return -EBADF;
	table[fd].file = NULL;
	hut_hooks_run(&close_hooks, f);
	hut_file_unref(f);
	return 0;
}

int hut_fd_cloexec(long fd)
{
	return table[fd].cloexec;
}

void hut_fd_set_cloexec(long fd, int on)
{
	table[fd].cloexec = (uint8_t)(on != 0);
}

long hut_fd_dup_to(long oldfd, long newfd, int cloexec)
{
	struct hut_file *f = hut_fd_file(oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	if (table[newfd].file)
		hut_fd_close(newfd);
	hut_file_ref(f);
	table[newfd] = (struct fd_slot){f, (uint8_t)cloexec};
	if (newfd >= top)
		top = newfd + 1;
	return newfd;
}

/* exec: the fds marked close-on-exec close. */
void hut_fd_close_on_exec(void)
{
	ensure_table();
	for (long fd = 0; fd < HUT_FD_MAX; fd++)
		if (table[fd].file && table[fd].cloexec)
			hut_fd_close(fd);
}

/* ---- one table per process ------------------------------------------------ */

static void save_table(void *to)
{
	ensure_table();
	hut_memcpy(to, table, sizeof table);
}

static void load_table(const void *from)
{
	hut_memcpy(table, from, sizeof table);
}

static void fork_table(void *child)
{
	ensure_table();
	struct fd_slot *copy = child;
	for (int fd = 0; fd < HUT_FD_MAX; fd++) {
		copy[fd] = table[fd];
		if (table[fd].file)
			hut_file_ref(table[fd].file);
	}
}

static void close_all(void)
{
	for (int fd = 0; fd < HUT_FD_MAX; fd++)
		if (table[fd].file)
			hut_fd_close(fd);
}

static const struct hut_proc_state_ops table_ops = {
	sizeof table, save_table, load_table, fork_table, close_all,
};

void hut_fd_init(void)
{
	hut_proc_state_register(&table_ops);
}
