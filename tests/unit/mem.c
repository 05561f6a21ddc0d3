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
