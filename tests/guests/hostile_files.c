/*
 * hostile_files: a guest that abuses the file hypercall and the libos's
 * path handling on purpose, one case per run (`hostile_files.hut CASE`, with
 * `--volume DIR:/data`; `hostile_files.hut --ring CASE`: its file requests
 * through the file ring instead of the hypercall). Every case must get an errno (or, for the ways
 * out, a refusal) and the monitor must go on: each case checks its result
 * itself and prints "ok CASE RESULT" (exit 0) or "WRONG CASE RESULT".
 * tests/integration/hostile.sh runs them all, also under ASan.
 */
#include <errno.h>
#include <fcntl.h>
#include <hut/abi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "raw_file.h"

extern const struct hut_boot_info *hut_boot_info;

static char buf[256];
static const char text[] = "0123456789";

static int64_t lstat_path(const char *path)
{
	return file_call(on(HUT_FILE_LSTAT, path));
}

/* A handle on a fresh file holding text, or a negative errno. */
static int64_t new_file(const char *name)
{
	struct hut_hc_file f = on(HUT_FILE_OPEN, name);
	f.flags = O_RDWR | O_CREAT | O_TRUNC;
	f.mode = 0600;
	int64_t r = file_call(f);
	if (r < 0)
		return r;
	uint32_t h = fh.handle;
	struct hut_iovec iov = {(uint64_t)text, sizeof text};
	f = (struct hut_hc_file){
		.op = HUT_FILE_WRITE, .handle = h, .buf = (uint64_t)&iov, .len = 1};
	r = file_call(f);
	return r < 0 ? r : (int64_t)h;
}

/* READ of handle h into one iovec. */
static int64_t read_into(int64_t h, uint64_t base, uint64_t len, uint64_t iovcnt, uint64_t off)
{
	static struct hut_iovec iov;
	if (h < 0)
		return h;
	iov = (struct hut_iovec){base, len};
	return file_call((struct hut_hc_file){.op = HUT_FILE_READ,
					      .handle = (uint32_t)h,
					      .buf = (uint64_t)&iov,
					      .len = iovcnt,
					      .offset = off});
}

/* --- paths ------------------------------------------------------------------ */
static int64_t root_ok(void)
{
	return lstat_path("");
}
static int64_t bad_volume(void)
{
	struct hut_hc_file f = on(HUT_FILE_LSTAT, "");
	f.volume = 7;
	return file_call(f);
}
static int64_t dotdot(void)
{
	return lstat_path("../etc");
}
static int64_t dotdot_inside(void)
{
	return lstat_path("a/../../etc");
}
static int64_t trailing_dotdot(void)
{
	return lstat_path("a/..");
}
static int64_t absolute(void)
{
	return lstat_path("/etc/passwd");
}
static int64_t dot(void)
{
	return lstat_path("./x");
}
static int64_t double_slash(void)
{
	return lstat_path("a//b");
}
static int64_t trailing_slash(void)
{
	return lstat_path("a/");
}
static int64_t nul_inside(void)
{
	struct hut_hc_file f = on(HUT_FILE_LSTAT, "ab");
	f.path = (uint64_t) "a\0b";
	f.path_len = 3;
	return file_call(f);
}
static int64_t path_huge(void)
{
	struct hut_hc_file f = on(HUT_FILE_LSTAT, "a");
	f.path_len = 1ull << 40;
	return file_call(f);
}
static int64_t path_out_of_ram(void)
{
	struct hut_hc_file f = on(HUT_FILE_LSTAT, "a");
	f.path = hut_boot_info->mem_size - 2;
	f.path_len = 8;
	return file_call(f);
}
static int64_t path_in_pagetables(void)
{
	struct hut_hc_file f = on(HUT_FILE_LSTAT, "a");
	f.path = HUT_PAGETABLE_GPA;
	f.path_len = 8;
	return file_call(f);
}
static int64_t path_wraps(void)
{
	struct hut_hc_file f = on(HUT_FILE_LSTAT, "a");
	f.path = UINT64_MAX - 3;
	f.path_len = 8;
	return file_call(f);
}

/* --- symlinks the monitor must never follow ------------------------------------- */
static int64_t link_then(const char *target, const char *open_path)
{
	struct hut_hc_file f = on(HUT_FILE_SYMLINK, "esc");
	f.path2 = (uint64_t)target;
	f.path2_len = strlen(target);
	unlink("/data/esc");
	int64_t r = file_call(f);
	if (r < 0)
		return r;
	f = on(HUT_FILE_OPEN, open_path);
	f.flags = O_RDONLY;
	return file_call(f);
}
static int64_t symlink_abs(void)
{
	return link_then("/etc/passwd", "esc");
}
static int64_t symlink_up(void)
{
	return link_then("..", "esc/etc/passwd");
}
static int64_t symlink_proc(void)
{
	return link_then("/proc/self/root", "esc/etc/passwd");
}
static int64_t symlink_fd(void)
{
	return link_then("/proc/self/fd/0", "esc");
}
static int64_t symlink_target_bad(void)
{
	struct hut_hc_file f = on(HUT_FILE_SYMLINK, "esc2");
	f.path2 = HUT_GDT_GPA;
	f.path2_len = 8;
	return file_call(f);
}

/* --- handles and buffers ---------------------------------------------------- */
static int64_t handle_huge(void)
{
	return file_call((struct hut_hc_file){.op = HUT_FILE_STAT, .handle = UINT32_MAX});
}
static int64_t handle_unused(void)
{
	return file_call((struct hut_hc_file){.op = HUT_FILE_STAT, .handle = 1000});
}
static int64_t handle_closed(void)
{
	int64_t h = new_file("f");
	if (h < 0)
		return h;
	file_call((struct hut_hc_file){.op = HUT_FILE_CLOSE, .handle = (uint32_t)h});
	return read_into(h, (uint64_t)buf, sizeof buf, 1, 0);
}
static int64_t read_ok(void)
{
	return read_into(new_file("f"), (uint64_t)buf, sizeof buf, 1, 0);
}
static int64_t read_into_text(void)
{
	return read_into(new_file("f"), (uint64_t)file_call, 16, 1, 0);
}
static int64_t read_into_rodata(void)
{
	return read_into(new_file("f"), (uint64_t)text, 4, 1, 0);
}
static int64_t read_into_bootinfo(void)
{
	return read_into(new_file("f"), HUT_BOOTINFO_GPA, 16, 1, 0);
}
static int64_t read_past_ram(void)
{
	return read_into(new_file("f"), hut_boot_info->mem_size - 4, 16, 1, 0);
}
static int64_t read_iovcnt_huge(void)
{
	return read_into(new_file("f"), (uint64_t)buf, 4, 1u << 20, 0);
}
static int64_t read_offset_huge(void)
{
	return read_into(new_file("f"), (uint64_t)buf, 4, 1, 1ull << 63);
}
static int64_t write_from_gdt(void)
{
	static struct hut_iovec iov = {HUT_GDT_GPA, 8};
	int64_t h = new_file("f");
	if (h < 0)
		return h;
	return file_call((struct hut_hc_file){
		.op = HUT_FILE_WRITE, .handle = (uint32_t)h, .buf = (uint64_t)&iov, .len = 1});
}
static int64_t getdents_into_rodata(void)
{
	struct hut_hc_file f = on(HUT_FILE_OPEN, "");
	f.flags = O_RDONLY | O_DIRECTORY;
	if (file_call(f) < 0)
		return fh.result;
	return file_call((struct hut_hc_file){
		.op = HUT_FILE_GETDENTS, .handle = fh.handle, .buf = (uint64_t)text, .len = 64});
}
static int64_t readlink_into_text(void)
{
	struct hut_hc_file f = on(HUT_FILE_READLINK, "esc");
	f.buf = (uint64_t)file_call;
	f.len = 16;
	return file_call(f);
}
static int64_t statfs_short(void)
{
	struct hut_hc_file f = on(HUT_FILE_STATFS, "");
	f.buf = (uint64_t)buf;
	f.len = 3;
	return file_call(f);
}
static int64_t bad_op(void)
{
	return file_call(on(999, ""));
}
static int64_t seek_bad_whence(void)
{
	int64_t h = new_file("f");
	if (h < 0)
		return h;
	return file_call(
		(struct hut_hc_file){.op = HUT_FILE_SEEK, .handle = (uint32_t)h, .flags = 9});
}
/* A FIFO the test left in the volume: refused, as on a nodev mount. */
static int64_t open_fifo(void)
{
	struct hut_hc_file f = on(HUT_FILE_OPEN, "fifo");
	f.flags = O_RDONLY;
	return file_call(f);
}
/* Every handle taken: the next open is ENFILE, and the monitor goes on. */
static int64_t handles_exhausted(void)
{
	struct hut_hc_file f = on(HUT_FILE_OPEN, "");
	f.flags = O_RDONLY | O_DIRECTORY;
	for (int i = 0; i < HUT_FILE_HANDLES_MAX; i++)
		if (file_call(f) < 0)
			return fh.result;
	return file_call(f);
}

/* --- the libos: paths the app hands it --------------------------------------- */
/* A path running into the end of RAM with no NUL: EFAULT, not a fault. */
static int64_t path_unterminated(void)
{
	char *end = (char *)hut_boot_info->mem_size;
	memset(end - 64, 'a', 64);
	return open(end - 64, O_RDONLY) < 0 ? -errno : 0;
}
static int64_t path_too_long(void)
{
	static char p[5000];
	memset(p, 'a', 4096);
	return open(p, O_RDONLY) < 0 ? -errno : 0;
}
static int64_t path_in_gdt(void)
{
	return open((const char *)HUT_GDT_GPA, O_RDONLY) < 0 ? -errno : 0;
}

/* --- the file ring (with --ring) ------------------------------------------------ */

/* A request, then its slot rewritten with every kind of garbage while the
 * monitor may be serving it: whatever it answers, it must go on, and the
 * next request must be served as usual. */
static int64_t ring_scribble(void)
{
	if (file_ring_mode) {
		fh = on(HUT_FILE_OPEN, "scribbled");
		fh.flags = O_RDWR | O_CREAT;
		fh.mode = 0600;
		uint32_t t = file_post();
		struct hut_hc_file *slot = file_slot(t);
		for (uint32_t i = 0; i < 200000 && !file_done(t); i++) {
			volatile struct hut_hc_file *v = slot;
			v->op = i % (HUT_FILE_OP_END + 2);
			v->handle = i & 1 ? UINT32_MAX : i % HUT_FILE_HANDLES_MAX;
			v->volume = i % 3 ? 0 : UINT32_MAX;
			v->path = i & 2 ? HUT_PAGETABLE_GPA : UINT64_MAX - i;
			v->path_len = i & 4 ? UINT64_MAX : i % 70000;
			v->buf = i & 8 ? HUT_GDT_GPA : (uint64_t)slot;
			v->len = i & 16 ? UINT64_MAX : i % 2000;
		}
		file_wait(t);
	}
	return lstat_path("");
}

/* The guest's own copy of cons and events rewritten: the monitor keeps
 * its own count and serves the next request. */
static int64_t ring_cons_scribble(void)
{
	if (file_ring_mode) {
		file_ring()->cons += 7;
		file_ring()->events = 12345;
		file_ring()->io_idle = 0;
		file_ring()->cons -= 7;
	}
	return lstat_path("");
}

/* A write posted and never waited for, then exit: the monitor serves it
 * before it ends (hostile.sh checks the host file). Through the ring it is
 * posted once the I/O thread sleeps, without the kick: only the monitor's
 * end can serve it then. */
static int64_t ring_exit_queued(void)
{
	static const char queued[] = "queued before exit\n";
	static struct hut_iovec iov = {(uint64_t)queued, sizeof queued - 1};
	int64_t h = new_file("queued");
	if (h < 0)
		return h;
	fh = (struct hut_hc_file){
		.op = HUT_FILE_WRITE, .handle = (uint32_t)h, .buf = (uint64_t)&iov, .len = 1};
	for (int i = 0; file_ring_mode && i < 2000 && !file_ring()->io_idle; i++)
		usleep(1000);
	if (file_ring_mode && file_ring()->io_idle) {
		uint32_t t = __atomic_load_n(&file_ring()->prod, __ATOMIC_SEQ_CST);
		*file_slot(t) = fh;
		__atomic_store_n(&file_ring()->prod, t + 1, __ATOMIC_SEQ_CST);
	} else if (file_ring_mode)
		return -EBUSY; /* the thread never slept */
	else
		raw_hypercall(HUT_HC_FILE, (uint64_t)&fh);
	return 0;
}

struct checked {
	const char *name;
	int64_t (*fn)(void);
	int64_t want;
};

static const struct checked cases[] = {
	{"root-ok", root_ok, 0},
	{"bad-volume", bad_volume, -ENODEV},
	{"dotdot", dotdot, -EINVAL},
	{"dotdot-inside", dotdot_inside, -EINVAL},
	{"trailing-dotdot", trailing_dotdot, -EINVAL},
	{"absolute", absolute, -EINVAL},
	{"dot", dot, -EINVAL},
	{"double-slash", double_slash, -EINVAL},
	{"trailing-slash", trailing_slash, -EINVAL},
	{"nul-inside", nul_inside, -EINVAL},
	{"path-huge", path_huge, -ENAMETOOLONG},
	{"path-out-of-ram", path_out_of_ram, -EFAULT},
	{"path-in-pagetables", path_in_pagetables, -EFAULT},
	{"path-wraps", path_wraps, -EFAULT},
	{"symlink-abs", symlink_abs, -ELOOP},
	{"symlink-up", symlink_up, -ELOOP},
	{"symlink-proc", symlink_proc, -ELOOP},
	{"symlink-fd", symlink_fd, -ELOOP},
	{"symlink-target-bad", symlink_target_bad, -EFAULT},
	{"handle-huge", handle_huge, -EBADF},
	{"handle-unused", handle_unused, -EBADF},
	{"handle-closed", handle_closed, -EBADF},
	{"read-ok", read_ok, sizeof text},
	{"read-into-text", read_into_text, -EFAULT},
	{"read-into-rodata", read_into_rodata, -EFAULT},
	{"read-into-bootinfo", read_into_bootinfo, -EFAULT},
	{"read-past-ram", read_past_ram, -EFAULT},
	{"read-iovcnt-huge", read_iovcnt_huge, -EINVAL},
	{"read-offset-huge", read_offset_huge, -EINVAL},
	{"write-from-gdt", write_from_gdt, -EFAULT},
	{"getdents-into-rodata", getdents_into_rodata, -EFAULT},
	{"readlink-into-text", readlink_into_text, -EFAULT},
	{"statfs-short", statfs_short, -EFAULT},
	{"bad-op", bad_op, -EINVAL},
	{"seek-bad-whence", seek_bad_whence, -EINVAL},
	{"open-fifo", open_fifo, -EACCES},
	{"handles-exhausted", handles_exhausted, -ENFILE},
	{"path-unterminated", path_unterminated, -EFAULT},
	{"path-too-long", path_too_long, -ENAMETOOLONG},
	{"path-in-gdt", path_in_gdt, -EFAULT},
	{"ring-scribble", ring_scribble, 0},
	{"ring-cons-scribble", ring_cons_scribble, 0},
	{"ring-exit-queued", ring_exit_queued, 0},
};

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--ring") && hut_boot_info && hut_boot_info->file_ring) {
		file_ring_mode = 1;
		argv++, argc--;
	}
	if (argc != 2 || !hut_boot_info) {
		fputs("usage: hut-monitor --volume DIR:/data hostile_files.hut [--ring] CASE\n",
		      stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		int64_t got = cases[i].fn();
		/* cases[i].name, not argv[1]: path-unterminated wrote over the
		 * strings at the top of the stack. */
		printf("%s %s %lld\n", got == cases[i].want ? "ok" : "WRONG", cases[i].name,
		       (long long)got);
		return got != cases[i].want;
	}
	fprintf(stderr, "hostile_files: no case '%s'\n", argv[1]);
	return 2;
}
