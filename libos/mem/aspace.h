/*
 * Address spaces: one set of x86-64 page tables per process, owned and
 * edited by the libos at CPL3 and switched with one trap to CPL0 (the
 * design and its measured costs: docs/ARCHITECTURE.md, "Processes").
 *
 * A new address space starts as a copy of another's top-level table, so it
 * shares every lower table with it. A table is changed only by the address
 * space that owns it: before one address space changes what an address
 * maps to, the tables on the way to it are copied into its own
 * (copy-on-write of page tables, one path at a time). Frames the tables
 * point to are not this file's business: the caller owns them.
 */
#ifndef HUT_MEM_ASPACE_H
#define HUT_MEM_ASPACE_H

#include "base/base.h"

struct hut_aspace {
	uint64_t cr3; /* the top-level table: its guest-physical address (identity) */
	int owns_top; /* 0 only for the tables the monitor built before boot */
};

/* The address space the monitor built, which the first process runs in. */
void hut_aspace_boot(struct hut_aspace *as);

/* A new address space mapping exactly what from maps: 0 or -ENOMEM. */
int hut_aspace_clone(struct hut_aspace *as, const struct hut_aspace *from);

/* Points the 4 KiB page at va to frame (page-aligned guest-physical address)
 * with the given PTE_W/PTE_U/PTE_NX, in as alone: 0, -ENOMEM, or -EFAULT if
 * va was not mapped in as. Takes effect in the running address space only
 * after hut_aspace_flush. */
int hut_aspace_map(struct hut_aspace *as, uint64_t va, uint64_t frame, uint64_t flags);

/* As hut_aspace_map, where va need not be mapped yet: the tables on the
 * way are made (an exec'd image's pages where the boot's had none). */
int hut_aspace_map_new(struct hut_aspace *as, uint64_t va, uint64_t frame, uint64_t flags);

/* va maps nothing in as from now on (after hut_aspace_flush): 0, -ENOMEM. */
int hut_aspace_unmap(struct hut_aspace *as, uint64_t va);
/* [va, end) (page aligned) maps nothing in as from now on, the tables as
 * shares left alone: a table the range covers whole goes by one store in
 * the entry above it. 0, -ENOMEM (a table to copy), -EINVAL. */
int hut_aspace_unmap_range(struct hut_aspace *as, uint64_t va, uint64_t end);

/* Whether va maps its own address, writable, in as: how every process
 * maps an arena page nobody has made anything else of. */
int hut_aspace_identity_rw(const struct hut_aspace *as, uint64_t va);

/* The frame va maps to in as (its guest-physical page), or -1 if none. */
int64_t hut_aspace_frame(const struct hut_aspace *as, uint64_t va);

/* Frees the tables as owns; as must not be running. */
void hut_aspace_free(struct hut_aspace *as);

/* Runs on as from now on (one trap; none if it runs already). */
void hut_aspace_switch(const struct hut_aspace *as);

/* Makes changes to the running address space's tables take effect. */
void hut_aspace_flush(void);

#endif
