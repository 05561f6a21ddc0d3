/*
 * The memory layer: the arena's pages (memory.c, which also serves the
 * app's anonymous mappings and brk) and small objects for the libos
 * (kalloc.c). Uses only the base layer.
 */
#ifndef HUT_MEM_H
#define HUT_MEM_H

#include "base/base.h"

void hut_memory_init(const struct hut_boot_info *bi);

/* memory.c: pages of the arena for the libos's own use (zeroed). */
void *hut_pages_alloc(uint64_t count);
void hut_pages_free(void *p, uint64_t count);
uint64_t hut_pages_total(void);
uint64_t hut_pages_free_count(void);
/* A hook run when the arena has no free run for an allocation (a cache
 * above frees what it can), before the allocation is tried again. */
void hut_mem_on_pressure(hut_hook_fn hook);
/* The app's memory (sys/memcalls.c has the syscalls): anonymous zero pages
 * at a free place or where MAP_FIXED says (an address or -errno), brk,
 * munmap and madvise over the same arena. */
long hut_anon_map(uint64_t addr, uint64_t len, long flags);
long hut_brk(uint64_t want);
long hut_unmap(uint64_t addr, uint64_t len);
long hut_advise(uint64_t addr, uint64_t len, long advice);
/* Whether every page of [addr, addr + len) is mapped: in use in the arena,
 * or readable app memory outside it (the image, the stack). */
int hut_mem_in_use(uint64_t addr, uint64_t len);

/* appmem.c, for /proc: the running process's brk range (its start and
 * the break now); the first run of arena pages it maps for its app at or
 * above from, brk's pages left out (0 when there is none); how many arena
 * pages it maps for its app. */
void hut_memory_brk(uint64_t *start, uint64_t *cur);
int hut_memory_next_run(uint64_t from, uint64_t *start, uint64_t *end);
uint64_t hut_memory_app_pages(void); /* also what RLIMIT_AS and DATA count */
/* Bits set in a word, SWAR: no libgcc call (bitmaps' counts). */
static inline uint64_t hut_bits_in(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* giveback.c: pages were freed (counted); the guest is about to sleep: give
 * the arena's free runs back to the host if enough were freed since. */
void hut_memory_freed(uint64_t pages);
void hut_memory_give_back(void);

/* kalloc.c: small objects for the libos; zeroed; free with the same size. */
void *hut_kalloc(size_t n);
void hut_kfree(void *p, size_t n);
char *hut_kstrndup(const char *s, size_t n);

#endif
