/*
 * The image a process runs (mm.h): the app's segments of the boot image,
 * below the libos's window, until the process execs another file; then
 * that file's, loaded by sys/execcalls.c into frames of its own and mapped
 * here at the addresses it was linked for. The libos stays where it is (its
 * window is in every address space), so the new program calls the same
 * libos: its files, pipes, sockets and processes.
 *
 * An image may be larger than the boot's and reach into the arena's
 * addresses: such a page is held (reserved) so that nothing else is given
 * the address, which is allowed only where no libos memory is (the libos
 * reaches its own pages at their addresses in every process), and its
 * frame is the image's, not the arena page at that address.
 */
#include "mm.h"

#include <elf.h>
#include <errno.h>
#include <hut/x86.h>

#define PAGE HUT_PAGE_SIZE

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

void hut_mm_image_from_boot(struct hut_mm *mm, const struct hut_boot_info *bi)
{
	uint64_t phnum;
	const Elf64_Phdr *ph = hut_boot_phdrs(&phnum);
	mm->nseg = 0;
	for (uint64_t i = 0; i < phnum && mm->nseg < HUT_MM_SEGS; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < HUT_LIBOS_VA)
			mm->seg[mm->nseg++] =
				(struct hut_seg){ph[i].p_vaddr & ~(PAGE - 1),
						 page_up(ph[i].p_vaddr + ph[i].p_memsz),
						 ph[i].p_flags,
						 ph[i].p_vaddr,
						 ph[i].p_vaddr + ph[i].p_filesz,
						 ph[i].p_offset & ~(PAGE - 1)};
	mm->entry = bi->app_entry;
	mm->phdr = bi->phdr;
	mm->phnum = bi->phnum;
	hut_user_image(mm->seg, mm->nseg);
}

/* The arena page at va, or -1 when va is not in the arena. */
static int64_t arena_page(uint64_t va)
{
	uint64_t base = hut_arena_base();
	return va >= base && va < base + hut_arena_pages() * PAGE ? (int64_t)((va - base) / PAGE)
								  : -1;
}

static char *copy_name(const char *path, size_t len)
{
	char *name = hut_kalloc(len);
	if (name)
		hut_memcpy(name, path, len);
	return name;
}

void hut_image_name_drop(struct hut_mm *mm)
{
	if (mm->exe)
		hut_kfree(mm->exe, mm->exe_len);
	mm->exe = NULL;
	mm->exe_len = 0;
}

void hut_image_name(const char *path, size_t len)
{
	char *name = len ? copy_name(path, len) : NULL;
	if (!name)
		return;
	hut_image_name_drop(hut_mm_now);
	hut_mm_now->exe = name;
	hut_mm_now->exe_len = (uint32_t)len;
}

void hut_image_fork(const struct hut_mm *parent, struct hut_mm *child)
{
	hut_memcpy(child->seg, parent->seg, sizeof child->seg);
	child->nseg = parent->nseg;
	child->entry = parent->entry;
	child->phdr = parent->phdr;
	child->phnum = parent->phnum;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
	child->exe = parent->exe ? copy_name(parent->exe, parent->exe_len) : NULL;
	child->exe_len = child->exe ? parent->exe_len : 0;
	for (int i = 0; i < parent->nseg; i++)
		for (uint64_t va = parent->seg[i].start; va < parent->seg[i].end; va += PAGE) {
			int64_t p = arena_page(va);
			if (p >= 0)
				hut_arena_reserve((uint64_t)p);
			if (parent->seg[i].flags & PF_W)
				continue;
			int64_t frame = hut_aspace_frame(&parent->as, va);
			if (frame >= 0)
				hut_frame_ref((uint64_t)frame);
		}
}

void hut_image_drop(struct hut_mm *mm, int unmap)
{
	for (int i = 0; i < mm->nseg; i++)
		for (uint64_t va = mm->seg[i].start; va < mm->seg[i].end; va += PAGE) {
			int64_t frame = hut_aspace_frame(&mm->as, va);
			int64_t p = arena_page(va);
			if (frame >= 0)
				hut_frame_unref((uint64_t)frame);
			if (p >= 0)
				hut_arena_unreserve((uint64_t)p);
			/* An arena address maps its own page again: the libos
			 * writes a page it takes at its address, in any process. */
			if (unmap && p >= 0)
				hut_aspace_map_new(&mm->as, va, va, PTE_W | PTE_U | PTE_NX);
			else if (unmap)
				hut_aspace_unmap(&mm->as, va);
		}
	mm->nseg = 0;
}

int hut_image_fits(const struct hut_seg *seg, int n)
{
	uint64_t arena_end = hut_arena_base() + hut_arena_pages() * PAGE;
	for (int i = 0; i < n; i++) {
		if (seg[i].start < HUT_IMAGE_BASE || seg[i].end > arena_end)
			return -ENOMEM;
		for (uint64_t va = seg[i].start; va < seg[i].end; va += PAGE) {
			int64_t p = arena_page(va);
			if (p >= 0 && !hut_arena_app_address((uint64_t)p))
				return -ENOMEM;
		}
	}
	return 0;
}

static uint64_t pte_flags(uint32_t flags)
{
	return PTE_U | ((flags & PF_W) ? PTE_W : 0) | ((flags & PF_X) ? 0 : PTE_NX);
}

int hut_image_exec(const struct hut_seg *seg, int n, const uint64_t *frames, uint64_t entry,
		   uint64_t phdr, uint64_t phnum)
{
	struct hut_mm *mm = hut_mm_now;
	int err = 0;
	hut_image_drop(mm, 1);
	for (int i = 0; i < n; i++)
		for (uint64_t va = seg[i].start; va < seg[i].end; va += PAGE) {
			int64_t p = arena_page(va);
			if (p >= 0)
				hut_arena_reserve((uint64_t)p);
			if (!err)
				err = hut_aspace_map_new(&mm->as, va, *frames,
							 pte_flags(seg[i].flags));
			frames++;
		}
	hut_memcpy(mm->seg, seg, (size_t)n * sizeof *seg);
	mm->nseg = n;
	mm->entry = entry;
	mm->phdr = phdr;
	mm->phnum = phnum;
	hut_user_image(mm->seg, mm->nseg);
	hut_aspace_flush();
	return err;
}

uint64_t hut_image_share_boot_page(uint64_t va, uint64_t frame)
{
	uint64_t phnum;
	const Elf64_Phdr *ph = hut_boot_phdrs(&phnum);
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t start = ph[i].p_vaddr & ~(PAGE - 1), end = ph[i].p_vaddr + ph[i].p_memsz;
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W) || va < start || va >= end ||
		    ph[i].p_vaddr >= HUT_LIBOS_VA)
			continue;
		/* The monitor maps the boot image's pages at their own addresses. */
		if (hut_aspace_frame(&hut_mm_now->as, va) != (int64_t)va ||
		    hut_memcmp((const void *)va, (const void *)frame, PAGE))
			return frame;
		hut_frame_unref(frame);
		hut_frame_ref(va);
		return va;
	}
	return frame;
}
