/*
 * The fd table: numbers to open file descriptions, lowest free number
 * first, as POSIX requires. close, dup, dup2 and dup3 live here.
 */
#include "file.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>

struct fd_slot {
	struct hut_file *file;
	uint8_t cloexec;
};

static struct fd_slot table[HUT_FD_MAX];
static int table_ready; /* fds 0-2 are set at the first use, not at boot */

static void ensure_table(void)
{
	if (!table_ready) {
		table_ready = 1;
		for (int fd = 0; fd <= 2; fd++)
			table[fd].file = hut_console_open(fd);
	}
}

struct hut_file *hut_file_new(const struct hut_file_ops *ops, uint32_t flags, uint32_t kind)
{
	struct hut_file *f = hut_kalloc(sizeof *f);
	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->kind = kind;
	return f;
}

long hut_anon_inode_stat(struct hut_file *f, struct stat *st)
{
	hut_memset(st, 0, sizeof *st);
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
	st->st_blksize = HUT_PAGE_SIZE;
	return 0;
}

void hut_file_ref(struct hut_file *f)
{
	f->refs++;
}

void hut_file_unref(struct hut_file *f)
{
	if (--f->refs > 0)
		return;
	hut_lock_file_released(f);
	if (f->epoll_watches)
		hut_epoll_file_gone(f);
	if (f->ops->release)
		f->ops->release(f);
	hut_kfree(f->path, f->path_len + 1);
	hut_kfree(f, sizeof *f);
}

struct hut_file *hut_fd_file(long fd)
{
	ensure_table();
	return fd >= 0 && fd < HUT_FD_MAX ? table[fd].file : NULL;
}

long hut_fd_install(struct hut_file *f, long min, int cloexec)
{
	ensure_table();
	for (long fd = min < 0 ? 0 : min; fd < HUT_FD_MAX; fd++) {
		if (!table[fd].file) {
			table[fd] = (struct fd_slot){f, (uint8_t)(cloexec != 0)};
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
	hut_lock_file_closed(f);
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

HUT_SYSCALL(close)
{
	return hut_fd_close(a0);
}

HUT_SYSCALL(dup)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f)
		return -EBADF;
	hut_file_ref(f);
	return hut_fd_install(f, 0, 0);
}

/* dup2 and dup3: newfd is closed first, silently, as Linux does. */
static long dup_to(long oldfd, long newfd, int cloexec)
{
	struct hut_file *f = hut_fd_file(oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= HUT_FD_MAX)
		return -EBADF;
	if (table[newfd].file)
		hut_fd_close(newfd);
	hut_file_ref(f);
	table[newfd] = (struct fd_slot){f, (uint8_t)cloexec};
	return newfd;
}

HUT_SYSCALL(dup2)
{
	if (a0 == a1)
		return hut_fd_file(a0) ? a1 : -EBADF;
	return dup_to(a0, a1, 0);
}

HUT_SYSCALL(dup3)
{
	if (a2 & ~O_CLOEXEC)
		return -EINVAL;
	if (a0 == a1)
		return -EINVAL;
	return dup_to(a0, a1, (a2 & O_CLOEXEC) != 0);
}
