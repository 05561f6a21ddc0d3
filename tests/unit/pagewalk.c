/*
 * Unit tests for hut_guest_user_page (monitor/pagewalk.c): the guest's page
 * tables read as the CPU reads them for CPL3 code, in a fake guest RAM
 * whose tables each test writes. The tables are hostile guest memory: a
 * table pointer out of RAM, a missing level or a supervisor entry at any
 * level must give no answer, and a large page only where x86-64 has one.
 */
#include "mem.h"

#include <criterion/criterion.h>
#include <hut/x86.h>
#include <stdlib.h>

#define PAGE 4096ull
#define RAM_SIZE (64 * PAGE)
#define PML4 (1 * PAGE)
#define PDPT (2 * PAGE)
#define PD (3 * PAGE)
#define PT (4 * PAGE)
#define TABLE (PTE_P | PTE_W | PTE_U)

static struct hut_mem ram;

static uint64_t *table(uint64_t gpa)
{
	return (uint64_t *)(ram.host + gpa);
}

/* va 0x40201000 (PML4 0, PDPT 1, PD 1, PT 1) through one table per level. */
#define VA 0x40201000ull
static void four_levels(void)
{
	table(PML4)[0] = PDPT | TABLE;
	table(PDPT)[1] = PD | TABLE;
	table(PD)[1] = PT | TABLE;
	table(PT)[1] = (20 * PAGE) | PTE_P | PTE_U;
}

static void setup(void)
{
	ram.host = calloc(1, RAM_SIZE);
	cr_assert(ram.host);
	ram.size = RAM_SIZE;
	four_levels();
}

static void teardown(void)
{
	free(ram.host);
}

TestSuite(pagewalk, .init = setup, .fini = teardown);

Test(pagewalk, a_user_page_and_its_offset)
{
	uint64_t gpa = 0;
	cr_assert(hut_guest_user_page(&ram, PML4, VA + 0x123, &gpa));
	cr_assert_eq(gpa, 20 * PAGE + 0x123);
}

Test(pagewalk, cr3_low_bits_are_not_the_table)
{
	uint64_t gpa = 0;
	cr_assert(hut_guest_user_page(&ram, PML4 | 0x18, VA, &gpa), "PWT/PCD bits in cr3");
	cr_assert_eq(gpa, 20 * PAGE);
}

Test(pagewalk, a_missing_or_supervisor_level_gives_nothing)
{
	uint64_t gpa = 0;
	uint64_t *entries[] = {&table(PML4)[0], &table(PDPT)[1], &table(PD)[1], &table(PT)[1]};
	for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
		uint64_t saved = *entries[i];
		*entries[i] = saved & ~PTE_U;
		cr_assert(!hut_guest_user_page(&ram, PML4, VA, &gpa), "supervisor at level %zu", i);
		*entries[i] = saved & ~PTE_P;
		cr_assert(!hut_guest_user_page(&ram, PML4, VA, &gpa), "not present at level %zu",
			  i);
		*entries[i] = saved;
	}
	cr_assert(!hut_guest_user_page(&ram, PML4, VA + PAGE, &gpa), "the next page: no entry");
}

Test(pagewalk, large_pages_in_a_pd_and_a_pdpt)
{
	uint64_t gpa = 0;
	table(PD)[1] = (2ull << 20) | PTE_P | PTE_U | PTE_PS; /* 2 MiB at 2 MiB */
	cr_assert(hut_guest_user_page(&ram, PML4, VA + 0x5000, &gpa));
	cr_assert_eq(gpa, (2ull << 20) + 0x6000, "offset within the 2 MiB page");
	table(PDPT)[1] = (1ull << 30) | PTE_P | PTE_U | PTE_PS; /* 1 GiB at 1 GiB */
	cr_assert(hut_guest_user_page(&ram, PML4, VA, &gpa));
	cr_assert_eq(gpa, VA, "1 GiB identity");
}

Test(pagewalk, ps_in_a_pml4_entry_is_no_large_page)
{
	uint64_t gpa = 0;
	table(PML4)[0] |= PTE_PS; /* reserved there: the walk goes on below */
	cr_assert(hut_guest_user_page(&ram, PML4, VA, &gpa));
	cr_assert_eq(gpa, 20 * PAGE);
}

Test(pagewalk, tables_out_of_ram_give_nothing)
{
	uint64_t gpa = 0;
	cr_assert(!hut_guest_user_page(&ram, RAM_SIZE, VA, &gpa), "cr3 past RAM");
	cr_assert(!hut_guest_user_page(&ram, 0xfffffffffffff000ull, VA, &gpa), "cr3 wraps");
	table(PD)[1] = (RAM_SIZE + PAGE) | TABLE;
	cr_assert(!hut_guest_user_page(&ram, PML4, VA, &gpa), "a PT past RAM");
	table(PD)[1] = PTE_ADDR | TABLE;
	cr_assert(!hut_guest_user_page(&ram, PML4, VA, &gpa),
		  "a PT at the top of the address space");
}
