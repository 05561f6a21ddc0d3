/* What the ring fuzzers (fuzz_netring.c, fuzz_conring.c) share: guest RAM
 * between two inaccessible guard pages, so that a monitor read or write
 * one byte outside it is a crash libFuzzer reports, made once; and bytes
 * taken from the fuzzer's input in order. */
#ifndef FUZZ_GUEST_RAM_H
#define FUZZ_GUEST_RAM_H

#include "check.h"
#include "mem.h"

#include <hut/abi.h>

#include <string.h>
#include <sys/mman.h>

static inline void fuzz_guest_ram(struct hut_mem *mem, uint64_t size)
{
	if (mem->host)
		return;
	uint8_t *p = mmap(NULL, size + 2 * HUT_PAGE_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(mprotect(p + HUT_PAGE_SIZE, size, PROT_READ | PROT_WRITE) == 0);
	*mem = (struct hut_mem){.host = p + HUT_PAGE_SIZE, .size = size};
}

/* The next len bytes of the input into out: 0, or -1 when fewer are left. */
static inline int fuzz_take(const uint8_t **d, size_t *n, void *out, size_t len)
{
	if (*n < len)
		return -1;
	memcpy(out, *d, len);
	*d += len;
	*n -= len;
	return 0;
}

#endif
