/*
 * The memory syscalls: brk, mmap and the rest over the arena (mem/memory.c),
 * file mappings through the fd layer (fd/file_mmap.c). Here because mmap
 * spans both layers.
 */
#include "fd/file.h"
#include "mem/mm.h"

#include <elf.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>

/* Pages the process holds outside the arena: its image and its stack. */
static uint64_t fixed_pages(void)
{
	const struct hut_mm *mm = hut_mm_now;
	uint64_t pages = hut_boot_info->stack_size / HUT_PAGE_SIZE;
	for (int i = 0; i < mm->nseg; i++)
		pages += (mm->seg[i].end - mm->seg[i].start) / HUT_PAGE_SIZE;
	return pages;
}

static int over(int resource, uint64_t pages)
{
	uint64_t limit = hut_rlimit_get(resource).cur;
	return limit != HUT_RLIM_INFINITY && pages > limit / HUT_PAGE_SIZE;
}

/* Linux's may_expand_vm: RLIMIT_AS bounds everything the process maps,
 * RLIMIT_DATA its private writable memory (the app's pages stand for it:
 * the libos does not keep each mapping's protection). */
static int may_grow(uint64_t pages, int is_data)
{
	uint64_t now = hut_memory_app_pages();
	return !over(RLIMIT_AS, fixed_pages() + now + pages) &&
	       !(is_data && over(RLIMIT_DATA, now + pages));
}

HUT_SYSCALL(brk)
{
	uint64_t cur = (uint64_t)hut_brk(0), want = (uint64_t)a0;
	uint64_t cur_end = (cur + HUT_PAGE_SIZE - 1) & ~(uint64_t)(HUT_PAGE_SIZE - 1);
	uint64_t want_end = (want + HUT_PAGE_SIZE - 1) & ~(uint64_t)(HUT_PAGE_SIZE - 1);
	if (want_end > cur_end && !may_grow((want_end - cur_end) / HUT_PAGE_SIZE, 1))
		return (long)cur; /* brk fails by not moving */
	return hut_brk(want);
}

HUT_SYSCALL(mmap)
{
	uint64_t len = ((uint64_t)a1 + HUT_PAGE_SIZE - 1) & ~(uint64_t)(HUT_PAGE_SIZE - 1);
	if (a1 == 0 || len == 0)
		return -EINVAL;
	if (!may_grow(len / HUT_PAGE_SIZE,
		      (a2 & PROT_WRITE) && !(a3 & (MAP_SHARED | MAP_GROWSDOWN))))
		return -ENOMEM;
	if (!(a3 & MAP_ANONYMOUS))
		return hut_file_mmap((uint64_t)a0, len, a2, a3, a4, a5);
	return hut_anon_map((uint64_t)a0, len, a3);
}

HUT_SYSCALL(munmap)
{
	return hut_file_munmap((uint64_t)a0, (uint64_t)a1);
}

HUT_SYSCALL(msync)
{
	return hut_file_msync((uint64_t)a0, (uint64_t)a1, a2);
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
	return hut_file_madvise((uint64_t)a0, (uint64_t)a1, a2);
}

/* All of the guest's memory is resident and never swapped: locking it
 * changes nothing and succeeds, as it would for a process with enough
 * RLIMIT_MEMLOCK. */
HUT_SYSCALL(mlock)
{
	return 0;
}

HUT_SYSCALL(munlock)
{
	return 0;
}

HUT_SYSCALL(mlock2)
{
	return a2 & ~1l ? -EINVAL : 0; /* MLOCK_ONFAULT */
}

HUT_SYSCALL(mlockall)
{
	return !a0 || (a0 & ~7l) ? -EINVAL : 0; /* MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT */
}

HUT_SYSCALL(munlockall)
{
	return 0;
}

/* mincore: every page the app may read is resident. */
HUT_SYSCALL(mincore)
{
	uint64_t pages = ((uint64_t)a1 + HUT_PAGE_SIZE - 1) / HUT_PAGE_SIZE;
	if (a0 & (HUT_PAGE_SIZE - 1))
		return -EINVAL;
	if (!hut_user_readable((const void *)a0, (size_t)a1))
		return -ENOMEM;
	if (!hut_user_writable((void *)a2, pages))
		return -EFAULT;
	hut_memset((void *)a2, 1, pages);
	return 0;
}
