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

enum { HUT_MM_SEGS = 8 };

struct hut_mm {
	struct hut_aspace as;
	uint64_t *mine;	    /* a bit per arena page: this process maps it for its app */
	uint64_t brk_start; /* brk is each process's own */
	uint64_t brk_cur;   /* byte exact, as Linux's */
	/* The image the process runs (below the libos's window): the boot's
	 * until it execs another. Writable segments are its own, copied on
	 * write after a fork; the others are shared. */
	struct hut_seg seg[HUT_MM_SEGS];
	int nseg;
	uint64_t entry, phdr, phnum; /* for the auxv: e_entry, AT_PHDR, AT_PHNUM */
	/* The argument and environment strings the boot or exec put on its
	 * stack, as Linux's mm keeps them: /proc/self/cmdline and environ
	 * read the process's memory there (what the program wrote over them
	 * too). */
	uint64_t arg_start, arg_end, env_start, env_end;
	/* The path of the program it exec'd (exe_len bytes, its own copy),
	 * NULL while it runs the boot image. */
	char *exe;
	uint32_t exe_len;
};

/* The running process's memory. */
extern struct hut_mm *hut_mm_now;

/* mm.c */
/* A copy of the running process's memory for a child: the app's pages
 * shared copy-on-write, the libos's and MAP_SHARED pages shared; NULL
 * without memory. The forking thread's stack (hut_user_rsp) and thread
 * block (tls: its FS base) tell which pages both sides write at once. */
struct hut_mm *hut_mm_fork(uint64_t tls);
/* Runs on mm from now on (a trap when it is another address space). */
void hut_mm_switch(struct hut_mm *mm);
/* exec, before the point of no return: the running process's memory
 * ready to be changed (counting begins, tables of its own): 0 or -ENOMEM. */
int hut_mm_exec_prepare(void);
/* exec: every arena page the running process maps for its app let go, brk
 * begins again at brk_start. */
void hut_mm_exec_release(uint64_t brk_start);
/* Lets go of everything mm maps; mm must not be running. */
void hut_mm_free(struct hut_mm *mm);
/* image.c: the image a process runs. */
/* The boot image's app segments (those below the window) become mm's. */
void hut_mm_image_from_boot(struct hut_mm *mm, const struct hut_boot_info *bi);
/* fork: child runs parent's image too (its tables are a copy of the
 * parent's; the writable pages are mm.c's to share copy-on-write). */
void hut_image_fork(const struct hut_mm *parent, struct hut_mm *child);
/* Lets go of mm's image: each page's frame one user less, its arena
 * addresses given back; unmap: out of mm's tables too. */
void hut_image_drop(struct hut_mm *mm, int unmap);
/* Whether n segments may be mapped by the running process: 0, or -ENOMEM
 * where one lies where the libos's memory is or outside the image's room. */
int hut_image_fits(const struct hut_seg *seg, int n);
/* exec: the running process runs the image of n segments from now on, its
 * pages at frames (one per page, segment after segment, each one user: the
 * process's); entry, phdr and phnum for the auxv. */
int hut_image_exec(const struct hut_seg *seg, int n, const uint64_t *frames, uint64_t entry,
		   uint64_t phdr, uint64_t phnum);
/* A page just read for a read-only segment at va, in frame: the boot
 * image's own frame instead when the running process still maps it there
 * and it holds the same bytes (frame given back); else frame. */
uint64_t hut_image_share_boot_page(uint64_t va, uint64_t frame);
/* exec: the running process's program is now at path (canonical, len
 * bytes): /proc/self/exe and maps name it. Without memory for the copy
 * they keep the old name. */
void hut_image_name(const char *path, size_t len);
/* Lets go of mm's name (a process's end). */
void hut_image_name_drop(struct hut_mm *mm);

/* memory.c, for mm.c and appmem.c */
void hut_arena_ready(void);
void hut_arena_take(uint64_t addr, uint64_t len, int app, int shared);
void *hut_arena_alloc(uint64_t count, int app, int shared);
int hut_arena_free_run(uint64_t first, uint64_t count);
int hut_frames_counting(void); /* since the first fork */
uint64_t hut_arena_base(void);
uint64_t hut_arena_pages(void);
int hut_arena_mine(const struct hut_mm *mm, uint64_t page); /* page: arena index */
/* The first arena page from page on that mm maps for its app, or
 * hut_arena_pages() when there is none: a word of its bitmap at a time
 * (a 256 MiB arena is 65,536 pages: a walk page by page took ~0.2 ms at
 * each fork and again at each process's end). */
uint64_t hut_arena_next_mine(const struct hut_mm *mm, uint64_t page);
int hut_arena_shared(uint64_t page); /* a MAP_SHARED page */
/* Counting begins (the first fork): 0 or -ENOMEM. */
int hut_frames_count(void);
void hut_frame_ref(uint64_t frame);
void hut_frame_unref(uint64_t frame);
uint32_t hut_frame_users(uint64_t frame);
/* A frame nobody uses, for a copy (one user), or 0. */
uint64_t hut_frame_new(void);
/* An exec'd image's page at an arena address: held, and let go. */
void hut_arena_reserve(uint64_t page);
void hut_arena_unreserve(uint64_t page);
/* Free, or held by processes' apps only (not the libos's memory). */
int hut_arena_app_address(uint64_t page);
/* mm holds arena page (index) as its own, and lets it go. */
void hut_arena_hold(struct hut_mm *mm, uint64_t page);
void hut_arena_release(struct hut_mm *mm, uint64_t page);

#endif
