/*
 * Address spaces (libos/mem/aspace.c), from inside an appliance: the libos's
 * own functions called directly, since no syscall reaches them yet. A copy
 * of the boot address space maps the same memory until one page of it is
 * pointed elsewhere; switching shows each space its own page and both the
 * rest; freeing gives every table back. aspace.sh runs it as an appliance
 * only (as a process there are no page tables to change) and checks each
 * line against what it must say.
 */
#include <hut/x86.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#include "mem/aspace.h"

static char data_page[4096] __attribute__((aligned(4096))) = "parent's data page";
static volatile int shared_word;

static unsigned long free_pages(void)
{
	struct sysinfo si;
	sysinfo(&si);
	return si.freeram / si.mem_unit / 4096;
}

static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
}

int main(void)
{
	struct hut_aspace boot, child;
	char *frame = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *heap_a = frame + 4096, *heap_b = frame + 2 * 4096;
	strcpy(frame, "child's data page");
	strcpy(heap_a, "heap page a");
	strcpy(heap_b, "heap page b");
	unsigned long before = free_pages();

	hut_aspace_boot(&boot);
	check("clone", hut_aspace_clone(&child, &boot) == 0);
	check("the copy maps the data page where the boot space does",
	      hut_aspace_frame(&child, (uint64_t)data_page) == (int64_t)(uintptr_t)data_page);
	check("the boot space cannot be changed in place",
	      hut_aspace_map(&boot, (uint64_t)data_page, (uint64_t)frame, PTE_W | PTE_U) < 0);
	check("an unmapped address cannot be pointed anywhere",
	      hut_aspace_map(&child, 8, (uint64_t)frame, PTE_W | PTE_U) < 0);
	check("point the data page elsewhere",
	      hut_aspace_map(&child, (uint64_t)data_page, (uint64_t)frame,
			     PTE_W | PTE_U | PTE_NX) == 0);
	check("point heap page a at heap page b's frame",
	      hut_aspace_map(&child, (uint64_t)heap_a, (uint64_t)heap_b, PTE_W | PTE_U | PTE_NX) ==
		      0);
	check("the copy says where",
	      hut_aspace_frame(&child, (uint64_t)data_page) == (int64_t)(uintptr_t)frame);

	hut_aspace_switch(&child);
	printf("in the copy: %s / %s / %s\n", data_page, heap_a, heap_b);
	strcpy(data_page, "written in the copy");
	shared_word = 42;
	hut_aspace_switch(&boot);
	printf("back: %s / %s / %s\n", data_page, heap_a, heap_b);
	printf("the copy's write went to its frame: %s\n", frame);
	printf("a word written in the copy, read back: %d\n", shared_word);

	hut_aspace_free(&child);
	check("freeing the copy gave every table back", free_pages() == before);
	return 0;
}
