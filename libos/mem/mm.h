/*
 * A process's memory: its address space and the pages of the arena it maps
 * for its app (anonymous mappings, brk), the first process's made at boot,
 * the others' by fork, copy-on-write (docs/ARCHITECTURE.md, "Processes").
 *
 * memory.c keeps the arena and, once a second process exists, a count of
 * users for every page frame of RAM and of holders for every arena
 * address: an address a process maps stays out of the allocator until every
 * process that maps it has let go, and a frame until nobody maps it.
 * mm.c makes, switches and ends processes' memory and takes their
 * copy-on-write faults.
 */
#ifndef HUT_MEM_MM_H
#define HUT_MEM_MM_H

#include "aspace.h"
#include "mem.h"

struct hut_mm {
	struct hut_aspace as;
	uint64_t *mine;	    /* a bit per arena page: this process maps it for its app */
	uint64_t brk_start; /* brk is each process's own */
	uint64_t brk_cur;   /* byte exact, as Linux's */
};

/* The running process's memory. */
extern struct hut_mm *hut_mm_now;

/* mm.c */
/* A copy of the running process's memory for a child: the app's pages
 * shared copy-on-write, the libos's and MAP_SHARED pages shared; NULL
 * without memory. */
struct hut_mm *hut_mm_fork(void);
/* Runs on mm from now on (a trap when it is another address space). */
void hut_mm_switch(struct hut_mm *mm);
/* exec: the running process's app memory as the image's writable segment
 * has it (file: its filesz bytes at vaddr), the arena let go. */
void hut_mm_exec(const uint8_t *file, uint64_t vaddr, uint64_t filesz);
/* Lets go of everything mm maps; mm must not be running. */
void hut_mm_free(struct hut_mm *mm);

/* memory.c, for mm.c and appmem.c */
void hut_arena_ready(void);
void hut_arena_take(uint64_t addr, uint64_t len, int app, int shared);
void *hut_arena_alloc(uint64_t count, int app, int shared);
int hut_arena_free_run(uint64_t first, uint64_t count);
int hut_frames_counting(void); /* since the first fork */
uint64_t hut_arena_base(void);
uint64_t hut_arena_pages(void);
int hut_arena_mine(const struct hut_mm *mm, uint64_t page); /* page: arena index */
int hut_arena_shared(uint64_t page);			    /* a MAP_SHARED page */
/* Counting begins (the first fork): 0 or -ENOMEM. */
int hut_frames_count(void);
void hut_frame_ref(uint64_t frame);
void hut_frame_unref(uint64_t frame);
uint32_t hut_frame_users(uint64_t frame);
/* A frame nobody uses, for a copy (one user), or 0. */
uint64_t hut_frame_new(void);
/* mm holds arena page (index) as its own, and lets it go. */
void hut_arena_hold(struct hut_mm *mm, uint64_t page);
void hut_arena_release(struct hut_mm *mm, uint64_t page);

#endif
