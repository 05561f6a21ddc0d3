/*
 * Unit tests for hut_gpa (monitor/mem.h), the one checked accessor between
 * guest-physical addresses and host pointers. A fake guest RAM of a few
 * pages is enough: the arithmetic is the point.
 */
#include "mem.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define RAM_SIZE (4 * 4096ull)

static struct hut_mem ram;

static void setup(void)
{
	ram.host = malloc(RAM_SIZE);
	cr_assert(ram.host);
	ram.size = RAM_SIZE;
}

static void teardown(void)
{
	free(ram.host);
}

TestSuite(hut_gpa, .init = setup, .fini = teardown);

Test(hut_gpa, in_range)
{
	cr_assert_eq(hut_gpa(&ram, 0, 1), ram.host);
	cr_assert_eq(hut_gpa(&ram, 0x1234, 16), ram.host + 0x1234);
	cr_assert_eq(hut_gpa(&ram, 0, RAM_SIZE), ram.host, "the whole of RAM");
}

Test(hut_gpa, exact_end)
{
	cr_assert_eq(hut_gpa(&ram, RAM_SIZE - 1, 1), ram.host + RAM_SIZE - 1);
	cr_assert_eq(hut_gpa(&ram, RAM_SIZE - 8, 8), ram.host + RAM_SIZE - 8);
	cr_assert_eq(hut_gpa(&ram, 4096, RAM_SIZE - 4096), ram.host + 4096);
}

Test(hut_gpa, empty_range)
{
	cr_assert_eq(hut_gpa(&ram, 0, 0), ram.host);
	cr_assert_eq(hut_gpa(&ram, RAM_SIZE, 0), ram.host + RAM_SIZE, "len 0 at size is valid");
	cr_assert_null(hut_gpa(&ram, RAM_SIZE + 1, 0));
}

Test(hut_gpa, one_past_end)
{
	cr_assert_null(hut_gpa(&ram, RAM_SIZE - 1, 2));
	cr_assert_null(hut_gpa(&ram, RAM_SIZE, 1));
	cr_assert_null(hut_gpa(&ram, 0, RAM_SIZE + 1));
	cr_assert_null(hut_gpa(&ram, 4096, RAM_SIZE - 4096 + 1));
}

Test(hut_gpa, address_beyond_ram)
{
	cr_assert_null(hut_gpa(&ram, RAM_SIZE + 1, 1));
	cr_assert_null(hut_gpa(&ram, RAM_SIZE * 2, 8));
	cr_assert_null(hut_gpa(&ram, 0x1000000000ull, 8), "the hypercall page is not RAM");
}

Test(hut_gpa, huge_length)
{
	cr_assert_null(hut_gpa(&ram, 0, UINT64_MAX));
	cr_assert_null(hut_gpa(&ram, 0, 1ull << 63));
	cr_assert_null(hut_gpa(&ram, 16, UINT64_MAX - 15), "gpa + len == 2^64");
}

Test(hut_gpa, range_wraps)
{
	cr_assert_null(hut_gpa(&ram, RAM_SIZE - 1, UINT64_MAX), "(size-1) + 2^64-1 wraps");
	cr_assert_null(hut_gpa(&ram, 1, UINT64_MAX));
	cr_assert_null(hut_gpa(&ram, 0x1000, UINT64_MAX - 0x800), "wraps to below gpa");
}

Test(hut_gpa, top_of_address_space)
{
	cr_assert_null(hut_gpa(&ram, UINT64_MAX, 0));
	cr_assert_null(hut_gpa(&ram, UINT64_MAX, 1));
	cr_assert_null(hut_gpa(&ram, UINT64_MAX - 7, 8));
}

/* A RAM of size 0 holds nothing but the empty range at 0. */
Test(hut_gpa, empty_ram)
{
	struct hut_mem none = {.host = ram.host, .size = 0};
	cr_assert_eq(hut_gpa(&none, 0, 0), ram.host);
	cr_assert_null(hut_gpa(&none, 0, 1));
	cr_assert_null(hut_gpa(&none, 1, 0));
}

/* hut_mem_back_groups: what a boot backs ahead, widened to whole shadow-MMU
 * groups (8 pages, aligned), never below its floor nor past RAM; the range
 * backed is the one remembered (hut_mem_backed). Criterion runs each test
 * in a process of its own, so each starts with none remembered. */
#define GROUP_RAM (60 * 4096ull) /* not a whole number of groups */
static struct hut_mem group_ram;

static void group_setup(void)
{
	group_ram.host = aligned_alloc(4096, GROUP_RAM);
	cr_assert(group_ram.host);
	group_ram.size = GROUP_RAM;
}

static void group_teardown(void)
{
	free(group_ram.host);
}

static void expect_backed(uint64_t gpa, uint64_t len)
{
	const struct hut_mem_range *r;
	cr_assert_eq(hut_mem_backed(&r), 1);
	cr_assert_eq(r[0].gpa, gpa, "from %#lx, want %#lx", r[0].gpa, gpa);
	cr_assert_eq(r[0].len, len, "length %#lx, want %#lx", r[0].len, len);
}

TestSuite(hut_mem_back_groups, .init = group_setup, .fini = group_teardown);

Test(hut_mem_back_groups, widened_to_whole_groups)
{
	hut_mem_back_groups(&group_ram, 0x9000, 0xb000, 0);
	expect_backed(0x8000, 0x8000);
}

Test(hut_mem_back_groups, across_a_group_boundary)
{
	hut_mem_back_groups(&group_ram, 0xf000, 0x11000, 0);
	expect_backed(0x8000, 0x10000);
}

Test(hut_mem_back_groups, never_below_the_floor)
{
	hut_mem_back_groups(&group_ram, 0x9000, 0xa000, 0x9000);
	expect_backed(0x9000, 0x7000);
}

Test(hut_mem_back_groups, never_past_ram)
{
	hut_mem_back_groups(&group_ram, 0x39000, 0x3a000, 0);
	expect_backed(0x38000, GROUP_RAM - 0x38000);
}

Test(hut_mem_back_groups, nothing_when_the_floor_is_above)
{
	const struct hut_mem_range *r;
	hut_mem_back_groups(&group_ram, 0x9000, 0xa000, 0x10000);
	cr_assert_eq(hut_mem_backed(&r), 0);
}
