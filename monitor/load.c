/*
 * Loading: lay the guest's RAM out (image, heap, the modules' RAM, signal
 * box, guard page, stack) and copy
 * the image's PT_LOAD segments in. The image was validated when it was
 * opened; here we check it fits the RAM this run gives it.
 */
#include "monitor.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define MIN_HEAP (1ull << 20)

/* What a module shares with the guest (the network device's rings and
 * buffers): taken from the top of the heap, so devices_size bytes above
 * heap_end are the modules'. False if the heap is too small. */
static bool take_ram(struct hut_vm *vm, const struct hut_module *m)
{
	uint64_t size = m->ram_size();
	if (size == 0)
		return true;
	if (vm->heap_end - vm->heap_start < size)
		return false;
	vm->heap_end -= size;
	vm->devices_size += size;
	m->ram_at(vm->heap_end);
	return true;
}

static void layout(struct hut_vm *vm)
{
	uint64_t mem = vm->mem.size;
	vm->stack_size = mem / 8 < HUT_STACK_MAX ? (mem / 8) & ~(HUT_PAGE_SIZE - 1) : HUT_STACK_MAX;
	vm->stack_top = mem;
	vm->heap_end = mem - vm->stack_size - HUT_PAGE_SIZE; /* one guard page under the stack */
	/* The signal box: the page under the guard page, above the heap, where
	 * an image exec'd in the guest, which may be larger than this one, does
	 * not reach (libos/sys/execcalls.c). */
	vm->heap_start = vm->img.image_end;
	bool fits = vm->heap_start + HUT_PAGE_SIZE <= vm->heap_end;
	if (fits) {
		vm->heap_end -= HUT_PAGE_SIZE;
		vm->signals_gpa = vm->heap_end;
	}
	const struct hut_module *m;
	hut_each_module(vm, m)
		if (fits && m->ram_size)
			fits = take_ram(vm, m);
	if (!fits || vm->heap_end - vm->heap_start < MIN_HEAP)
		hut_fail(vm, HUT_EXIT_BAD_IMAGE,
			 "image needs more memory than %lu MiB (try a larger --mem)", mem >> 20);
}

#define PREFAULT_BYTES (64u << 10)

/* Backs the pages every boot touches first (the image with its bss, the top
 * of the stack, and what each module says its device's guest side touches
 * first) with host memory in one call each, so the
 * guest's first touches do not each fault in the host as well; a fault taken
 * inside a nested guest costs tens of microseconds here. Best effort: an
 * older kernel without MADV_POPULATE_WRITE just takes the faults. */
static void prefault(struct hut_vm *vm)
{
	if (!vm->restored) /* a restore's image pages: those of the snapshot (snapshot_restore.c) */
		hut_mem_back(&vm->mem, HUT_IMAGE_BASE, vm->img.image_end - HUT_IMAGE_BASE, true);
	hut_mem_back(&vm->mem, vm->stack_top - PREFAULT_BYTES, PREFAULT_BYTES, true);
	hut_call_modules(vm, prefault, vm);
}

/*
 * The heap's middle is backed by transparent huge pages, where the guest
 * maps it with 2 MiB pages too: one host fault then serves 2 MiB instead of
 * 4 KiB. Measured on kvm-pvm: touching 64 MiB takes 113 ms instead of 600.
 * The heap's first and last 2 MiB stay small pages: boot and small mallocs
 * touch only a few pages there, and zeroing a whole huge page for them
 * would cost more than it saves.
 */
static void huge_heap(struct hut_vm *vm)
{
	uint64_t lo = ((vm->heap_start + HUT_LARGE_PAGE_SIZE - 1) & ~(HUT_LARGE_PAGE_SIZE - 1)) +
		      HUT_LARGE_PAGE_SIZE;
	uint64_t hi = (vm->heap_end & ~(HUT_LARGE_PAGE_SIZE - 1)) - HUT_LARGE_PAGE_SIZE;
	if (hi > lo)
		madvise(vm->mem.host + lo, hi - lo, MADV_HUGEPAGE);
}

/*
 * The segments' file bytes are copied into guest RAM by the kernel, with
 * one process_vm_writev to this process itself: it backs each page of RAM
 * and writes it through its own mapping, so the monitor's process never
 * touches those pages, which is what costs here: a page a process touches
 * first costs it ~3-5 us in a guest whose own page tables are shadowed
 * (kvm-pvm's hosts): a memcpy of httpd's 90 pages took 0.52-0.78 ms, this
 * 0.18-0.25 (the source pages were touched already, by the image's CRC).
 * Mapping the file's pages copy-on-write instead (MAP_FIXED, then backed
 * for writing) was faster still (~0.1 ms), but a private file mapping
 * loses even its copied pages when the file is truncated: an image rebuilt
 * in place under a running appliance ended it (KVM_RUN: EFAULT), which
 * tests/integration/load-tail.sh checks does not happen. Anything short of
 * every byte written (a kernel or a sandbox without the call): memcpy.
 */
static void copy_segments(struct hut_vm *vm, uint8_t *dst[])
{
	struct iovec from[HUT_SEGMENTS_MAX], to[HUT_SEGMENTS_MAX];
	size_t total = 0;
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		from[i] = (struct iovec){(void *)(vm->img.file + s->offset), s->filesz};
		to[i] = (struct iovec){dst[i], s->filesz};
		total += s->filesz;
	}
	if (process_vm_writev(getpid(), from, vm->img.nsegments, to, vm->img.nsegments, 0) ==
	    (ssize_t)total)
		return;
	for (size_t i = 0; i < vm->img.nsegments; i++)
		memcpy(dst[i], vm->img.file + vm->img.seg[i].offset, vm->img.seg[i].filesz);
}

/* Where each segment goes in guest RAM (checked: it fits). */
static void place_segments(struct hut_vm *vm, uint8_t *dst[])
{
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		dst[i] = hut_gpa(&vm->mem, s->gpa, s->memsz);
		if (!dst[i])
			hut_fail(vm, HUT_EXIT_BAD_IMAGE,
				 "segment at 0x%lx does not fit in guest memory", s->gpa);
	}
}

void hut_load_image(struct hut_vm *vm)
{
	vm->mem.window_va = vm->img.window_va;
	vm->mem.window_gpa = vm->img.window_gpa;
	vm->mem.window_size = vm->img.window_size;
	layout(vm);
	uint8_t *dst[HUT_SEGMENTS_MAX];
	if (!vm->restored) { /* a restore's RAM is the snapshot's: no image to copy */
		place_segments(vm, dst);
		copy_segments(vm, dst);
	}
	prefault(vm);
	if (vm->restored)
		return;
	huge_heap(vm);
	/* The bytes the CRC covered, exactly (abi.h, HUT_CRC_*). */
	for (size_t i = 0; i < vm->img.nsegments; i++)
		hut_image_clear_section_fields(dst[i], vm->img.seg[i].offset,
					       vm->img.seg[i].filesz);
}
