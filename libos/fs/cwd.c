/*
 * The process's place in the tree and its creation mask: path resolution
 * (path.c) starts at the cwd; opencalls.c changes both, pathkeep.c keeps
 * the cwd true after renames and removals. Each process has its own
 * (proc/process.h): saved with it while another runs. A file of its own
 * so that /proc can show them without depending on resolution.
 */
#include "vfs.h"

#include "mem/mem.h"

/* HUT_CANON_MAX bytes from the arena, made at boot: a static array would sit
 * in the image's data, which the monitor copies into every guest's RAM and
 * backs with host memory whole; arena pages cost the host only the one
 * that holds the path (docs/ARCHITECTURE.md, "Density"). */
char *hut_cwd;
size_t hut_cwd_len = 1;
int hut_cwd_gone;
uint32_t hut_umask = 022;

void hut_cwd_set(const char *path, size_t len)
{
	hut_memcpy(hut_cwd, path, len);
	hut_cwd[len] = 0;
	hut_cwd_len = len;
	hut_cwd_gone = 0;
}

struct place {
	char cwd[HUT_CANON_MAX];
	size_t cwd_len;
	int cwd_gone;
	uint32_t umask;
};

static void save_place(void *to)
{
	struct place *p = to;
	hut_memcpy(p->cwd, hut_cwd, hut_cwd_len + 1);
	p->cwd_len = hut_cwd_len;
	p->cwd_gone = hut_cwd_gone;
	p->umask = hut_umask;
}

static void load_place(const void *from)
{
	const struct place *p = from;
	hut_cwd_set(p->cwd, p->cwd_len);
	hut_cwd_gone = p->cwd_gone;
	hut_umask = p->umask;
}

static void nothing_to_let_go(void)
{
}

static const struct hut_proc_state_ops place_ops = {
	sizeof(struct place), save_place, load_place, save_place, nothing_to_let_go,
};

void hut_path_init(void)
{
	hut_cwd = hut_pages_alloc(HUT_CANON_MAX / HUT_PAGE_SIZE);
	if (!hut_cwd) {
		hut_console_print(2, "hut: no memory for the working directory\n");
		hut_exit(HUT_EXIT_SIGNAL, 9);
	}
	hut_cwd[0] = '/';
	hut_proc_state_register(&place_ops);
}
