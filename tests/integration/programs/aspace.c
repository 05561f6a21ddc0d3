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

#include "arch/x86_64/fault.h"
#include "mem/aspace.h"

static char data_page[4096] __attribute__((aligned(4096))) = "parent's data page";
static volatile int shared_word;

/* A write to cow_page in the copy faults (it is read-only there); the
 * handler gives the copy its own frame, as copy-on-write will. */
static struct hut_aspace *cow_space;
static char *cow_page, *cow_frame;
static int faults, decline;

static int on_fault(uint64_t addr, uint64_t error, uint64_t rip)
{
	(void)rip;
	faults++;
	if (decline || (addr & ~4095ull) != (uint64_t)cow_page ||
	    (error & (HUT_PF_PRESENT | HUT_PF_WRITE)) != (HUT_PF_PRESENT | HUT_PF_WRITE))
		return 1;
	memcpy(cow_frame, cow_page, 4096);
	return hut_aspace_map(cow_space, (uint64_t)cow_page, (uint64_t)cow_frame,
			      PTE_W | PTE_U | PTE_NX);
}

/* A store that faults, between registers, flags and a red zone that must
 * all be as they were when it goes on. */
static int store_keeps_state(volatile char *p)
{
	uint64_t out[6];
	__asm__ volatile("mov $0x1111, %%rbx\n\t"
			 "mov $0x2222, %%r12\n\t"
			 "mov $0x3333, %%r13\n\t"
			 "mov $0x4444, %%r14\n\t"
			 "movq $0x5555, -8(%%rsp)\n\t"
			 "stc\n\t"
			 "movb $'W', (%[p])\n\t"
			 "setc %%r15b\n\t"
			 "movzbq %%r15b, %%r15\n\t"
			 "mov %%rbx, 0(%[o])\n\t"
			 "mov %%r12, 8(%[o])\n\t"
			 "mov %%r13, 16(%[o])\n\t"
			 "mov %%r14, 24(%[o])\n\t"
			 "mov -8(%%rsp), %%rbx\n\t"
			 "mov %%rbx, 32(%[o])\n\t"
			 "mov %%r15, 40(%[o])"
			 :
			 : [p] "r"(p), [o] "r"(out)
			 : "rbx", "r12", "r13", "r14", "r15", "memory", "cc");
	return out[0] == 0x1111 && out[1] == 0x2222 && out[2] == 0x3333 && out[3] == 0x4444 &&
	       out[4] == 0x5555 && out[5] == 1;
}

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

int main(int argc, char **argv)
{
	struct hut_aspace boot, child;
	char *frame = mmap(0, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *heap_a = frame + 4096, *heap_b = frame + 2 * 4096;
	cow_page = frame + 3 * 4096;
	cow_frame = frame + 4 * 4096;
	strcpy(cow_page, "shared until written");
	decline = argc > 1 && strcmp(argv[1], "decline") == 0;
	strcpy(frame, "child's data page");
	strcpy(heap_a, "heap page a");
	strcpy(heap_b, "heap page b");
	char *big = mmap(0, 6 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hut_aspace_boot(&boot);
	unsigned long before = free_pages();

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
	check("the cow page is read-only in the copy",
	      hut_aspace_map(&child, (uint64_t)cow_page, (uint64_t)cow_page, PTE_U | PTE_NX) == 0);
	cow_space = &child;
	hut_fault_take(on_fault);

	hut_aspace_switch(&child);
	printf("in the copy: %s / %s / %s\n", data_page, heap_a, heap_b);
	strcpy(data_page, "written in the copy");
	shared_word = 42;
	printf("a faulting store kept registers, flags and red zone: %s\n",
	       store_keeps_state(cow_page) ? "yes" : "no");
	printf("the copy's cow page: %s\n", cow_page);
	hut_aspace_switch(&boot);
	hut_fault_take(0);
	printf("faults taken: %d\n", faults);
	printf("the boot space's cow page: %s\n", cow_page);
	printf("back: %s / %s / %s\n", data_page, heap_a, heap_b);
	printf("the copy's write went to its frame: %s\n", frame);
	printf("a word written in the copy, read back: %d\n", shared_word);

	/* A range unmapped in the copy only: pieces of 2 MiB regions and whole
	 * ones (fork leaves a child's dead stack so). */
	uint64_t r = (uint64_t)(uintptr_t)big, mib = 1 << 20;
	check("unmap a range in the copy",
	      hut_aspace_unmap_range(&child, r + 4096, r + 5 * mib) == 0);
	check("the page before the range stays", hut_aspace_frame(&child, r) == (int64_t)r);
	check("the range's first page is gone", hut_aspace_frame(&child, r + 4096) < 0);
	check("a page 2 MiB on is gone", hut_aspace_frame(&child, r + 2 * mib + 8192) < 0);
	check("the range's last page is gone", hut_aspace_frame(&child, r + 5 * mib - 4096) < 0);
	check("the page after the range stays",
	      hut_aspace_frame(&child, r + 5 * mib) == (int64_t)(r + 5 * mib));
	check("the boot space still maps the range",
	      hut_aspace_frame(&boot, r + 2 * mib + 8192) == (int64_t)(r + 2 * mib + 8192));
	check("unmapping it again changes nothing",
	      hut_aspace_unmap_range(&child, r + 4096, r + 5 * mib) == 0);

	/* The libos keeps up to 16 of a freed space's tables for the next
	 * copies (aspace.c: spares): the rest comes back, and a second copy
	 * changed the same way takes those and gives them back again. */
	hut_aspace_free(&child);
	unsigned long after = free_pages();
	check("freeing the copy gave its tables back but 16 at most",
	      after <= before && before - after <= 16);
	int copies_ok = 1;
	for (int i = 0; i < 10; i++) { /* copies changed the same way, freed */
		copies_ok &= hut_aspace_clone(&child, &boot) == 0;
		copies_ok &= hut_aspace_map(&child, (uint64_t)data_page, (uint64_t)frame,
					    PTE_W | PTE_U | PTE_NX) == 0;
		copies_ok &= hut_aspace_map(&child, (uint64_t)heap_a, (uint64_t)heap_b,
					    PTE_W | PTE_U | PTE_NX) == 0;
		copies_ok &= hut_aspace_unmap_range(&child, r + 4096, r + 5 * mib) == 0;
		copies_ok &=
			hut_aspace_frame(&child, (uint64_t)heap_a) == (int64_t)(uintptr_t)heap_b &&
			hut_aspace_frame(&child, r + 2 * mib) < 0 &&
			hut_aspace_frame(&child, (uint64_t)cow_page) ==
				(int64_t)(uintptr_t)cow_page;
		hut_aspace_free(&child);
	}
	check("10 more copies, each changed the same way, map what they were told", copies_ok);
	unsigned long after_all = free_pages();
	check("all of them together keep 16 tables at most",
	      after_all <= before && before - after_all <= 16);
	return 0;
}
