/*
 * /proc/self/maps and the image's name. The address space is the image's
 * app segments (named by the image's path, with their ELF permissions),
 * then the arena's pages the process maps for its app (mem/appmem.c) as
 * runs, brk's part named [heap], the main stack [stack], and the libos's
 * window (include/hut/abi.h). All read-write: the monitor maps RAM so and
 * mprotect is bookkeeping only. The segments and the name are those of
 * the program the process runs: the boot image's, or the one it exec'd.
 *
 * The program's path: a program exec'd is the file it was read from. The
 * boot image's bytes are not a file in the guest, so /proc/self/exe names
 * argv[0] when that is an absolute path to a file the guest has (an image
 * packed at its own path, as a container image holds its program), else
 * "/" and the service's name, which dangles: a program that reads the
 * link gets a name, one that opens it gets ENOENT, as for a deleted
 * executable.
 */
#include "procfs.h"

#include <elf.h>

void hut_proc_exe_path(struct hut_text *t)
{
	const struct hut_boot_info *bi = hut_boot_info;
	if (hut_mm_now->exe) {
		hut_text_mem(t, hut_mm_now->exe, hut_mm_now->exe_len);
		return;
	}
	const char *arg0 = bi->argc ? ((const char *const *)bi->argv)[0] : "";
	struct stat st;
	size_t n = hut_strlen(arg0);
	const char *rel;
	struct hut_mount *m = arg0[0] == '/' ? hut_mount_find(arg0, n, &rel) : NULL;
	if (m && m->ops->lstat(m, rel, &st) == 0 && S_ISREG(st.st_mode)) {
		hut_text_mem(t, arg0, n);
		return;
	}
	hut_text_char(t, '/');
	hut_text_str(t, bi->name);
}

/* "lo-hi perms offset 00:00 0", then the name at column 73, as Linux's
 * show_map_vma pads it. */
static void map_line(struct hut_text *t, uint64_t lo, uint64_t hi, const char *perms,
		     uint64_t offset, const char *name, int exe)
{
	size_t start = t->len;
	hut_text_hex(t, lo, 8);
	hut_text_char(t, '-');
	hut_text_hex(t, hi, 8);
	hut_text_char(t, ' ');
	hut_text_str(t, perms);
	hut_text_char(t, ' ');
	hut_text_hex(t, offset, 8);
	hut_text_str(t, " 00:00 0 ");
	if (name || exe) {
		while (t->len - start < 73)
			hut_text_char(t, ' ');
		if (exe)
			hut_proc_exe_path(t);
		else
			hut_text_str(t, name);
	}
	hut_text_char(t, '\n');
}

static void segment_line(struct hut_text *t, const struct hut_seg *s)
{
	char perms[5] = {(s->flags & PF_R) ? 'r' : '-', (s->flags & PF_W) ? 'w' : '-',
			 (s->flags & PF_X) ? 'x' : '-', 'p', 0};
	map_line(t, s->start, s->end, perms, s->offset, NULL, 1);
}

/* The running program's segments (below the libos's window), in the
 * order of its program headers, which is address order. */
static void program_segments(struct hut_text *t)
{
	for (int i = 0; i < hut_mm_now->nseg; i++)
		segment_line(t, &hut_mm_now->seg[i]);
}

/* The libos's own segments, in its window: the boot image's. */
static void window_segments(struct hut_text *t)
{
	const uint64_t mask = ~(uint64_t)(HUT_PAGE_SIZE - 1);
	uint64_t phnum;
	const Elf64_Phdr *phdrs = hut_boot_phdrs(&phnum);
	for (uint64_t i = 0; i < phnum; i++) {
		const Elf64_Phdr *ph = &phdrs[i];
		if (ph->p_type != PT_LOAD || ph->p_vaddr < HUT_LIBOS_VA)
			continue;
		struct hut_seg s = {ph->p_vaddr & mask,
				    (ph->p_vaddr + ph->p_memsz + HUT_PAGE_SIZE - 1) & mask,
				    ph->p_flags,
				    ph->p_vaddr,
				    ph->p_vaddr + ph->p_filesz,
				    ph->p_offset & mask};
		segment_line(t, &s);
	}
}

static void runs(struct hut_text *t, uint64_t from, uint64_t below)
{
	uint64_t lo, hi;
	while (hut_memory_next_run(from, &lo, &hi) && lo < below) {
		map_line(t, lo, hi, "rw-p", 0, NULL, 0);
		from = hi;
	}
}

void hut_proc_maps(struct hut_text *t, const struct hut_proc_ctx *c)
{
	const struct hut_boot_info *bi = hut_boot_info;
	uint64_t brk_lo, brk_now;
	(void)c;
	hut_memory_brk(&brk_lo, &brk_now);
	uint64_t brk_hi = (brk_now + HUT_PAGE_SIZE - 1) & ~(uint64_t)(HUT_PAGE_SIZE - 1);
	program_segments(t);
	runs(t, 0, brk_lo);
	if (brk_hi > brk_lo)
		map_line(t, brk_lo, brk_hi, "rw-p", 0, "[heap]", 0);
	runs(t, brk_lo, UINT64_MAX);
	map_line(t, bi->stack_top - bi->stack_size, bi->stack_top, "rw-p", 0, "[stack]", 0);
	window_segments(t);
}
