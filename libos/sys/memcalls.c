/*
 * The memory syscalls: brk, mmap and the rest over the arena (mem/memory.c),
 * file mappings through the fd layer (fd/file_mmap.c). Here because mmap
 * spans both layers.
 */
#include "fd/file.h"

#include <errno.h>
#include <sys/mman.h>

HUT_SYSCALL(brk)
{
	return hut_brk((uint64_t)a0);
}

HUT_SYSCALL(mmap)
{
	uint64_t len = ((uint64_t)a1 + HUT_PAGE_SIZE - 1) & ~(uint64_t)(HUT_PAGE_SIZE - 1);
	if (a1 == 0 || len == 0)
		return -EINVAL;
	if (!(a3 & MAP_ANONYMOUS))
		return hut_file_mmap((uint64_t)a0, len, a2, a3, a4, a5);
	return hut_anon_map((uint64_t)a0, len, a3);
}

HUT_SYSCALL(munmap)
{
	return hut_unmap((uint64_t)a0, (uint64_t)a1);
}

/* musl's realloc copies when mremap fails: simpler than moving mappings. */
HUT_SYSCALL(mremap)
{
	return -ENOMEM;
}

/* The monitor mapped all of RAM read-write: protection is bookkeeping only. */
HUT_SYSCALL(mprotect)
{
	return (a0 & (HUT_PAGE_SIZE - 1)) ? -EINVAL : 0;
}

HUT_SYSCALL(madvise)
{
	return hut_advise((uint64_t)a0, (uint64_t)a1, a2);
}
