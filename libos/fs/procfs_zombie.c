/*
 * /proc/<pid> of a zombie: a process that ended and that its parent has
 * not reaped. Its memory, fd table and threads are gone, so Linux shows
 * little: its name, state Z, its ids and CPU times in stat and status, an
 * empty cmdline. ps lists it as <defunct> from these.
 */
#include "procfs.h"

#define TICKS_PER_S 100 /* USER_HZ */

static const struct hut_process *zombie(const struct hut_proc_ctx *c)
{
	const struct hut_process *p = hut_process_by_pid(c->pid);
	return p && p->zombie ? p : NULL;
}

static uint64_t ticks(uint64_t ns)
{
	return ns / (HUT_NS_PER_S / TICKS_PER_S);
}

void hut_proc_zombie_comm(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_process *p = zombie(c);
	if (!p)
		return;
	hut_text_str(t, p->name);
	hut_text_char(t, '\n');
}

void hut_proc_zombie_cmdline(struct hut_text *t, const struct hut_proc_ctx *c)
{
	(void)t;
	(void)c; /* its memory is gone: empty, as Linux's */
}

/* The 52 fields of Linux's do_task_stat for a zombie: no memory, no
 * threads, its exit status last. */
void hut_proc_zombie_stat(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_process *p = zombie(c);
	if (!p)
		return;
	hut_text_u64(t, (uint64_t)p->pid);
	hut_text_str(t, " (");
	hut_text_str(t, p->name);
	hut_text_str(t, ") Z ");
	const int64_t head[] = {p->parent ? p->parent->pid : 0, p->pgid, p->sid, 0, -1};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
		hut_text_i64(t, head[i]);
		hut_text_char(t, ' ');
	}
	hut_text_str(t, "4227340 0 0 0 0 "); /* flags (PF_EXITING...), no faults */
	hut_text_u64(t, ticks(p->cpu_ns));
	hut_text_str(t, " 0 ");
	hut_text_u64(t, ticks(p->children_cpu_ns));
	hut_text_str(t, " 0 20 0 1 0 0 0 0"); /* priority nice threads itreal start vsize rss */
	for (int i = 25; i <= 51; i++)	      /* rsslim .. exit_data_end: nothing left */
		hut_text_str(t, " 0");
	hut_text_char(t, ' ');
	hut_text_i64(t, p->wait_status);
	hut_text_char(t, '\n');
}

void hut_proc_zombie_status(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_process *p = zombie(c);
	if (!p)
		return;
	hut_text_str(t, "Name:\t");
	hut_text_str(t, p->name);
	hut_text_str(t, "\nState:\tZ (zombie)\n");
	hut_text_field(t, "Tgid", (uint64_t)p->pid);
	hut_text_field(t, "Ngid", 0);
	hut_text_field(t, "Pid", (uint64_t)p->pid);
	hut_text_field(t, "PPid", p->parent ? (uint64_t)p->parent->pid : 0);
	hut_text_field(t, "TracerPid", 0);
	hut_text_field(t, "Threads", 1);
}
