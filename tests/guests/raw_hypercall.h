/*
 * The hypercall doorbell rung by hand, as a guest without a libos would
 * (the hostile guests, the network ring guest, raw_file.h): one 8-byte
 * store of arg to slot nr of the hypercall page (hut/abi.h), any value
 * allowed. The libos's own is libos/libos.h's, which the guests do not see.
 */
#ifndef RAW_HYPERCALL_H
#define RAW_HYPERCALL_H

#include <hut/abi.h>
#include <stdint.h>

#define HC_SLOT(nr) (HUT_HYPERCALL_GPA + 8 * (uint64_t)(nr))

static inline void raw_hypercall(unsigned nr, uint64_t arg)
{
	__asm__ volatile("movq %1, %0"
			 : "=m"(*(volatile uint64_t *)HC_SLOT(nr))
			 : "r"(arg)
			 : "memory");
}

#endif
