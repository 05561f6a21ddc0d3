/*
 * The guest's page tables read as the CPU reads them for CPL3 code
 * (mem.h, hut_guest_user_page). The tables are guest memory: every entry
 * is read through hut_gpa, and anything out of RAM, not present or not
 * for user mode ends the walk with no answer.
 */
#include "mem.h"

#include <hut/abi.h>
#include <hut/x86.h>
#include <stdbool.h>

#define LEVELS 4 /* PML4, PDPT, PD, PT */

bool hut_guest_user_page(const struct hut_mem *m, uint64_t cr3, uint64_t va, uint64_t *gpa)
{
	uint64_t table = cr3 & PTE_ADDR;
	for (int level = LEVELS - 1; level >= 0; level--) {
		const uint64_t *t = hut_gpa(m, table, HUT_PAGE_SIZE);
		if (!t)
			return false;
		uint64_t e = t[(va >> (12 + 9 * level)) & 511];
		if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
			return false;
		/* PS means a large page in a PDPT (1 GiB) or a PD (2 MiB) only. */
		if (level == 0 || ((e & PTE_PS) && level <= 2)) {
			uint64_t span = 1ull << (12 + 9 * level);
			*gpa = (e & PTE_ADDR & ~(span - 1)) + (va & (span - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}
