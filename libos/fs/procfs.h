/*
 * /proc's inside (procfs.c is the tree, procfs_*.c the texts). A file's
 * text is made whole when it is opened, as Linux's seq_file makes it: the
 * generator prints into a struct hut_text, which counts what did not fit,
 * and the opener runs it again with a buffer that large, so a generator
 * never checks for room.
 */
#ifndef HUT_PROCFS_H
#define HUT_PROCFS_H

#include "mem/mm.h"
#include "vfs.h"

struct hut_text {
	char *buf;
	size_t cap;
	size_t len; /* what was printed, whether or not it fitted */
};

/* procfs_text.c */
void hut_text_str(struct hut_text *t, const char *s);
void hut_text_mem(struct hut_text *t, const char *s, size_t n);
void hut_text_char(struct hut_text *t, char c);
void hut_text_u64(struct hut_text *t, uint64_t v);
void hut_text_i64(struct hut_text *t, int64_t v);
/* v in width columns, right-aligned (as printf's "%*lu"). */
void hut_text_u64_w(struct hut_text *t, uint64_t v, int width);
/* v in lower-case hex, at least digits long, zero-padded. */
void hut_text_hex(struct hut_text *t, uint64_t v, int digits);
/* "name:\tvalue\n" and "name:\t  value kB\n", as /proc/self/status prints. */
void hut_text_field(struct hut_text *t, const char *name, uint64_t v);
void hut_text_kb(struct hut_text *t, const char *name, uint64_t bytes);
/* ns as "S.CC" (seconds with hundredths), as uptime and loadavg print. */
void hut_text_centis(struct hut_text *t, uint64_t ns);

/* What a process file is about: the thread (its task directory, or the
 * process's first thread for /proc/1/...). */
struct hut_proc_ctx {
	const struct hut_thread *thread;
	int is_task; /* under task/<tid>: the thread's own values */
	int pid;     /* the process whose directory it is */
};

typedef void (*hut_text_fn)(struct hut_text *t, const struct hut_proc_ctx *c);

/* procfs_pid.c: /proc/<pid>/ and task/<tid>/ */
void hut_proc_status(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_stat(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_statm(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_comm(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_cmdline(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_environ(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_limits(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_mounts(struct hut_text *t, const struct hut_proc_ctx *c);
/* procfs_zombie.c: /proc/<pid> of a process not yet reaped */
void hut_proc_zombie_comm(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_zombie_cmdline(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_zombie_stat(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_zombie_status(struct hut_text *t, const struct hut_proc_ctx *c);
/* procfs_maps.c */
void hut_proc_maps(struct hut_text *t, const struct hut_proc_ctx *c);
/* The image's path inside the guest (/proc/self/exe's target). */
void hut_proc_exe_path(struct hut_text *t);
/* procfs_sys.c: the machine's files */
void hut_proc_meminfo(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_cpuinfo(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_loadavg(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_uptime(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_sysstat(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_version(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_filesystems(struct hut_text *t, const struct hut_proc_ctx *c);
/* procfs_kernel.c: /proc/sys */
void hut_proc_hostname(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_domainname(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_ostype(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_osrelease(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_kversion(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_pid_max(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_threads_max(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_ngroups_max(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_boot_id(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_uuid(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_entropy(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_overcommit(struct hut_text *t, const struct hut_proc_ctx *c);
void hut_proc_somaxconn(struct hut_text *t, const struct hut_proc_ctx *c);

/* The calling process's id (getpid): /proc shows the caller's own
 * directory (procfs.c says why). */
#define HUT_PROC_PID (hut_proc_now->pid)
/* The caller's thread with that tid, or NULL (another process's). */
static inline struct hut_thread *hut_proc_thread(long tid)
{
	struct hut_thread *t = hut_thread_by_tid(tid);
	return t && t->proc == hut_proc_now ? t : NULL;
}

#endif
