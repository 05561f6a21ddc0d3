/*
 * Address spaces (aspace.h): page tables the libos edits at CPL3. The
 * monitor maps its own tables user-writable for this (monitor/
 * cpu_x86_64.c); every table the libos makes comes from the arena, which is
 * identity-mapped, so a table's guest-physical address is also where the
 * libos reads and writes it.
 *
 * Ownership lives in the tables themselves: an entry that points to a
 * table this address space made carries HUT_PTE_OWNED (bit 9, which the CPU
 * ignores). A table reached through an entry without it is shared and is
 * copied before it is changed.
 */
#include "aspace.h"

#include "arch/x86_64/cpu.h"
#include "mem.h"

#include <errno.h>
#include <hut/x86.h>

#define HUT_PTE_OWNED (1ull << 9)
#define ENTRIES 512
#define LEVELS 4 /* PML4, PDPT, PD, PT */

static uint64_t running_cr3 = HUT_PAGETABLE_GPA;

static uint64_t *table(uint64_t entry_or_cr3)
{
	return (uint64_t *)(entry_or_cr3 & PTE_ADDR);
}

/* The index of va in a table of the given level (0 for the PML4). */
static unsigned index_of(uint64_t va, int level)
{
	return (va >> (39 - 9 * level)) & (ENTRIES - 1);
}

void hut_aspace_boot(struct hut_aspace *as)
{
	as->cr3 = HUT_PAGETABLE_GPA;
	as->owns_top = 0;
}

/* A copy of the table at src, owned by whoever gets it; the OWNED marks are
 * the source's and do not carry over. */
static uint64_t *copy_table(const uint64_t *src)
{
	uint64_t *t = hut_pages_alloc(1);
	if (!t)
		return 0;
	for (int i = 0; i < ENTRIES; i++)
		t[i] = src[i] & ~HUT_PTE_OWNED;
	return t;
}

int hut_aspace_clone(struct hut_aspace *as, const struct hut_aspace *from)
{
	uint64_t *top = copy_table(table(from->cr3));
	if (!top)
		return -ENOMEM;
	as->cr3 = (uint64_t)top;
	as->owns_top = 1;
	return 0;
}

/* A page table of 4 KiB entries mapping what the 2 MiB entry large did. */
static uint64_t *split_large(uint64_t large)
{
	uint64_t *t = hut_pages_alloc(1);
	if (!t)
		return 0;
	uint64_t frame = large & PTE_ADDR & ~(HUT_LARGE_PAGE_SIZE - 1);
	uint64_t flags = large & ~PTE_ADDR & ~PTE_PS & ~HUT_PTE_OWNED;
	for (int i = 0; i < ENTRIES; i++)
		t[i] = (frame + (uint64_t)i * HUT_PAGE_SIZE) | flags;
	return t;
}

/* Makes the table entry points to this address space's own, copying a
 * shared table or splitting a 2 MiB page: 0 or -ENOMEM. */
static int own_below(uint64_t *entry, int level)
{
	if (*entry & HUT_PTE_OWNED)
		return 0;
	uint64_t *t =
		(level == 2 && (*entry & PTE_PS)) ? split_large(*entry) : copy_table(table(*entry));
	if (!t)
		return -ENOMEM;
	uint64_t flags = *entry & ~PTE_ADDR & ~PTE_PS;
	*entry = (uint64_t)t | flags | HUT_PTE_OWNED;
	return 0;
}

/* A zeroed table this address space owns, for an entry that had none. */
static int new_below(uint64_t *entry)
{
	uint64_t *t = hut_pages_alloc(1);
	if (!t)
		return -ENOMEM;
	*entry = (uint64_t)t | PTE_P | PTE_W | PTE_U | PTE_A | HUT_PTE_OWNED;
	return 0;
}

/* The leaf entry for va in as's own tables (copied or made on the way:
 * make), or NULL with *err set. */
static uint64_t *own_leaf(struct hut_aspace *as, uint64_t va, int make, int *err)
{
	*err = -EINVAL;
	if (!as->owns_top)
		return NULL;
	uint64_t *t = table(as->cr3);
	for (int level = 0; level < LEVELS - 1; level++) {
		uint64_t *e = &t[index_of(va, level)];
		*err = !(*e & PTE_P) ? (make ? new_below(e) : -EFAULT) : own_below(e, level);
		if (*err)
			return NULL;
		t = table(*e);
	}
	return &t[index_of(va, LEVELS - 1)];
}

static int set_leaf(struct hut_aspace *as, uint64_t va, uint64_t frame, uint64_t flags, int make)
{
	int err;
	if (frame & (HUT_PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t *leaf = own_leaf(as, va, make, &err);
	if (!leaf)
		return err;
	if (!make && !(*leaf & PTE_P))
		return -EFAULT;
	*leaf = frame | (flags & (PTE_W | PTE_U | PTE_NX)) | PTE_P | PTE_A |
		((flags & PTE_W) ? PTE_D : 0);
	return 0;
}

int hut_aspace_map(struct hut_aspace *as, uint64_t va, uint64_t frame, uint64_t flags)
{
	return set_leaf(as, va, frame, flags, 0);
}

int hut_aspace_map_new(struct hut_aspace *as, uint64_t va, uint64_t frame, uint64_t flags)
{
	return set_leaf(as, va, frame, flags, 1);
}

int hut_aspace_unmap(struct hut_aspace *as, uint64_t va)
{
	int err;
	if (hut_aspace_frame(as, va) < 0)
		return 0;
	uint64_t *leaf = own_leaf(as, va, 0, &err);
	if (!leaf)
		return err;
	*leaf = 0;
	return 0;
}

/* How much of the address space an entry of a table of this level maps. */
static uint64_t span_of(int level)
{
	return 1ull << (39 - 9 * level);
}

static void free_below(uint64_t *t, int level);

/* An entry of a table of this level maps nothing from now on; a table
 * below it that this space owns is freed (one it shares is the other
 * space's). */
static void drop_entry(uint64_t *e, int level)
{
	if (level < LEVELS - 1 && (*e & HUT_PTE_OWNED) && !(*e & PTE_PS)) {
		free_below(table(*e), level + 1);
		hut_pages_free(table(*e), 1);
	}
	*e = 0;
}

int hut_aspace_unmap_range(struct hut_aspace *as, uint64_t va, uint64_t end)
{
	if (!as->owns_top)
		return -EINVAL;
	while (va < end) {
		uint64_t *t = table(as->cr3);
		for (int level = 0;; level++) {
			uint64_t span = span_of(level), *e = &t[index_of(va, level)];
			uint64_t next = (va & ~(span - 1)) + span;
			if (!(*e & PTE_P)) {
				va = next;
				break;
			}
			if (level == LEVELS - 1 || (va % span == 0 && next <= end)) {
				drop_entry(e, level);
				va = next;
				break;
			}
			int err = own_below(e, level);
			if (err)
				return err;
			t = table(*e);
		}
	}
	return 0;
}

/* The entry that maps va in as (a 4 KiB leaf or a 2 MiB page), or 0 when
 * va is not mapped; *frame is the 4 KiB frame va lies in. */
static uint64_t mapping_of(const struct hut_aspace *as, uint64_t va, uint64_t *frame)
{
	uint64_t *t = table(as->cr3);
	for (int level = 0; level < LEVELS; level++) {
		uint64_t e = t[index_of(va, level)];
		if (!(e & PTE_P))
			return 0;
		if (level == LEVELS - 1) {
			*frame = e & PTE_ADDR;
			return e;
		}
		if ((e & PTE_PS) && level == 2) {
			*frame = (e & PTE_ADDR & ~(HUT_LARGE_PAGE_SIZE - 1)) +
				 (va & (HUT_LARGE_PAGE_SIZE - 1) & ~(HUT_PAGE_SIZE - 1));
			return e;
		}
		t = table(e);
	}
	return 0;
}

int64_t hut_aspace_frame(const struct hut_aspace *as, uint64_t va)
{
	uint64_t frame;
	return mapping_of(as, va, &frame) ? (int64_t)frame : -1;
}

int hut_aspace_identity_rw(const struct hut_aspace *as, uint64_t va)
{
	uint64_t frame, e = mapping_of(as, va, &frame);
	return (e & PTE_W) && frame == (va & ~(HUT_PAGE_SIZE - 1));
}

/* Frees the tables below t (of the given level) that this space owns. */
static void free_below(uint64_t *t, int level)
{
	if (level == LEVELS - 1)
		return;
	for (int i = 0; i < ENTRIES; i++)
		if ((t[i] & PTE_P) && (t[i] & HUT_PTE_OWNED)) {
			free_below(table(t[i]), level + 1);
			hut_pages_free(table(t[i]), 1);
		}
}

void hut_aspace_free(struct hut_aspace *as)
{
	if (!as->owns_top || as->cr3 == running_cr3)
		return;
	free_below(table(as->cr3), 0);
	hut_pages_free(table(as->cr3), 1);
	as->cr3 = 0;
	as->owns_top = 0;
}

void hut_aspace_switch(const struct hut_aspace *as)
{
	if (as->cr3 == running_cr3)
		return;
	running_cr3 = as->cr3;
	hut_cr3_load(as->cr3);
}

void hut_aspace_flush(void)
{
	hut_cr3_load(running_cr3);
}
