/*
 * The texts of /proc/<pid>/ and task/<tid>/: the process's identity, its
 * threads, signals, memory and CPU time, from the layers that keep them
 * (proc/ for threads and signals, mem/ for pages, base/clock.h for time).
 * Field names and order are Linux's (fs/proc/array.c), so that parsers
 * written for Linux read them.
 */
#include "procfs.h"

#include "proc/cred.h"

#include <elf.h>
#include <sys/resource.h>

#define TICKS_PER_S 100 /* USER_HZ, AT_CLKTCK */

/* The process's memory, in bytes: the image's segments, the stack, and the
 * arena's pages it maps for its app (brk, mmap). All of it is resident:
 * RAM is mapped before boot and never swapped. */
struct vm_sizes {
	uint64_t image, text, stack, arena;
};

static struct vm_sizes vm_sizes(void)
{
	const struct hut_boot_info *bi = hut_boot_info;
	const struct hut_mm *mm = hut_mm_now;
	struct vm_sizes v = {0, 0, bi->stack_size, hut_memory_app_pages() * HUT_PAGE_SIZE};
	for (int i = 0; i < mm->nseg; i++) {
		v.image += mm->seg[i].end - mm->seg[i].start;
		if (mm->seg[i].flags & PF_X)
			v.text += mm->seg[i].end - mm->seg[i].start;
	}
	return v;
}

static uint64_t vm_total(const struct vm_sizes *v)
{
	return v->image + v->stack + v->arena;
}

/* VmPeak: the largest size these files have seen (the arena does not
 * keep a high-water mark of its own). */
static uint64_t vm_peak(uint64_t now)
{
	static uint64_t peak;
	if (now > peak)
		peak = now;
	return peak;
}

static unsigned thread_count(void)
{
	return (unsigned)hut_proc_now->threads;
}

static uint64_t parent_pid(void)
{
	return hut_proc_now->parent ? (uint64_t)hut_proc_now->parent->pid : 0;
}

/* 'R' for the thread running this syscall, 'S' for one waiting. */
static char state_of(const struct hut_thread *t)
{
	return t == hut_thread_now || !t->waiting ? 'R' : 'S';
}

static void sigset(struct hut_text *t, const char *name, uint64_t set)
{
	hut_text_str(t, name);
	hut_text_str(t, ":\t");
	hut_text_hex(t, set, 16);
	hut_text_char(t, '\n');
}

/* FDSize: the fd table's size as Linux's grows it: 64, doubled to hold the
 * highest open fd. */
static uint64_t fd_table_size(void)
{
	uint64_t size = 64;
	for (long fd = hut_fd_top() - 1; fd >= 0; fd--)
		if (hut_fd_file(fd)) {
			while (size <= (uint64_t)fd)
				size *= 2;
			break;
		}
	return size;
}

/* "Uid:" or "Gid:" and the real, effective, saved and fs ids. */
static void ids(struct hut_text *t, const char *name, const uint32_t id[4])
{
	hut_text_str(t, name);
	hut_text_char(t, ':');
	for (int i = 0; i < 4; i++) {
		hut_text_char(t, '\t');
		hut_text_u64(t, id[i]);
	}
	hut_text_char(t, '\n');
}

static void groups(struct hut_text *t, const struct hut_cred *cr)
{
	hut_text_str(t, "Groups:\t");
	for (uint32_t i = 0; i < cr->ngroups; i++) { /* spaces between, as Linux 4.x on */
		if (i)
			hut_text_char(t, ' ');
		hut_text_u64(t, cr->groups[i]);
	}
	hut_text_char(t, '\n');
}

/* A capability set as 16 hex digits. */
static void caps(struct hut_text *t, const char *name, uint64_t set)
{
	hut_text_str(t, name);
	hut_text_str(t, ":\t");
	hut_text_hex(t, set, 16);
	hut_text_char(t, '\n');
}

void hut_proc_status(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_thread *th = c->thread;
	struct vm_sizes v = vm_sizes();
	uint64_t caught, ignored, pending, total = vm_total(&v);
	struct rlimit sigq;
	char state = state_of(th);
	hut_signal_dispositions(&caught, &ignored, &pending);
	hut_text_str(t, "Name:\t");
	hut_text_str(t, th->name);
	hut_text_str(t, "\nUmask:\t0");
	hut_text_u64(t, (hut_umask >> 6) & 7);
	hut_text_u64(t, (hut_umask >> 3) & 7);
	hut_text_u64(t, hut_umask & 7);
	hut_text_str(t, "\nState:\t");
	hut_text_char(t, state);
	hut_text_str(t, state == 'R' ? " (running)\n" : " (sleeping)\n");
	hut_text_field(t, "Tgid", HUT_PROC_PID);
	hut_text_field(t, "Ngid", 0);
	hut_text_field(t, "Pid", (uint64_t)(c->is_task ? th->tid : HUT_PROC_PID));
	hut_text_field(t, "PPid", parent_pid());
	hut_text_field(t, "TracerPid", 0);
	const struct hut_cred *cr = hut_cred_current();
	ids(t, "Uid", (const uint32_t[4]){cr->uid, cr->euid, cr->suid, cr->fsuid});
	ids(t, "Gid", (const uint32_t[4]){cr->gid, cr->egid, cr->sgid, cr->fsgid});
	hut_text_field(t, "FDSize", fd_table_size());
	groups(t, cr);
	hut_text_field(t, "NStgid", HUT_PROC_PID);
	hut_text_field(t, "NSpid", (uint64_t)(c->is_task ? th->tid : HUT_PROC_PID));
	hut_text_field(t, "NSpgid", (uint64_t)hut_proc_now->pgid);
	hut_text_field(t, "NSsid", (uint64_t)hut_proc_now->sid);
	hut_text_kb(t, "VmPeak", vm_peak(total));
	hut_text_kb(t, "VmSize", total);
	hut_text_kb(t, "VmLck", 0);
	hut_text_kb(t, "VmPin", 0);
	hut_text_kb(t, "VmHWM", vm_peak(total));
	hut_text_kb(t, "VmRSS", total);
	hut_text_kb(t, "RssAnon", v.arena + v.stack);
	hut_text_kb(t, "RssFile", v.image);
	hut_text_kb(t, "RssShmem", 0);
	hut_text_kb(t, "VmData", v.arena + v.image - v.text);
	hut_text_kb(t, "VmStk", v.stack);
	hut_text_kb(t, "VmExe", v.text);
	hut_text_kb(t, "VmLib", 0);
	hut_text_kb(t, "VmPTE", 0);
	hut_text_kb(t, "VmSwap", 0);
	hut_text_str(t, "HugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t0\n");
	hut_text_field(t, "Threads", thread_count());
	hut_text_str(t, "SigQ:\t0/"); /* none queued: a standard signal is pending once */
	hut_rlimit_of(RLIMIT_SIGPENDING, &sigq);
	hut_text_u64(t, sigq.rlim_cur);
	hut_text_char(t, '\n');
	sigset(t, "SigPnd", th->sig_pending);
	sigset(t, "ShdPnd", pending);
	sigset(t, "SigBlk", th->sig_blocked);
	sigset(t, "SigIgn", ignored);
	sigset(t, "SigCgt", caught);
	caps(t, "CapInh", cr->cap_inheritable);
	caps(t, "CapPrm", cr->cap_permitted);
	caps(t, "CapEff", cr->cap_effective);
	caps(t, "CapBnd", cr->cap_bounding);
	caps(t, "CapAmb", cr->cap_ambient);
	hut_text_str(t, "NoNewPrivs:\t0\nSeccomp:\t0\n"
			"Seccomp_filters:\t0\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"
			"Mems_allowed:\t1\nMems_allowed_list:\t0\n"
			"voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

static void sp(struct hut_text *t)
{
	hut_text_char(t, ' ');
}

static void num(struct hut_text *t, int64_t v)
{
	sp(t);
	hut_text_i64(t, v);
}

static void unum(struct hut_text *t, uint64_t v)
{
	sp(t);
	hut_text_u64(t, v);
}

/* Where the running program's code and data are, as Linux's ELF loader
 * sets them: code from the lowest executable segment to the end of the
 * file bytes of the highest; data from the highest segment's start to
 * the end of its file bytes. */
static void image_bounds(uint64_t *code_lo, uint64_t *code_hi, uint64_t *data_lo, uint64_t *data_hi)
{
	const struct hut_mm *mm = hut_mm_now;
	*code_lo = UINT64_MAX;
	*code_hi = *data_lo = *data_hi = 0;
	for (int i = 0; i < mm->nseg; i++) {
		const struct hut_seg *s = &mm->seg[i];
		if ((s->flags & PF_X) && s->vaddr < *code_lo)
			*code_lo = s->vaddr;
		if ((s->flags & PF_X) && s->file_end > *code_hi)
			*code_hi = s->file_end;
		if (s->vaddr > *data_lo)
			*data_lo = s->vaddr;
		if (s->file_end > *data_hi)
			*data_hi = s->file_end;
	}
	if (*code_lo == UINT64_MAX)
		*code_lo = 0;
}

/* The 52 fields of fs/proc/array.c's do_task_stat, in its order. */
void hut_proc_stat(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_thread *th = c->thread;
	struct vm_sizes v = vm_sizes();
	uint64_t caught, ignored, pending, code_lo, code_hi, data_lo, data_hi, brk_lo, brk_now;
	uint64_t ticks = hut_cpu_time_ns() / (HUT_NS_PER_S / TICKS_PER_S);
	struct rlimit rss;
	hut_signal_dispositions(&caught, &ignored, &pending);
	image_bounds(&code_lo, &code_hi, &data_lo, &data_hi);
	hut_memory_brk(&brk_lo, &brk_now);
	hut_rlimit_of(RLIMIT_RSS, &rss);
	hut_text_u64(t, (uint64_t)(c->is_task ? th->tid : HUT_PROC_PID));
	hut_text_str(t, " (");
	hut_text_str(t, th->name);
	hut_text_str(t, ") ");
	hut_text_char(t, state_of(th));
	num(t, (int64_t)parent_pid()); /* ppid */
	num(t, hut_proc_now->pgid);    /* pgrp */
	num(t, hut_proc_now->sid);     /* session */
	num(t, 0);		       /* tty_nr */
	num(t, -1);		       /* tpgid */
	unum(t, 0x400100);	       /* flags: PF_RANDOMIZE-less Linux's usual */
	for (int i = 0; i < 4; i++)    /* minflt cminflt majflt cmajflt */
		unum(t, 0);	       /* no page faults: RAM is mapped at boot */
	unum(t, ticks);		       /* utime: all of it (getrusage says why) */
	unum(t, 0);		       /* stime */
	num(t,
	    (int64_t)(hut_proc_now->children_cpu_ns / (HUT_NS_PER_S / TICKS_PER_S))); /* cutime */
	num(t, 0);								      /* cstime */
	num(t, 20 + hut_nice_value());						      /* priority */
	num(t, hut_nice_value());						      /* nice */
	num(t, thread_count());				 /* num_threads */
	num(t, 0);					 /* itrealvalue */
	unum(t, 0);					 /* starttime: it began at boot */
	unum(t, vm_total(&v));				 /* vsize */
	num(t, (int64_t)(vm_total(&v) / HUT_PAGE_SIZE)); /* rss */
	unum(t, rss.rlim_cur);				 /* rsslim */
	unum(t, code_lo);				 /* startcode */
	unum(t, code_hi);				 /* endcode */
	unum(t, hut_boot_info->stack_top);		 /* startstack */
	unum(t, 0);					 /* kstkesp, as Linux shows another's */
	unum(t, 0);					 /* kstkeip */
	unum(t, th->sig_pending | pending);		 /* signal */
	unum(t, th->sig_blocked);			 /* blocked */
	unum(t, ignored);				 /* sigignore */
	unum(t, caught);				 /* sigcatch */
	unum(t, 0);					 /* wchan */
	unum(t, 0);					 /* nswap */
	unum(t, 0);					 /* cnswap */
	num(t, 17);					 /* exit_signal: SIGCHLD */
	num(t, 0);					 /* processor */
	unum(t, 0);					 /* rt_priority */
	unum(t, 0);					 /* policy: SCHED_OTHER */
	unum(t, 0);					 /* delayacct_blkio_ticks */
	unum(t, 0);					 /* guest_time */
	num(t, 0);					 /* cguest_time */
	unum(t, data_lo);				 /* start_data */
	unum(t, data_hi);				 /* end_data */
	unum(t, brk_lo);				 /* start_brk */
	for (int i = 0; i < 4; i++)			 /* arg_start arg_end env_start env_end */
		unum(t, 0);				 /* as Linux shows them to another */
	num(t, 0);					 /* exit_code */
	hut_text_char(t, '\n');
}

void hut_proc_statm(struct hut_text *t, const struct hut_proc_ctx *c)
{
	struct vm_sizes v = vm_sizes();
	uint64_t total = vm_total(&v) / HUT_PAGE_SIZE;
	(void)c;
	hut_text_u64(t, total);
	unum(t, total);				      /* resident */
	unum(t, v.image / HUT_PAGE_SIZE);	      /* shared: file-backed */
	unum(t, v.text / HUT_PAGE_SIZE);	      /* text */
	unum(t, 0);				      /* lib */
	unum(t, (v.arena + v.stack) / HUT_PAGE_SIZE); /* data + stack */
	unum(t, 0);				      /* dt */
	hut_text_char(t, '\n');
}

void hut_proc_comm(struct hut_text *t, const struct hut_proc_ctx *c)
{
	hut_text_str(t, c->thread->name);
	hut_text_char(t, '\n');
}

/* The process's own memory from lo to hi, as it is now (nothing if the
 * program unmapped it). */
static void own_bytes(struct hut_text *t, uint64_t lo, uint64_t hi)
{
	if (hi > lo && hut_user_readable((const void *)lo, hi - lo))
		hut_text_mem(t, (const char *)lo, hi - lo);
}

void hut_proc_cmdline(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	own_bytes(t, hut_mm_now->arg_start, hut_mm_now->arg_end);
}

void hut_proc_environ(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)c;
	own_bytes(t, hut_mm_now->env_start, hut_mm_now->env_end);
}

/* Left-aligned in width columns, as "%-*s". */
static void column(struct hut_text *t, const char *s, int width)
{
	hut_text_str(t, s);
	for (int pad = width - (int)hut_strlen(s); pad > 0; pad--)
		sp(t);
}

static void limit_value(struct hut_text *t, uint64_t v)
{
	char digits[24];
	struct hut_text d = {digits, sizeof digits - 1, 0};
	if (v == RLIM_INFINITY)
		hut_text_str(&d, "unlimited");
	else
		hut_text_u64(&d, v);
	digits[d.len] = 0;
	column(t, digits, 20);
	sp(t);
}

void hut_proc_limits(struct hut_text *t, const struct hut_proc_ctx *c)
{
	static const struct {
		const char *name, *unit;
		int resource;
	} rows[] = {
		{"Max cpu time", "seconds", RLIMIT_CPU},
		{"Max file size", "bytes", RLIMIT_FSIZE},
		{"Max data size", "bytes", RLIMIT_DATA},
		{"Max stack size", "bytes", RLIMIT_STACK},
		{"Max core file size", "bytes", RLIMIT_CORE},
		{"Max resident set", "bytes", RLIMIT_RSS},
		{"Max processes", "processes", RLIMIT_NPROC},
		{"Max open files", "files", RLIMIT_NOFILE},
		{"Max locked memory", "bytes", RLIMIT_MEMLOCK},
		{"Max address space", "bytes", RLIMIT_AS},
		{"Max file locks", "locks", RLIMIT_LOCKS},
		{"Max pending signals", "signals", RLIMIT_SIGPENDING},
		{"Max msgqueue size", "bytes", RLIMIT_MSGQUEUE},
		{"Max nice priority", "", RLIMIT_NICE},
		{"Max realtime priority", "", RLIMIT_RTPRIO},
		{"Max realtime timeout", "us", RLIMIT_RTTIME},
	};
	(void)c;
	column(t, "Limit", 26);
	column(t, "Soft Limit", 21);
	column(t, "Hard Limit", 21);
	column(t, "Units", 10);
	hut_text_char(t, '\n');
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct rlimit rl;
		hut_rlimit_of(rows[i].resource, &rl);
		column(t, rows[i].name, 26);
		limit_value(t, rl.rlim_cur);
		limit_value(t, rl.rlim_max);
		column(t, rows[i].unit, 10);
		hut_text_char(t, '\n');
	}
}

/* "SOURCE TARGET TYPE OPTIONS 0 0", one line per mount, in mount order. */
void hut_proc_mounts(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_mount *m;
	(void)c;
	for (int i = 0; (m = hut_mount_nth(i)) != NULL; i++) {
		hut_text_str(t, m->ops->type);
		sp(t);
		hut_text_mem(t, m->path, m->path_len);
		sp(t);
		hut_text_str(t, m->ops->type);
		hut_text_str(t, (m->flags & HUT_MOUNT_RDONLY) ? " ro" : " rw");
		hut_text_str(t, " 0 0\n");
	}
}
