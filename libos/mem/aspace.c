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

/* How much of the address space an entry of a table of this level maps. */
static uint64_t span_of(int level)
{
	return 1ull << (39 - 9 * level);
}

/* Tables a freed address space owned, kept by what they mapped (their
 * level and the start of their region). KVM keeps the tables of a recent
 * CR3 shadowed for a quick switch back, write-protected: each store into
 * such a page traps to the host (~1.4 µs on kvm-pvm), and the allocator
 * handed the same pages out at once, so a fresh copy of a table (zeroed,
 * then 512 entries) cost up to ~1.4 ms at every fork. The next address
 * space that owns a table for the same region (a fork's child owns the
 * same ones: the top, the stack's, the data's) gets that page back and
 * only the entries that differ are written: a few. */
enum { SPARES = 16 };
static struct spare {
	uint64_t *t;
	uint64_t key; /* region start | level */
} spares[SPARES];

static uint64_t spare_key(uint64_t va, int level)
{
	return (level ? va & ~(span_of(level - 1) - 1) : 0) | (uint64_t)level;
}

/* Keeps t (a table of this level for va's region) for reuse; when all
 * places are taken, the oldest kept one is freed. */
static void release_table(uint64_t *t, uint64_t va, int level)
{
	static int oldest;
	for (int i = 0; i < SPARES; i++)
		if (!spares[i].t) {
			spares[i] = (struct spare){t, spare_key(va, level)};
			return;
		}
	hut_pages_free(spares[oldest].t, 1);
	spares[oldest] = (struct spare){t, spare_key(va, level)};
	oldest = (oldest + 1) % SPARES;
}

/* A kept table for va's region at this level, or NULL. */
static uint64_t *take_spare(uint64_t va, int level)
{
	uint64_t key = spare_key(va, level);
	for (int i = 0; i < SPARES; i++) {
		uint64_t *t = spares[i].t;
		if (t && spares[i].key == key) {
			spares[i].t = NULL;
			return t;
		}
	}
	return NULL;
}

/* t's entries become src's (without OWNED: a copy owns nothing below), or
 * zeros without src, each store only where they differ. */
static void rewrite(uint64_t *t, const uint64_t *src)
{
	for (int e = 0; e < ENTRIES; e++) {
		uint64_t want = src ? src[e] & ~HUT_PTE_OWNED : 0;
		if (t[e] != want)
			t[e] = want;
	}
}

/* A copy of src for va's region at this level: a kept page of the same
 * region rewritten, else a fresh copy. */
static uint64_t *copy_for(const uint64_t *src, uint64_t va, int level)
{
	uint64_t *t = take_spare(va, level);
	if (!t)
		return copy_table(src);
	rewrite(t, src);
	return t;
}

int hut_aspace_clone(struct hut_aspace *as, const struct hut_aspace *from)
{
	uint64_t *top = copy_for(table(from->cr3), 0, 0);
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
static int own_below(uint64_t *entry, int level, uint64_t va)
{
	if (*entry & HUT_PTE_OWNED)
		return 0;
	uint64_t *t = (level == 2 && (*entry & PTE_PS)) ? split_large(*entry)
							: copy_for(table(*entry), va, level + 1);
	if (!t)
		return -ENOMEM;
	uint64_t flags = *entry & ~PTE_ADDR & ~PTE_PS;
	*entry = (uint64_t)t | flags | HUT_PTE_OWNED;
	return 0;
}

/* A zeroed table this address space owns, for an entry that had none (a
 * table of this level for va's region). */
static int new_below(uint64_t *entry, uint64_t va, int level)
{
	uint64_t *t = take_spare(va, level);
	if (t)
		rewrite(t, NULL);
	else
		t = hut_pages_alloc(1);
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
		*err = !(*e & PTE_P) ? (make ? new_below(e, va, level + 1) : -EFAULT)
				     : own_below(e, level, va);
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

static void free_below(uint64_t *t, int level, uint64_t base);

/* An entry of a table of this level maps nothing from now on; a table
 * below it that this space owns is freed (one it shares is the other
 * space's). */
static void drop_entry(uint64_t *e, int level, uint64_t va)
{
	if (level < LEVELS - 1 && (*e & HUT_PTE_OWNED) && !(*e & PTE_PS)) {
		uint64_t base = va & ~(span_of(level) - 1);
		free_below(table(*e), level + 1, base);
		release_table(table(*e), base, level + 1);
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
				drop_entry(e, level, va);
				va = next;
				break;
			}
			int err = own_below(e, level, va);
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

/* Frees the tables below t (a table of this level whose region starts at
 * base) that this space owns, keeping some for the next copies. */
static void free_below(uint64_t *t, int level, uint64_t base)
{
	if (level == LEVELS - 1)
		return;
	for (int i = 0; i < ENTRIES; i++)
		if ((t[i] & PTE_P) && (t[i] & HUT_PTE_OWNED) && !(t[i] & PTE_PS)) {
			uint64_t below = base + (uint64_t)i * span_of(level);
			free_below(table(t[i]), level + 1, below);
			release_table(table(t[i]), below, level + 1);
		}
}

void hut_aspace_free(struct hut_aspace *as)
{
	if (!as->owns_top || as->cr3 == running_cr3)
		return;
	free_below(table(as->cr3), 0, 0);
	release_table(table(as->cr3), 0, 0);
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
